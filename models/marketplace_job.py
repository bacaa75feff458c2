"""The marketplace job queue: one record per unit of work, run by a cron or a button.

Every way in (Pull Stock, Run Now, the runner cron, the scheduled-action entry
point) claims the job (:meth:`_claim_in_request` or :meth:`_claim_next_job`,
both keeping one running sync per account) and then runs it with
:meth:`_execute`, which does the job's steps until it is done or its time is
up, and records the outcome through the named state changes below
(``_set_running``, ``_set_done``, ``_set_postponed``, ``_set_retry``,
``_set_failed``). Only the runner commits: after each step, through
``ir.cron._commit_progress``.
"""

import json
import logging
import time
from datetime import timedelta, timezone

import psycopg2
import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.otd_marketplace_stock import zortout
from odoo.addons.otd_marketplace_stock.const import (
    BACKOFF_BASE,
    BACKOFF_CAP,
    CLAIM_RETRIES,
    JOB_STATES,
    JOB_TYPES,
    PARAM_HAND_MADE_HOLD,
    PARAM_KEEP_DAYS,
    PARAM_REQUEST_BUDGET,
    PARAM_RUNNING_TIMEOUT,
    RUNNABLE_STATES,
    SKIP_REASONS,
    SYNC_PHASES,
)
from odoo.addons.otd_marketplace_stock.services.joblog import JobClientLogger, log_job_event
from odoo.addons.otd_marketplace_stock.services.sync_engine import SyncEngine

from .ir_config_parameter import param_value
from .job_message import SyncUserError, _lt, at, msg, render, render_error_html
from .job_payload import PayloadError, parse_payload
from .marketplace_account import CLIENT_LOGGER, MANAGER_GROUP
from .row_lock import try_lock_rows

_logger = logging.getLogger(__name__)

