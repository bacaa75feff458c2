"""The job's life in named state changes, and the messages a failure leaves on it.

Every change of a job's state goes through one ``_set_*`` method here: running,
done, postponed (time up between two steps), retry (a transient failure, with
back-off), waiting for Zortout's daily quota, failed, cancelled, requeued.
"""

import json
import logging
from datetime import timedelta, timezone

import psycopg2.errors

from odoo import fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.otd_marketplace_stock import zortout
from odoo.addons.otd_marketplace_stock.const import BACKOFF_BASE, BACKOFF_CAP
from odoo.addons.otd_marketplace_stock.services.joblog import log_job_event
from odoo.addons.otd_marketplace_stock.tools.job_message import SyncUserError, _lt, at, msg, render
from odoo.addons.otd_marketplace_stock.tools.job_payload import PayloadError

_logger = logging.getLogger(__name__)


def backoff_seconds(attempts):
    """Delay before the next try after ``attempts`` tries: 60 s, 120 s, 240 s... at most one hour."""
    return min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (max(attempts, 1) - 1))



class MarketplaceJobState(models.Model):
    _inherit = "marketplace.job"

    def _error_values(self, message=None, details=None):
        """The fields that keep an error: the message as data (shown in each reader's
        language) and in English (searched, logged); ``details`` is technical text."""
        if not message:
            return {"error": False, "error_data": False}
        english = render(self.with_context(lang="en_US", tz="UTC").env, message)
        if details:
            english += f" Details: {details}"
        return {"error": english, "error_data": json.dumps({"message": message, "details": details or None})}

    def _set_running(self):
        # sudo: job state is written by the queue itself, also for users who only run jobs
        self.sudo().write({"state": "running", "started_at": fields.Datetime.now(), "finished_at": False,
                           "attempts": self.attempts + 1, **self._error_values()})

    def _set_done(self, result):
        """The job's work is finished; its kind says what the result still tells (a warehouse
        that failed while the others were applied) and what the end changes beyond the job."""
        now = fields.Datetime.now()
        kind = self._job_kind()
        warnings, details = kind.warnings(self, result)
        self.sudo().write({"state": "done", "finished_at": now, **self._error_values(warnings, details)})
        kind.done(self, result, now, warnings)
        log_job_event(_logger, logging.INFO, self, "done", **kind.log_values(result))

    def _set_postponed(self):
        """The job's time is up between two steps: back in the queue at once, where
        it continues from its last finished step. A postponement is no failed try."""
        self.sudo().write({"state": "pending", "next_run_at": fields.Datetime.now(),
                           "attempts": max(self.attempts - 1, 0)})
        log_job_event(_logger, logging.INFO, self, "postponed", phase=self.sync_phase,
                      pages=f"{self.pages_fetched}/{self.pages_total}", skus=f"{self.skus_done}/{self.skus_total}")
        self._wake_runner()

    def _set_conflict_postponed(self, message, details=None):
        """Someone changed the same stock while a step worked on it (a count applied, a picking
        validated): nothing of the step was kept. Back in the queue at once, on a fresh snapshot;
        a conflict is no failed try."""
        self.sudo().write({"state": "pending", "next_run_at": fields.Datetime.now(), "finished_at": False,
                           "attempts": max(self.attempts - 1, 0), **self._error_values(message, details)})
        log_job_event(_logger, logging.INFO, self, "postponed", reason="conflict", phase=self.sync_phase)
        self._wake_runner()

    def _set_out_of_time(self, exc):
        """A step still waited for Zortout when the run's time was up: nothing of the step was
        kept. The job goes back to the queue at once and continues from its last finished
        step, without losing a try. When the run before ran out of time at the same place
        (Zortout answers too slowly for one step to fit in a run), it counts as a failed try,
        with back-off, so that a store that never answers in time ends failed, not looping."""
        self.invalidate_recordset(["sync_target_index", "sync_phase", "pages_fetched", "skus_done"])
        mark = f"{self.sync_target_index}:{self.sync_phase}:{self.pages_fetched}:{self.skus_done}"
        # a wait Zortout asked for (Retry-After) that did not fit in this run is waited in the queue
        wait = getattr(exc.cause, "retry_after", None) or 0
        if wait:
            message = [msg(_lt("Zortout asked to wait %(seconds)s seconds before the next call, longer than this run "
                               "had left before Odoo's time limit. Nothing of the step was kept."),
                           seconds=f"{wait:g}")]
        else:
            message = [msg(_lt("Zortout answered too slowly: the step could not finish before Odoo's time limit "
                               "for this run. Nothing of the step was kept."))]
        details = str(exc)
        if self.out_of_time_mark != mark:
            message.append(msg(_lt("The job goes on from its last finished step; this costs no try.")))
            next_run_at = fields.Datetime.now() + timedelta(seconds=wait)
            self.sudo().write({"state": "pending", "next_run_at": next_run_at, "finished_at": False,
                               "attempts": max(self.attempts - 1, 0), "out_of_time_mark": mark,
                               **self._error_values(message, details)})
            log_job_event(_logger, logging.WARNING, self, "postponed", reason="out_of_time", phase=self.sync_phase,
                          time_left=f"{exc.time_left or 0:.1f}", details=details)
            self._wake_runner(next_run_at)
            return
        message.append(msg(_lt("It was the second run in a row stopped at the same step.")))
        if self.attempts < self.max_attempts:
            self._set_retry(message, details)
            return
        self._set_failed(message, details)
        if self.env.context.get("marketplace_unattended"):
            self.account_id._alert("sync_failed", message, job=self)

    def _set_retry(self, message, details=None):
        next_run_at = fields.Datetime.now() + timedelta(seconds=backoff_seconds(self.attempts))
        attempt = f"{self.attempts}/{self.max_attempts}"
        message = [*message, msg(_lt("Next try at %(when)s (attempt %(attempt)s)."), when=at(next_run_at),
                                 attempt=attempt)]
        self.sudo().write({"state": "pending", "next_run_at": next_run_at, "finished_at": False,
                           **self._error_values(message, details)})
        log_job_event(_logger, logging.WARNING, self, "retry", error=self.error, attempt=attempt,
                      next_run_at=fields.Datetime.to_string(next_run_at), details=details)
        self._wake_runner(next_run_at)

    def _set_waiting_for_quota(self, resets_at):
        """Zortout's daily request limit is spent: no stock was written and no try is
        lost; the job starts its sweep afresh once the limit resets (a sweep read
        across two days would mix two days' quantities), and the store's scheduled
        pulls wait until then."""
        when = fields.Datetime.to_datetime(resets_at.astimezone(timezone.utc).replace(tzinfo=None))
        self.invalidate_recordset(["skus_done"])
        if self.skus_done:
            # a job of several warehouses: the ones the runner finished before stay applied
            message = msg(_lt(
                "Zortout's daily limit of API calls for this store is reached. The warehouses already pulled stay "
                "applied; the job pulls every warehouse again when the limit resets at midnight (Bangkok time), "
                "%(when)s."), when=at(when))
        else:
            message = msg(_lt(
                "Zortout's daily limit of API calls for this store is reached. No stock was changed; the job "
                "runs again when the limit resets at midnight (Bangkok time), %(when)s."), when=at(when))
        self.sudo().page_ids.unlink()
        self.sudo().write({
            "state": "pending", "next_run_at": when, "finished_at": False, "sync_phase": "start",
            "attempts": max(self.attempts - 1, 0), **self._error_values([message]),
        })
        self.account_id._record_quota_spent(when)
        self.account_id._alert("quota", [message], job=self)
        log_job_event(_logger, logging.WARNING, self, "quota", next_run_at=fields.Datetime.to_string(when))
        self._wake_runner(when)

    def _set_failed(self, message, details=None):
        now = fields.Datetime.now()
        self.sudo().write({"state": "failed", "finished_at": now, **self._error_values(message, details)})
        if self._job_kind():  # a job of a type this version does not run fails before its kind is asked
            self._job_kind().failed(self, now)
        log_job_event(_logger, logging.ERROR, self, "failed", error=self.error,
                      attempt=f"{self.attempts}/{self.max_attempts}", details=details)

    def _set_cancelled(self, message=None):
        # sudo: Marketplace users may cancel jobs without having write access to them
        values = {"state": "cancelled", "finished_at": fields.Datetime.now()}
        if message:
            values.update(self._error_values([message]))
        self.sudo().write(values)

    def _set_requeued(self, message=None):
        """Back to pending for a fresh set of attempts (Retry), or after a dead worker (``message``)."""
        values = {"state": "pending", "next_run_at": fields.Datetime.now(), "finished_at": False,
                  **self._error_values(message)}
        if not message:
            values["attempts"] = 0
        self.sudo().write(values)
        self._wake_runner()

    def _record_failure(self, exc):
        if isinstance(exc, zortout.ZortoutQuotaExceededError):
            self._set_waiting_for_quota(exc.resets_at)
            return
        if isinstance(exc, zortout.ZortoutOutOfTimeError):
            self._set_out_of_time(exc)
            return
        if isinstance(exc, zortout.ZortoutAuthError):
            self.account_id._record_credentials(refused=True)
        error, details = self._error_message(exc)
        message = [error, self._kept_message()]
        if isinstance(exc, CONCURRENCY_ERRORS):
            self._set_conflict_postponed(message, details)
            return
        if _is_transient(exc) and self.attempts < self.max_attempts:
            self._set_retry(message, details)
            return
        self._set_failed(message, details)
        if self.env.context.get("marketplace_unattended"):
            problem = "zero_guard" if getattr(exc, "problem", None) == "zero_guard" else "sync_failed"
            self.account_id._alert(problem, message, job=self)
        expected = isinstance(exc, (zortout.ZortoutError, UserError, ValidationError, PayloadError))
        if not expected:
            _logger.warning("zortout-sync job=%s account=%s event=traceback", self.reference, self.account_id.id,
                            exc_info=exc)

    def _kept_message(self):
        """What of the job's work is kept after a failure (its steps committed by the runner)."""
        self.invalidate_recordset(["pages_fetched", "skus_done", "sync_phase"])
        if self.skus_done:
            return msg(_lt("%(count)s SKUs were already applied and stay applied; a new try continues from there."),
                       count=self.skus_done)
        if self.pages_fetched:
            return msg(_lt("%(count)s pages read from Zortout are kept; a new try continues from there. No stock "
                           "was changed."), count=self.pages_fetched)
        return msg(_lt("No stock was changed."))

    def _payload_error_message(self, exc):
        """The payload problem in the user's language."""
        return render(self.env, self._payload_message(exc))

    def _payload_message(self, exc):
        # each payload message already names the payload: one sentence, not "Invalid payload: The payload..."
        return msg(exc.template, **exc.params)

    def _error_message(self, exc):
        """(message, technical details) naming the fault in words a user can act on; never a secret.
        The details (Zortout's own words, the endpoint) go to the log and a folded line on the form."""
        details = str(exc) if isinstance(exc, zortout.ZortoutError) else None
        if isinstance(exc, CONCURRENCY_ERRORS):
            return msg(_lt("Someone changed the same stock at the same time; the job will run again.")), \
                type(exc).__name__
        if isinstance(exc, PayloadError):
            return self._payload_message(exc), None
        if isinstance(exc, SyncUserError):
            return exc.message, None
        if isinstance(exc, (UserError, ValidationError)):
            return str(exc.args[0] if exc.args else exc), None
        if isinstance(exc, zortout.ZortoutAuthError):
            return msg(_lt("Zortout rejected the credentials of store %(store)s. Check the Store Name, API Key and "
                           "API Secret of the account, and that Open API is on in Zortout."),
                       store=self.account_id.store_name), details
        if isinstance(exc, zortout.ZortoutUnknownWarehouseError):
            return msg(_lt('Zortout has no warehouse with the code "%(code)s". Valid codes: %(codes)s.'),
                       code=exc.code or "", codes=", ".join(exc.valid_codes or ()) or "-"), details
        if isinstance(exc, zortout.ZortoutIncompleteSweepError):
            return msg(_lt("Zortout stopped answering in the middle of the product list (page %(page)s)."),
                       page=exc.page or "?"), details
        if isinstance(exc, zortout.ZortoutError) and exc.transient:
            return msg(_lt("Zortout could not be reached or answered with an error.")), details
        if isinstance(exc, zortout.ZortoutError):
            return msg(_lt("Zortout refused the request.")), details
        return msg(_lt("Unexpected error (%(kind)s): %(detail)s"), kind=type(exc).__name__, detail=str(exc)), None


#: the database refused the sync's writes because another transaction changed the
#: same rows meanwhile (a person's inventory count, another sync): worth a new try
CONCURRENCY_ERRORS = (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected,
                       psycopg2.errors.LockNotAvailable)


def _is_transient(exc):
    if isinstance(exc, zortout.ZortoutError):
        return exc.transient
    return isinstance(exc, CONCURRENCY_ERRORS)

