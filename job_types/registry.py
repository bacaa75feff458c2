"""What the queue knows of a kind of job, and the table of kinds it runs.

The queue (models/marketplace_job*.py) claims, runs, retries and records jobs of
any kind; everything particular to a kind lives in its :class:`JobType`: the
work, one step at a time (:meth:`JobType.start`), what its result says on the
Jobs list and the form, and what its end changes beyond the job (the account's
"Last Sync", alerts...). ``job_type`` is a selection of the registered kinds.
"""

__all__ = ["JobType", "register", "unregister", "registered", "job_type_of"]

#: code -> JobType, in registration order (the order of the Job Type selection)
_REGISTRY = {}


class JobType:
    """One kind of job. Subclass it, set ``code`` and ``label`` (English, marked with ``_lt``:
    shown in the reader's language), write :meth:`start` and :meth:`outcome`, and register
    an instance in job_types/__init__.py. The other methods have plain defaults.

    A job's ``result`` field holds its result as JSON; the steps keep it up to date, so that
    a job that continues in a later run adds to what the earlier runs did. A result may say
    how long its work took (``duration_s``): the Jobs list shows that for a done job."""

    code = None
    label = None

    def start(self, job, client):
        """The job's work from where it stands, as an object with ``step()`` (do the next step
        and record it on the job), ``finished`` (bool) and ``result`` (what :meth:`warnings`,
        :meth:`done` and :meth:`log_values` receive once finished). ``client`` is a
        ZortoutClient for the job's account, its calls bounded by the run's time."""
        raise NotImplementedError

    def outcome(self, job, data):
        """The Jobs list's line for a done job whose stored result is ``data`` (a dict).
        It must not raise, whatever ``data`` holds."""
        raise NotImplementedError

    def summary(self, job, data):
        """The form's result block (HTML) for the stored result ``data``; False for none."""
        return False

    def warnings(self, job, result):
        """(messages, details): what a done job still tells (kept as its error block); none by default."""
        return [], None

    def done(self, job, result, now, warnings):
        """What the end of the job changes beyond it, once it is marked done at ``now``."""

    def failed(self, job, now):
        """What a job that failed for good changes beyond it, once it is marked failed at ``now``."""

    def log_values(self, result):
        """The key=value pairs of the job's ``event=done`` log line."""
        return {}


def register(job_type):
    """Add ``job_type`` (a JobType instance) to the kinds the queue runs; returns it."""
    if not job_type.code or not job_type.label:
        raise ValueError(f"{job_type!r}: a job type needs a code and a label")
    if job_type.code in _REGISTRY:
        raise ValueError(f"job type {job_type.code!r} is registered already")
    _REGISTRY[job_type.code] = job_type
    return job_type


def unregister(code):
    """Remove the kind ``code`` (tests register a kind for their own run only)."""
    del _REGISTRY[code]


def registered():
    """The registered kinds, in registration order."""
    return list(_REGISTRY.values())


def job_type_of(code):
    """The registered kind ``code``, or None."""
    return _REGISTRY.get(code)