#: due jobs a claim looks at before it gives up on accounts that are busy elsewhere
CLAIM_CANDIDATES = 20
#: seconds a runner run may take from the moment it claims a job (on top of
#: Odoo's own cron window): well inside a cron worker's real-time limit
RUNNER_STEP_BUDGET = 20.0


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
    job_type = fields.Selection(JOB_TYPES, "Job Type", required=True, default=JOB_TYPES[0][0])
    account_id = fields.Many2one("marketplace.account", "Account", required=True, ondelete="cascade",
                                 index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    payload = fields.Text(default="{}", help='JSON object, all keys optional: "warehouse_code" (text), '
                                             '"sku_list" (list of SKUs), "force" (true/false), '
                                             '"dry_run" (true/false: a preview that writes no stock).')
    # a job is born pending; only the queue's own state changes move it (see _set_*)
    state = fields.Selection(JOB_STATES, required=True, default="pending", index=True, copy=False,
                             readonly=True)
    next_run_at = fields.Datetime("Next Run At", default=fields.Datetime.now, index=True, copy=False)
    attempts = fields.Integer(readonly=True, copy=False, aggregator=None)
    max_attempts = fields.Integer("Max Attempts", default=5, aggregator=None)
    started_at = fields.Datetime("Started At", readonly=True, copy=False)
    finished_at = fields.Datetime("Finished At", readonly=True, copy=False)
    result = fields.Text(readonly=True, copy=False)
    result_summary = fields.Html("Result Summary", compute="_compute_result_summary", sanitize=False)
    error = fields.Text(readonly=True, copy=False, help="The error in English, as the log has it.")
    error_data = fields.Text(readonly=True, copy=False)
    error_html = fields.Html("Error Message", compute="_compute_error_html", sanitize=False)

    # where a sync stands between two runs (services/sync_engine.py)
    sync_phase = fields.Selection(SYNC_PHASES, "Sync Step", default="start", readonly=True, copy=False)
    sync_location_id = fields.Many2one("stock.location", "Target Location", readonly=True, copy=False)
    sync_warehouse_code = fields.Char("Warehouse Code Used", readonly=True, copy=False)
    sweep_notes = fields.Text(readonly=True, copy=False)
    pages_total = fields.Integer("Pages", readonly=True, copy=False)
    pages_fetched = fields.Integer("Pages Read", readonly=True, copy=False)
    skus_total = fields.Integer("SKUs", readonly=True, copy=False)
    skus_done = fields.Integer("SKUs Applied", readonly=True, copy=False)
    page_ids = fields.One2many("marketplace.job.page", "job_id", "Kept Pages")
    line_ids = fields.One2many("marketplace.job.line", "job_id", "Changes")
    line_count = fields.Integer("Change Lines", compute="_compute_line_count")
    move_count = fields.Integer("Stock Moves", compute="_compute_move_count")
    is_preview = fields.Boolean("Preview", compute="_compute_is_preview")
    outcome = fields.Char("Outcome", compute="_compute_outcome")
    duration = fields.Float("Duration (s)", compute="_compute_outcome", digits=(12, 1), aggregator=None)

    _max_attempts_positive = models.Constraint("CHECK(max_attempts > 0)", "Max Attempts must be at least 1.")

    # ------------------------------------------------------------------ ORM

    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"].sudo()
        for vals in vals_list:
            if vals.get("reference", "/") == "/":
                vals["reference"] = sequence.next_by_code("marketplace.job") or "/"
            # a job is always born pending: a "running" job without a worker would block its account
            vals["state"] = "pending"
            if self.env.context.get("marketplace_job_hand_made"):
                # saved from the Jobs form: the user's next step is Run Now (the guide says so),
                # so the runner leaves the job alone for a moment instead of racing the button
                hold = fields.Datetime.now() + timedelta(seconds=param_value(self.env, PARAM_HAND_MADE_HOLD))
                given = fields.Datetime.to_datetime(vals.get("next_run_at")) or hold
                vals["next_run_at"] = max(given, hold)
        jobs = super().create(vals_list)
        for when in set(jobs.mapped("next_run_at")):
            jobs._wake_runner(when)
        return jobs

    @api.depends("reference", "name")
    def _compute_display_name(self):
        for job in self:
            job.display_name = " ".join(filter(None, [job.reference if job.reference != "/" else "", job.name]))

    def _compute_line_count(self):
        counts = dict(self.env["marketplace.job.line"]._read_group(
            [("job_id", "in", self.ids)], ["job_id"], ["__count"]))
        for job in self:
            job.line_count = counts.get(job, 0)

    def _compute_move_count(self):
        for job in self:
            job.move_count = self.env["stock.move"].search_count(job._moves_domain()) if job.id else 0

    @api.depends("payload")
    def _compute_is_preview(self):
        for job in self:
            try:
                job.is_preview = parse_payload(job.payload).dry_run
            except PayloadError:
                job.is_preview = False

    @api.constrains("payload")
    def _check_payload(self):
        for job in self:
            try:
                payload = parse_payload(job.payload)
            except PayloadError as exc:
                raise ValidationError(self._payload_error_message(exc)) from None
            # constraints run as superuser: ask the real user (the runner's is the superuser)
            user = self.env.user
            if payload.force and not (user._is_superuser() or user.has_group(MANAGER_GROUP)):
                raise ValidationError(self.env._(
                    'Only a Marketplace Administrator may run a job with "force": true (it lets a sweep that '
                    "empties most of the stock through the zero guard)."))

    @api.depends("state", "result", "error_data", "sync_phase", "started_at", "finished_at")
    @api.depends_context("lang")
    def _compute_outcome(self):
        """One line for the Jobs list: what happened, or what is wrong, or where it stands."""
        phases = dict(self._fields["sync_phase"]._description_selection(self.env))
        for job in self:
            job.duration = (job.finished_at - job.started_at).total_seconds() \
                if job.finished_at and job.started_at else 0.0
            if job.state == "done" and job.result:
                data = json.loads(job.result)
                skipped = sum((data.get("skipped") or {}).values())
                counts = {"updated": data.get("updated", 0), "unchanged": data.get("unchanged", 0),
                          "skipped": skipped}
                if data.get("dry_run"):
                    job.outcome = self.env._(
                        "Would update %(updated)s · unchanged %(unchanged)s · skipped %(skipped)s", **counts)
                else:
                    job.outcome = self.env._(
                        "Updated %(updated)s · unchanged %(unchanged)s · skipped %(skipped)s", **counts)
            elif job.error_data:
                text = render(job.env, json.loads(job.error_data)["message"])
                job.outcome = text if len(text) <= 90 else text[:89] + "…"
            elif job.state == "running" or (job.state == "pending" and job.sync_phase not in ("start", False)):
                job.outcome = self.env._("%(step)s: %(done)s of %(total)s SKUs", step=phases.get(job.sync_phase),
                                         done=job.skus_done, total=job.skus_total)
            else:
                job.outcome = False

    @api.depends("error_data")
    @api.depends_context("lang", "tz")
    def _compute_error_html(self):
        for job in self:
            job.error_html = render_error_html(job.env, job.error_data)

    @api.depends("result", "error")
    @api.depends_context("lang")
    def _compute_result_summary(self):
        # the skip reasons are the change lines' decisions: their labels are translated with the selection
        labels = dict(self.env["marketplace.job.line"]._fields["decision"]._description_selection(self.env))
        for job in self:
            try:
                data = json.loads(job.result) if job.result else None
            except ValueError:
                data = None
            if not isinstance(data, dict):
                job.result_summary = False
                continue
            job.result_summary = self.env["ir.qweb"]._render("otd_marketplace_stock.job_result_summary", {
                "data": data, "labels": labels, "skip_reasons": list(SKIP_REASONS),
                "samples": data.get("samples") or {}, "skipped": data.get("skipped") or {},
            })

    # ------------------------------------------------------------------ buttons

    def action_run_now(self):
        """Run Now: run this pending or failed job at once, in this request.

        The form sends the state it shows (``expected_state``): a job that the runner
        took or finished meanwhile is not run again behind the user's back.
        """
        expected = self.env.context.get("expected_state")
        labels = dict(self._fields["state"]._description_selection(self.env))
        for job in self:
            if expected and job.state != expected:
                raise UserError(self.env._(
                    "%(job)s changed while this page was open: it is now %(state)s. The page shows its "
                    "result in a moment; there is nothing to run.", job=job.display_name,
                    state=labels[job.state]))
            job._run_in_request()
        return True

    def action_cancel(self):
        self._check_states(("pending", "failed"),
                           self.env._("Only pending or failed jobs can be cancelled (%s is %s)."))
        self._set_cancelled()
        return True

    def action_retry(self):
        self._check_states(("failed", "cancelled"),
                           self.env._("Only failed or cancelled jobs can be retried (%s is %s)."))
        self._set_requeued()
        return True

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("otd_marketplace_stock.action_marketplace_job_line")
        action["domain"] = [("job_id", "=", self.id)]
        action["context"] = {"search_default_group_decision": 1}
        return action

    def action_view_moves(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Stock Moves"),
            "res_model": "stock.move",
            "view_mode": "list,form",
            "views": [(self.env.ref("stock.view_move_tree").id, "list"), (False, "form")],
            "domain": self._moves_domain(),
        }

    def action_apply_preview(self):
        """Apply a finished preview with the quantities it read, when no stock moved
        at its location since; otherwise say so and let the user start a new pull."""
        self.ensure_one()
        self.check_access("read")
        if not (self.is_preview and self.state == "done"):
            raise UserError(self.env._("Only a finished preview can be applied."))
        moved = self.env["stock.move"].sudo().search_count([
            ("state", "=", "done"), ("date", ">", self.finished_at),
            "|", ("location_id", "child_of", self.sync_location_id.id),
            ("location_dest_id", "child_of", self.sync_location_id.id),
        ], limit=1)
        if moved:
            raise UserError(self.env._(
                "Stock moved at %s since this preview, so its quantities may no longer be right. "
                "Start a new pull (or a new preview) instead.", self.sync_location_id.display_name))
        if not self.sudo().page_ids:
            raise UserError(self.env._("This preview is too old to apply (its Zortout pages are no longer kept). "
                                       "Start a new pull or a new preview instead."))
        payload = dict(json.loads(self.payload or "{}"), dry_run=False)
        job = self.copy({"payload": json.dumps(payload), "name": self.name})
        # the copy takes the preview's kept pages (the settled rows included) and its sweep notes:
        # Zortout is not read again, and the zero guard checks the quantities before any is applied
        self.sudo().page_ids.copy({"job_id": job.id, "applied": False})
        notes = json.loads(self.sweep_notes or "{}")
        notes.update(settled=[], absent_done=len(notes.get("absent", ())))
        job.sudo().write({"sync_phase": "settle", "sync_location_id": self.sync_location_id.id,
                          "sync_warehouse_code": self.sync_warehouse_code, "pages_total": self.pages_total,
                          "pages_fetched": self.pages_fetched, "skus_total": self.skus_total,
                          "sweep_notes": json.dumps(notes),
                          "result": json.dumps(dict(json.loads(self.result), fetched=0, matched=0, updated=0,
                                                    unchanged=0, skipped={}, samples={}, dry_run=False,
                                                    negative_clamped=0, not_in_zortout=0, api_calls=0,
                                                    duration_s=0))})
        job._run_in_request()
        return job._action_open_form()

    def _check_states(self, states, message):
        """Raise ``message`` (with the job and its state) unless every job is in ``states``."""
        self.check_access("read")
        state_labels = dict(self._fields["state"]._description_selection(self.env))
        for job in self:
            if job.state not in states:
                raise UserError(message % (job.display_name, state_labels[job.state]))

    def _action_open_form(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def _moves_domain(self):
        return [("marketplace_job_id", "=", self.id)]

    # ------------------------------------------------------------------ state changes

    def _error_values(self, message=None, details=None):
        """The fields that keep an error: the message as data (shown in each reader's
        language) and in English (searched, logged); ``details`` is technical text."""
        if not message:
            return {"error": False, "error_data": False}
        english = render(self.with_context(lang="en_US").env, message)
        if details:
            english += f" Details: {details}"
        return {"error": english, "error_data": json.dumps({"message": message, "details": details or None})}

    def _set_running(self):
        # sudo: job state is written by the queue itself, also for users who only run jobs
        self.sudo().write({"state": "running", "started_at": fields.Datetime.now(), "finished_at": False,
                           "attempts": self.attempts + 1, **self._error_values()})

    def _set_done(self, result):
        now = fields.Datetime.now()
        self.sudo().write({"state": "done", "finished_at": now, **self._error_values()})
        if self._is_account_pull():
            self.account_id._record_sync_outcome("done", now, swept=self.skus_total, calls=result.api_calls)
        log_job_event(_logger, logging.INFO, self, "done", fetched=result.fetched, matched=result.matched,
                      updated=result.updated, unchanged=result.unchanged, skipped=result.skipped_total,
                      duration_s=result.duration_s, dry_run=result.dry_run)

    def _set_postponed(self):
        """The job's time is up between two steps: back in the queue at once, where
        it continues from its last finished step. A postponement is no failed try."""
        self.sudo().write({"state": "pending", "next_run_at": fields.Datetime.now(),
                           "attempts": max(self.attempts - 1, 0)})
        log_job_event(_logger, logging.INFO, self, "postponed", phase=self.sync_phase,
                      pages=f"{self.pages_fetched}/{self.pages_total}", skus=f"{self.skus_done}/{self.skus_total}")
        self._wake_runner()

    def _is_account_pull(self):
        """A full pull with the account's own settings: what the account's "Last Sync" tells of.
        A preview, a SKU list or another warehouse code given in the payload is not one."""
        try:
            payload = self._payload()
        except PayloadError:
            return False
        return not (payload.dry_run or payload.sku_list or payload.warehouse_code)

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
        self.sudo().page_ids.unlink()
        self.sudo().write({
            "state": "pending", "next_run_at": when, "finished_at": False, "sync_phase": "start",
            "attempts": max(self.attempts - 1, 0),
            **self._error_values([msg(_lt(
                "Zortout's daily limit of API calls for this store is reached. No stock was changed; the job "
                "runs again when the limit resets at midnight (Bangkok time), %(when)s."), when=at(when))]),
        })
        self.account_id._record_quota_spent(when)
        log_job_event(_logger, logging.WARNING, self, "quota", next_run_at=fields.Datetime.to_string(when))
        self._wake_runner(when)

    def _set_failed(self, message, details=None):
        now = fields.Datetime.now()
        self.sudo().write({"state": "failed", "finished_at": now, **self._error_values(message, details)})
        if self._is_account_pull():
            self.account_id._record_sync_outcome("failed", now)
        log_job_event(_logger, logging.ERROR, self, "failed", error=self.error,
                      attempt=f"{self.attempts}/{self.max_attempts}", details=details)

    def _set_cancelled(self):
        # sudo: Marketplace users may cancel jobs without having write access to them
        self.sudo().write({"state": "cancelled", "finished_at": fields.Datetime.now()})

    def _set_requeued(self, message=None):
        """Back to pending for a fresh set of attempts (Retry), or after a dead worker (``message``)."""
        values = {"state": "pending", "next_run_at": fields.Datetime.now(), "finished_at": False,
                  **self._error_values(message)}
        if not message:
            values["attempts"] = 0
        self.sudo().write(values)
        self._wake_runner()

    # ------------------------------------------------------------------ claiming

    def _claim_in_request(self):
        """Claim this job for a run in the current request (Run Now, Pull Stock).

        Takes the same per-account rule as the runner: the account's row is
        locked for the request and no other job of the account may be running.
        """
        self.ensure_one()
        self.check_access("read")
        if not try_lock_rows(self.env.cr, "marketplace_job", self.ids):
            raise UserError(self.env._("This job is already running."))
        self.invalidate_recordset()
        if self.state == "running":
            raise UserError(self.env._("This job is already running."))
        self._check_states(RUNNABLE_STATES, self.env._("Only pending or failed jobs can be run (%s is %s)."))
        self.account_id._lock_for_pull()
        other = self.search([("account_id", "=", self.account_id.id), ("state", "=", "running"),
                             ("id", "!=", self.id)], limit=1)
        if other:
            raise UserError(self.env._("%(job)s of the account %(account)s is running; wait for it to finish.",
                                       job=other.display_name, account=self.account_id.display_name))
        if self.state == "failed":
            # a person asking to run a failed job again gets a fresh set of attempts
            self.sudo().attempts = 0
        self.account_id._mark_sync_claimed()
        self._set_running()

    @api.model
    def _claim_next_job(self, commit=False):
        """Take the next due pending job whose account has no running job; mark it running.

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
        passed = []  # due jobs whose account is busy with a Pull Stock or another runner's claim
        for _candidate in range(CLAIM_CANDIDATES):
            # one row at a time: locking several would hide them from the other runners
            self.env.cr.execute("""
                SELECT job.id, job.account_id FROM marketplace_job job
                 WHERE state = 'pending' AND next_run_at <= %s AND job.id != ALL(%s)
                   -- one running job per account: two syncs of one store would fight over its stock
                   AND NOT EXISTS (SELECT 1 FROM marketplace_job other
                                    WHERE other.account_id = job.account_id AND other.state = 'running')
                 ORDER BY next_run_at, id
                 LIMIT 1
                   FOR UPDATE SKIP LOCKED
            """, [fields.Datetime.now(), passed], log_exceptions=False)
            row = self.env.cr.fetchone()
            if not row:
                break
            job_id, account_id = row
            if not try_lock_rows(self.env.cr, "marketplace_account", [account_id], skip_locked=True):
                passed.append(job_id)
                continue
            job = self.browse(job_id)
            job.invalidate_recordset()
            job.account_id._mark_sync_claimed()
            job._set_running()
            job.flush_recordset()
            return job
        return self.browse()

    # ------------------------------------------------------------------ running

    def _run_in_request(self, time_budget=None):
        """Claim and run in the caller's transaction (buttons, scheduled actions): never commits.

        The job works until it is done or ``time_budget`` seconds (default: the
        system parameter ``request_time_budget``) have passed; then it is
        postponed and the runner continues it from its last finished step.
        """
        self._claim_in_request()
        if time_budget is None:
            time_budget = param_value(self.env, PARAM_REQUEST_BUDGET)
        deadline = time.monotonic() + time_budget
        return self._execute(lambda: deadline - time.monotonic())

    def _execute(self, checkpoint, commit=False):
        """Run this job (already running) until done or until ``checkpoint()``, called
        after each step, says no time is left; record done, postponed, retry or failed.

        In a request (``commit`` False) the work runs in a savepoint: on any
        failure everything it wrote is rolled back before the failure is
        recorded. For the runner (``commit`` True) ``checkpoint`` commits each
        finished step; a failure rolls back to the last of them. Returns True
        when done.
        """
        self.ensure_one()
        run = getattr(self, f"_run_{self.job_type}")
        try:
            if commit:
                result = run(checkpoint)
                self._record_outcome(result)
            else:
                with self.env.cr.savepoint():
                    result = run(checkpoint)
                    self._record_outcome(result)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the job
            if commit:
                self.env.cr.rollback()
            self._record_failure(exc)
            return False
        return result is not None

    def _record_outcome(self, result):
        if result is None:
            self._set_postponed()
        else:
            self._set_done(result)

    def _run_sync_stock_from_zortout(self, checkpoint):
        """Steps of the stock sync until done (returns its SyncResult) or until the
        time is up (returns None)."""
        account = self.account_id
        with account._zortout_client(logger=JobClientLogger(logging.getLogger(CLIENT_LOGGER), self)) as client:
            engine = SyncEngine(self.with_company(account.company_id), client)
            while not engine.finished:
                engine.step()
                if engine.finished:
                    break
                if checkpoint() <= 0:
                    return None
            return engine.result

    def _payload(self):
        return parse_payload(self.payload)

    def _record_failure(self, exc):
        if isinstance(exc, zortout.ZortoutQuotaExceededError):
            self._set_waiting_for_quota(exc.resets_at)
            return
        error, details = self._error_message(exc)
        message = [error, self._kept_message()]
        if _is_transient(exc) and self.attempts < self.max_attempts:
            self._set_retry(message, details)
            return
        self._set_failed(message, details)
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
        if isinstance(exc, _CONCURRENCY_ERRORS):
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
    def _run_due_jobs(self, commit=True, limit=None, time_budget=RUNNER_STEP_BUDGET):
        """Recover stale jobs, clean old ones, then claim and run due jobs one at a time.

        With ``commit`` (the cron), the claim (state running) is committed
        before any HTTP call, so other workers skip the job, and each finished
        step is committed (``ir.cron._commit_progress``). The run stops when
        Odoo's cron window or ``time_budget`` seconds are spent: the job in hand
        is postponed and the cron, told that work remains, comes back at once.
        Without ``commit`` (tests, shell) nothing is committed and the same
        claim/run/record logic runs in the caller's transaction. Every claimed
        job does at least one step. Returns the jobs run.
        """
        deadline = time.monotonic() + time_budget

        def due_count():
            return self.search_count([("state", "=", "pending"), ("next_run_at", "<=", fields.Datetime.now())])

        def checkpoint(processed=1, remaining=1):
            left = deadline - time.monotonic()
            if commit:
                left = min(left, self.env["ir.cron"]._commit_progress(processed, remaining=remaining))
            return left

        self._recover_stale_jobs()
        self._cleanup_finished_jobs()
        if checkpoint(processed=0, remaining=due_count()) <= 0 and commit:
            return self.browse()
        ran = self.browse()
        while limit is None or len(ran) < limit:
            job = self._claim_next_job(commit=commit)
            if not job:
                break
            checkpoint(processed=0)
            job._execute(checkpoint, commit=commit)
            ran |= job
            # the cron is told how much is left, so that it comes back at once for a postponed job
            if checkpoint(processed=1, remaining=due_count()) <= 0:
                break
        return ran

    @api.model
    def _recover_stale_jobs(self):
        """Put back jobs left running by a dead worker; the lost run counted as one attempt.
        A running job without a start time cannot be timed: it counts as stale at once."""
        minutes = param_value(self.env, PARAM_RUNNING_TIMEOUT)
        limit = fields.Datetime.now() - timedelta(minutes=minutes)
        stale = self.search([("state", "=", "running"), "|", ("started_at", "<", limit), ("started_at", "=", False)])
        for job in stale:
            message = msg(_lt("The job was still running after %(minutes)s minutes (its worker probably stopped)."),
                          minutes=minutes)
            if job.attempts >= job.max_attempts:
                job._set_failed([message])
            else:
                job._set_requeued([message, msg(_lt("It was put back in the queue and continues from its last "
                                                    "finished step."))])
            log_job_event(_logger, logging.WARNING, job, "stale",
                          started_at=fields.Datetime.to_string(job.started_at) if job.started_at else "-",
                          attempt=f"{job.attempts}/{job.max_attempts}", state=job.state)
        return stale

    @api.model
    def _cleanup_finished_jobs(self):
        days = param_value(self.env, PARAM_KEEP_DAYS)
        old = self.search([("state", "in", ("done", "cancelled")),
                           ("finished_at", "<", fields.Datetime.now() - timedelta(days=days))])
        count = len(old)
        old.unlink()
        if count:
            _logger.info("zortout-sync removed %s finished jobs older than %s days", count, days)
        # a finished sync no longer needs its kept pages
        self.env["marketplace.job.page"].sudo().search([("job_id.state", "in", ("done", "cancelled")),
                                                        ("job_id.finished_at", "<", fields.Datetime.now()
                                                         - timedelta(days=1))]).unlink()
        return count


#: the database refused the sync's writes because another transaction changed the
#: same rows meanwhile (a person's inventory count, another sync): worth a new try
_CONCURRENCY_ERRORS = (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected,
                       psycopg2.errors.LockNotAvailable)


def _is_transient(exc):
    if isinstance(exc, zortout.ZortoutError):
        return exc.transient
    return isinstance(exc, _CONCURRENCY_ERRORS)

