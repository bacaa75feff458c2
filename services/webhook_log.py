"""The log line of a webhook delivery, in the format the monitor scripts follow.

``zortout-sync job=<job or -> account=<id or -> event=webhook_<outcome> key=value ...``
(see joblog.py). Never pass a key or a token.
"""

from .joblog import log_event

__all__ = ["log_webhook_event"]


def log_webhook_event(logger, level, account_id, job_reference, event, **values):
    log_event(logger, level, job_reference, account_id, event, **values)
