"""The marketplace job queue: one record per unit of work, run by a cron or a button.

Every way in (Pull Stock, Run Now, the runner cron, the scheduled-action entry
point) ends in :meth:`MarketplaceJob._execute`, which runs the job inside a
savepoint and records its outcome. Only the runner commits, and only in
:meth:`MarketplaceJob._run_due_jobs` through its ``commit`` switch.
"""

import json
import logging
from datetime import timedelta

import psycopg2
import psycopg2.errors
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.otd_marketplace_stock import zortout
from odoo.addons.otd_marketplace_stock.services.joblog import JobClientLogger, log_job_event
from odoo.addons.otd_marketplace_stock.services.stock_sync import StockSync
from odoo.addons.otd_marketplace_stock.services.sync_result import SKIP_REASONS

from .job_payload import PayloadError, parse_payload
from .marketplace_account import CLIENT_LOGGER, _lock_error

_logger = logging.getLogger(__name__)

RUNNING_TIMEOUT_PARAM = "otd_marketplace_stock.job_running_timeout_minutes"
KEEP_DAYS_PARAM = "otd_marketplace_stock.job_keep_days"
DEFAULT_RUNNING_TIMEOUT = 30
DEFAULT_KEEP_DAYS = 30
BACKOFF_BASE = 60
BACKOFF_CAP = 3600
#: times the runner looks again after another runner claimed the job it picked
CLAIM_RETRIES = 10


def backoff_seconds(attempts):
    """Delay before the next try after ``attempts`` tries: 60 s, 120 s, 240 s... at most one hour."""
    return min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (max(attempts, 1) - 1))


class MarketplaceJob(models.Model):
    _name = "marketplace.job"
    _description = "Marketplace Job"
    _order = "id desc"
    _rec_names_search = ["reference", "name"]

    reference = fields.Char(readonly=True, copy=False, default="/", index=True)
    name = fields.Char(required=True, default=lambda self: self.env._("Sync Stock from Zortout"))
    job_type = fields.Selection([("sync_stock_from_zortout", "Sync Stock from Zortout")], "Job Type",
                                required=True, default="sync_stock_from_zortout")
    account_id = fields.Many2one("marketplace.account", "Account", required=True, ondelete="cascade",
                                 index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    payload = fields.Text(default="{}", help='JSON object, all keys optional: "warehouse_code" (text), '
                                             '"sku_list" (list of SKUs), "force" (true/false).')
    state = fields.Selection([
        ("pending", "Pending"),
        ("running", "Running"),
        ("done", "Done"),
        ("failed", "Failed"),
        ("cancelled", "Cancelled"),
    ], required=True, default="pending", index=True, copy=False)
    next_run_at = fields.Datetime("Next Run At", default=fields.Datetime.now, index=True, copy=False)
    attempts = fields.Integer(readonly=True, copy=False)
    max_attempts = fields.Integer("Max Attempts", default=5)
    started_at = fields.Datetime("Started At", readonly=True, copy=False)
    finished_at = fields.Datetime("Finished At", readonly=True, copy=False)
    result = fields.Text(readonly=True, copy=False)
    result_summary = fields.Html("Result Summary", compute="_compute_result_summary", sanitize=False)
    error = fields.Text(readonly=True, copy=False)

    _max_attempts_positive = models.Constraint("CHECK(max_attempts > 0)", "Max Attempts must be at least 1.")

    # ------------------------------------------------------------------ ORM

    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"].sudo()
        for vals in vals_list:
            if vals.get("reference", "/") == "/":
                vals["reference"] = sequence.next_by_code("marketplace.job") or "/"
        jobs = super().create(vals_list)
        jobs.filtered(lambda job: job.state == "pending")._wake_runner()
        return jobs

    @api.depends("reference", "name")
    def _compute_display_name(self):
        for job in self:
            job.display_name = " ".join(filter(None, [job.reference if job.reference != "/" else "", job.name]))

    @api.constrains("payload")
    def _check_payload(self):
        for job in self:
            try:
                parse_payload(job.payload)
            except PayloadError as exc:
                raise ValidationError(self._payload_error_message(exc)) from None

    @api.depends("result")
    def _compute_result_summary(self):
        labels = {
            "no_sku": self.env._("No SKU in Zortout"),
            "duplicate_in_zortout": self.env._("SKU twice in Zortout"),
            "ambiguous_in_odoo": self.env._("SKU on several Odoo products"),
            "not_in_odoo": self.env._("SKU not in Odoo"),
            "service": self.env._("Service"),
            "not_tracked": self.env._("Inventory not tracked"),
            "tracked_by_lot": self.env._("Tracked by lot/serial"),
            "bad_quantity": self.env._("Missing or unreadable quantity"),
            "being_counted": self.env._("Being counted in Odoo"),
            "negative_clamped": self.env._("Negative quantity set to 0"),
        }
        for job in self:
            try:
                data = json.loads(job.result) if job.result else None
            except ValueError:
                data = None
            if not isinstance(data, dict):
                job.result_summary = False
                continue
            samples = data.get("samples") or {}
            rows = [
                (self.env._("Fetched from Zortout"), data.get("fetched"), ""),
                (self.env._("Matched"), data.get("matched"), ""),
                (self.env._("Updated"), data.get("updated"), ""),
                (self.env._("Unchanged"), data.get("unchanged"), ""),
            ]
            skipped = data.get("skipped") or {}
            for reason in SKIP_REASONS:
                if skipped.get(reason):
                    rows.append((self.env._("Skipped: %s", labels[reason]), skipped[reason],
                                 ", ".join(samples.get(reason, []))))
            if data.get("negative_clamped"):
                rows.append((labels["negative_clamped"], data["negative_clamped"],
                             ", ".join(samples.get("negative_clamped", []))))
            body = Markup("").join(
                Markup("<tr><td>%s</td><td class='text-end'>%s</td><td class='text-muted'>%s</td></tr>")
                % (label, value if value is not None else 0, sample) for label, value, sample in rows)
            footer = self.env._(
                "Warehouse code: %(code)s · Location: %(location)s · API calls: %(calls)s · Duration: %(duration)s s",
                code=data.get("warehouse_code") or self.env._("none (store-wide)"),
                location=data.get("location") or "", calls=data.get("api_calls"), duration=data.get("duration_s"))
            job.result_summary = Markup(
                "<table class='table table-sm o_marketplace_result'><thead><tr><th>%s</th>"
                "<th class='text-end'>%s</th><th>%s</th></tr></thead><tbody>%s</tbody></table><p>%s</p>"
            ) % (self.env._("Outcome"), self.env._("Products"), self.env._("Sample SKUs"), body, escape(footer))

    # ------------------------------------------------------------------ buttons

    def action_run_now(self):
        """Run Now: run this pending or failed job at once, in this request."""
        for job in self:
            job._run_in_request()
        return True

    def action_cancel(self):
        self._check_states(("pending", "failed"),
                           self.env._("Only pending or failed jobs can be cancelled (%s is %s)."))
        # sudo: Marketplace users may cancel jobs without having write access to them
        self.sudo().write({"state": "cancelled", "finished_at": fields.Datetime.now()})
        return True

    def action_retry(self):
        self._check_states(("failed", "cancelled"),
                           self.env._("Only failed or cancelled jobs can be retried (%s is %s)."))
        # sudo: as for action_cancel
        self.sudo().write({"state": "pending", "attempts": 0, "next_run_at": fields.Datetime.now(),
                           "error": False, "finished_at": False})
        self._wake_runner()
        return True

    def _check_states(self, states, message):
        """Raise ``message`` (with the job and its state) unless every job is in ``states``."""
        self.check_access("read")
        for job in self:
            if job.state not in states:
                raise UserError(message % (job.display_name, job.state))

    def _action_open_form(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "views": [(False, "form")],
            "target": "current",
        }

    # ------------------------------------------------------------------ running

    def _run_in_request(self):
        """Run in the caller's transaction (buttons, scheduled actions): never commits."""
        self.ensure_one()
        self.check_access("read")
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute("SELECT id FROM marketplace_job WHERE id = %s FOR UPDATE NOWAIT", [self.id])
        except psycopg2.OperationalError as exc:
            if not _lock_error(exc):
                raise
            raise UserError(self.env._("This job is already running.")) from None
        self.invalidate_recordset()
        if self.state == "running":
            raise UserError(self.env._("This job is already running."))
        self._check_states(("pending", "failed"), self.env._("Only pending or failed jobs can be run (%s is %s)."))
        # a person asking to run a failed job again gets a fresh set of attempts
        self._mark_running(0 if self.state == "failed" else self.attempts)
        return self._execute()

    def _mark_running(self, attempts_before):
        # sudo: job state is written by the queue itself, also for users who only run jobs
        self.sudo().write({"state": "running", "started_at": fields.Datetime.now(), "finished_at": False,
                           "attempts": attempts_before + 1, "error": False})

    def _execute(self, commit=False):
        """Run this job (already marked running) and record done, failed or retry.

        In a request (``commit`` False) the work runs in a savepoint: on any
        failure everything it wrote is rolled back before the failure is
        recorded. For the runner (``commit`` True) the work commits its finished
        batches; a failure rolls back to the last of them. Returns True when done.
        """
        self.ensure_one()
        run = getattr(self, f"_run_{self.job_type}")
        try:
            if commit:
                result = run(on_batch_applied=self._commit_batch)
            else:
                with self.env.cr.savepoint():
                    result = run()
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the job
            if commit:
                self.env.cr.rollback()
            self._record_failure(exc)
            return False
        self._record_success(result)
        return True

    def _commit_batch(self, _count):
        # processed=0: the runner's progress counts jobs, not SKUs
        self.env["ir.cron"]._commit_progress(0)

    def _run_sync_stock_from_zortout(self, on_batch_applied=None):
        account = self.account_id
        with account._zortout_client(logger=JobClientLogger(logging.getLogger(CLIENT_LOGGER), self)) as client:
            return StockSync(self.with_company(account.company_id), client,
                             on_batch_applied=on_batch_applied).run()

    def _record_success(self, result):
        now = fields.Datetime.now()
        data = result.as_dict()
        self.sudo().write({"state": "done", "finished_at": now, "error": False,
                           "result": json.dumps(data, ensure_ascii=False, indent=1)})
        self.account_id._record_sync_outcome("done", now)
        log_job_event(_logger, logging.INFO, self, "done", fetched=data["fetched"], matched=data["matched"],
                      updated=data["updated"], unchanged=data["unchanged"], skipped=result.skipped_total,
                      duration_s=data["duration_s"])

    def _record_failure(self, exc):
        now = fields.Datetime.now()
        message = self._error_message(exc)
        attempt = f"{self.attempts}/{self.max_attempts}"
        if _is_transient(exc) and self.attempts < self.max_attempts:
            next_run_at = now + timedelta(seconds=backoff_seconds(self.attempts))
            self.sudo().write({"state": "pending", "next_run_at": next_run_at, "finished_at": False,
                               "error": self.env._("%(error)s Next try at %(when)s UTC (attempt %(attempt)s).",
                                                   error=message, when=next_run_at, attempt=attempt)})
            log_job_event(_logger, logging.WARNING, self, "retry", error=message, attempt=attempt,
                          next_run_at=fields.Datetime.to_string(next_run_at))
            self._wake_runner(next_run_at)
            return
        self.sudo().write({"state": "failed", "finished_at": now, "error": message})
        self.account_id._record_sync_outcome("failed", now)
        expected = isinstance(exc, (zortout.ZortoutError, UserError, ValidationError, PayloadError))
        log_job_event(_logger, logging.ERROR, self, "failed", error=message, attempt=attempt)
        if not expected:
            _logger.warning("zortout-sync job=%s account=%s event=traceback", self.reference, self.account_id.id,
                            exc_info=exc)

    def _payload_error_message(self, exc):
        """The payload problem in the user's language."""
        return self.env._("Invalid payload: %s", self.env._(exc.template, **exc.params))

    def _error_message(self, exc):
        """A clear English sentence naming the fault; never a secret."""
        if isinstance(exc, _CONCURRENCY_ERRORS):
            return self.env._("Someone changed the same stock at the same time (%s); nothing of this run was "
                              "kept and the job will run again.", type(exc).__name__)
        if isinstance(exc, PayloadError):
            return self._payload_error_message(exc)
        if isinstance(exc, (UserError, ValidationError)):
            return str(exc.args[0] if exc.args else exc)
        if isinstance(exc, zortout.ZortoutAuthError):
            return self.env._("Zortout rejected the credentials of store %(store)s (%(detail)s). Check the Store "
                              "Name, API Key and API Secret of the account.",
                              store=self.account_id.store_name, detail=exc.res_desc or str(exc))
        if isinstance(exc, zortout.ZortoutUnknownWarehouseError):
            return str(exc)
        if isinstance(exc, zortout.ZortoutError):
            return self.env._("Zortout error: %s", exc)
        return self.env._("Unexpected error (%(kind)s): %(detail)s", kind=type(exc).__name__, detail=exc)

    def _wake_runner(self, at=None):
        if self:
            cron = self.env.ref("otd_marketplace_stock.ir_cron_run_jobs", raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger(at)

    # ------------------------------------------------------------------ runner cron

    @api.model
    def _cron_run_jobs(self):
        """Marketplace: run pending jobs (ir.cron, every minute and on trigger)."""
        return self._run_due_jobs(commit=True)

    @api.model
    def _run_due_jobs(self, commit=True, limit=None):
        """Recover stale jobs, clean old ones, then claim and run due jobs one at a time.

        With ``commit`` (the cron), the claim (state running) is committed
        before any HTTP call, so other workers skip the job, and each outcome is
        committed before the next claim. Without it (tests, shell) nothing is
        committed and the same claim/run/record logic runs in the caller's
        transaction. Returns the jobs run.
        """
        def commit_point(processed=0, remaining=None):
            if not commit:
                return float("inf")
            return self.env["ir.cron"]._commit_progress(processed, remaining=remaining)

        self._recover_stale_jobs()
        self._cleanup_finished_jobs()
        due = self.search_count([("state", "=", "pending"), ("next_run_at", "<=", fields.Datetime.now())])
        commit_point(remaining=due)
        ran = self.browse()
        while limit is None or len(ran) < limit:
            job = self._claim_next_job(commit=commit)
            if not job:
                break
            commit_point()
            job._execute(commit=commit)
            ran |= job
            if commit_point(processed=1) <= 0:
                break
        return ran

    @api.model
    def _claim_next_job(self, commit=False):
        """Take the next due pending job, skipping rows another worker holds; mark it running.

        Odoo's transactions are REPEATABLE READ: locking a row that another
        runner claimed (and committed) after this transaction's snapshot raises
        a serialization failure even with SKIP LOCKED. That row is simply the
        other runner's: with ``commit`` (the runner, whose claim is the first
        statement of a fresh transaction) roll back to a new snapshot and look
        again. Without ``commit`` there is no other transaction to race.
        """
        for _attempt in range(CLAIM_RETRIES):
            try:
                with self.env.cr.savepoint(flush=False):
                    return self._claim_next_job_once()
            except psycopg2.errors.SerializationFailure:
                if not commit:
                    raise
                self.env.cr.rollback()
                _logger.debug("zortout-sync claim lost a race to another runner; looking again")
        return self.browse()  # the other runners keep winning: they have the work in hand

    @api.model
    def _claim_next_job_once(self):
        self.flush_model(["state", "next_run_at"])
        self.env.cr.execute("""
            SELECT id FROM marketplace_job job
             WHERE state = 'pending' AND next_run_at <= %s
               -- one running job per account: two syncs of one store would fight over its stock
               AND NOT EXISTS (SELECT 1 FROM marketplace_job other
                                WHERE other.account_id = job.account_id AND other.state = 'running')
             ORDER BY next_run_at, id
             LIMIT 1
               FOR UPDATE SKIP LOCKED
        """, [fields.Datetime.now()])
        row = self.env.cr.fetchone()
        if not row:
            return self.browse()
        job = self.browse(row[0])
        job.invalidate_recordset()
        job._mark_running(job.attempts)
        job.flush_recordset()
        return job

    @api.model
    def _recover_stale_jobs(self):
        """Put back jobs left running by a dead worker; the lost run counted as one attempt."""
        minutes = _int_param(self.env, RUNNING_TIMEOUT_PARAM, DEFAULT_RUNNING_TIMEOUT)
        limit = fields.Datetime.now() - timedelta(minutes=minutes)
        stale = self.search([("state", "=", "running"), ("started_at", "<", limit)])
        for job in stale:
            message = self.env._("The job was still running after %s minutes (its worker probably stopped).",
                                 minutes)
            if job.attempts >= job.max_attempts:
                job.sudo().write({"state": "failed", "finished_at": fields.Datetime.now(), "error": message})
                job.account_id._record_sync_outcome("failed", job.finished_at)
            else:
                job.sudo().write({"state": "pending", "next_run_at": fields.Datetime.now(),
                                  "error": self.env._("%s It was put back in the queue.", message)})
            log_job_event(_logger, logging.WARNING, job, "stale", started_at=fields.Datetime.to_string(job.started_at),
                          attempt=f"{job.attempts}/{job.max_attempts}", state=job.state)
        return stale

    @api.model
    def _cleanup_finished_jobs(self):
        days = _int_param(self.env, KEEP_DAYS_PARAM, DEFAULT_KEEP_DAYS)
        old = self.search([("state", "in", ("done", "cancelled")),
                           ("finished_at", "<", fields.Datetime.now() - timedelta(days=days))])
        count = len(old)
        old.unlink()
        if count:
            _logger.info("zortout-sync removed %s finished jobs older than %s days", count, days)
        return count


#: the database refused the sync's writes because another transaction changed the
#: same rows meanwhile (a person's inventory count, another sync): worth a new try
_CONCURRENCY_ERRORS = (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected,
                       psycopg2.errors.LockNotAvailable)


def _is_transient(exc):
    if isinstance(exc, zortout.ZortoutError):
        return exc.transient
    return isinstance(exc, _CONCURRENCY_ERRORS)


def _int_param(env, key, default):
    try:
        return max(0, int(env["ir.config_parameter"].sudo().get_param(key, default)))
    except (TypeError, ValueError):
        return default
