"""Claiming and running jobs: Run Now and Pull Stock in a request, and the runner cron.

Every way in claims the job (``_claim_in_request`` or ``_claim_next_job``, both
keeping one running sync per account), then runs it with ``_execute``, which
does the job's steps until it is done or its time is up and records the
outcome through the named state changes (models/marketplace_job_state.py).
Only the runner commits: after each step, through ``ir.cron._commit_progress``.
"""

import logging
import time
from datetime import timedelta

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base.models.ir_cron import MIN_TIME_PER_JOB
from odoo.addons.otd_marketplace_stock.const import (
    CLAIM_CANDIDATES,
    CLAIM_RETRIES,
    CLIENT_LOGGER,
    PARAM_KEEP_DAYS,
    PARAM_PAGE_MAX_AGE,
    PARAM_REQUEST_BUDGET,
    PARAM_RUNNING_TIMEOUT,
    RUNNABLE_STATES,
    RUNNER_STEP_BUDGET,
    STEP_CONFLICT_RETRIES,
)
from odoo.addons.otd_marketplace_stock.services.joblog import JobClientLogger, log_job_event
from odoo.addons.otd_marketplace_stock.tools.job_message import _lt, msg
from odoo.addons.otd_marketplace_stock.tools.params import param_value
from odoo.addons.otd_marketplace_stock.tools.row_lock import try_lock_rows
from odoo.addons.otd_marketplace_stock.tools.run_lock import hold_run_lock, release_run_lock, run_lock_is_free
from odoo.addons.otd_marketplace_stock.tools.time_limits import run_started_at, step_deadline

from .marketplace_job_state import CONCURRENCY_ERRORS

_logger = logging.getLogger(__name__)


class MarketplaceJobRunner(models.Model):
    _inherit = "marketplace.job"

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
        self._check_states(RUNNABLE_STATES,
                           self.env._("Only pending or failed jobs can be run (%(job)s is %(state)s)."))
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
                   -- an archived account's jobs are cancelled, never run (_cancel_jobs_of_archived_accounts)
                   AND EXISTS (SELECT 1 FROM marketplace_account account
                                WHERE account.id = job.account_id AND account.active)
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
            if not hold_run_lock(self.env.cr, job_id):
                # a runner of the old kind still holds it, or a recovery is looking at it this instant
                passed.append(job_id)
                continue
            job.account_id._mark_sync_claimed()
            job._set_running()
            job.flush_recordset()
            return job
        return self.browse()

    # ------------------------------------------------------------------ running

    def _run_in_request(self, time_budget=None, time_limit=None):
        """Claim and run in the caller's transaction (buttons, scheduled actions): never commits.

        The job works until it is done or ``time_budget`` seconds (default: the
        system parameter ``request_time_budget``) have passed; then it is
        postponed and the runner continues it from its last finished step. No
        step outlasts the request's real-time limit (``time_limit``, default
        Odoo's ``limit_time_real``): see tools/time_limits.py.
        """
        self._claim_in_request()
        if time_budget is None:
            time_budget = param_value(self.env, PARAM_REQUEST_BUDGET)
        deadline = time.monotonic() + time_budget
        steps_end_by = step_deadline("http", limit=time_limit)
        if steps_end_by is not None:
            deadline = min(deadline, steps_end_by)
        return self._execute(lambda: deadline - time.monotonic(), step_deadline=steps_end_by)

    def _execute(self, checkpoint, commit=False, step_deadline=None):
        """Run this job (already running) until done or until ``checkpoint()``, called
        after each step, says no time is left; record done, postponed, retry or failed.
        A step still waiting for Zortout at ``step_deadline`` (``time.monotonic()``)
        stops there, and the job goes on later from its last finished step.

        In a request (``commit`` False) the work runs in a savepoint: on any
        failure everything it wrote is rolled back before the failure is
        recorded. For the runner (``commit`` True) ``checkpoint`` commits each
        finished step; a failure rolls back to the last of them. Returns True
        when done.
        """
        self.ensure_one()
        # the runner may take a step again on a fresh snapshot; a request has only the one it began with
        run = self.with_context(marketplace_fresh_snapshots=commit)._run_steps
        try:
            if commit:
                result = run(checkpoint, step_deadline)
                self._record_outcome(result)
            else:
                with self.env.cr.savepoint():
                    result = run(checkpoint, step_deadline)
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

    def _run_steps(self, checkpoint, step_deadline=None):
        """The job's steps (its kind's work: job_types/) until done (returns its result) or
        until the time is up (returns None). Zortout's answers are awaited until ``step_deadline``."""
        self._check_job_type()  # a job of a type this version does not run fails, saying so
        kind = self._job_kind()
        logger = JobClientLogger(logging.getLogger(CLIENT_LOGGER), self)
        with self.account_id._zortout_client(logger=logger, deadline=step_deadline) as client:
            work = kind.start(self, client)
            conflicts = 0
            while not work.finished:
                try:
                    work.step()
                except CONCURRENCY_ERRORS:
                    if not self.env.context.get("marketplace_fresh_snapshots") or conflicts >= STEP_CONFLICT_RETRIES:
                        raise  # recorded as a postponement: no attempt is lost (_record_failure)
                    # another transaction changed the same rows meanwhile (a picking validated): the
                    # step again at once, on a fresh snapshot, from the last committed step
                    conflicts += 1
                    self.env.cr.rollback()
                    self.env.invalidate_all()
                    log_job_event(_logger, logging.INFO, self, "conflict", phase=self.sync_phase, again=conflicts)
                    work = kind.start(self, client)
                    continue
                if work.finished:
                    break
                if checkpoint() <= 0:
                    return None
            return work.result

    # ------------------------------------------------------------------ runner cron

    @api.model
    def _cron_run_jobs(self):
        """Marketplace: run pending jobs (ir.cron, every minute and on trigger)."""
        return self._run_due_jobs(commit=True)

    @api.model
    def _run_due_jobs(self, commit=True, limit=None, time_budget=RUNNER_STEP_BUDGET, time_limit=None):
        """Recover stale jobs, clean old ones, then claim and run due jobs one at a time.

        With ``commit`` (the cron), the claim (state running) is committed
        before any HTTP call, so other workers skip the job, and each finished
        step is committed (``ir.cron._commit_progress``). The run stops when
        Odoo's cron window or ``time_budget`` seconds are spent: the job in hand
        is postponed and the cron, told that work remains, comes back at once.
        Without ``commit`` (tests, shell) nothing is committed and the same
        claim/run/record logic runs in the caller's transaction. Every claimed
        job does at least one step. No step outlasts the cron worker's real-time
        limit (``time_limit``, default Odoo's ``limit_time_real_cron``), counted
        from the start of the cron pass. Returns the jobs run.
        """
        deadline = time.monotonic() + time_budget
        steps_end_by = step_deadline("cron", started=self._cron_pass_started_at(), limit=time_limit)
        if steps_end_by is not None:
            deadline = min(deadline, steps_end_by)

        def due_count():
            return self.search_count([("state", "=", "pending"), ("next_run_at", "<=", fields.Datetime.now())])

        def checkpoint(processed=1, remaining=1):
            left = deadline - time.monotonic()
            if commit:
                left = min(left, self.env["ir.cron"]._commit_progress(processed, remaining=remaining))
            return left

        self._recover_stale_jobs()
        self._cancel_jobs_of_archived_accounts()
        self._cleanup_finished_jobs()
        if checkpoint(processed=0, remaining=due_count()) <= 0 and commit:
            return self.browse()
        ran = self.browse()
        while limit is None or len(ran) < limit:
            job = self._claim_next_job(commit=commit)
            if not job:
                break
            try:
                checkpoint(processed=0)
                # nobody watches a runner's job: its problems are told to the account's Responsible
                job.with_context(marketplace_unattended=True)._execute(checkpoint, commit=commit,
                                                                      step_deadline=steps_end_by)
            finally:
                # the claim took it (see _claim_next_job_once); a dead worker's goes with its connection
                release_run_lock(self.env.cr, job.id)
            ran |= job
            # the cron is told how much is left, so that it comes back at once for a postponed job
            if checkpoint(processed=1, remaining=due_count()) <= 0:
                break
        return ran

    @api.model
    def _cron_pass_started_at(self):
        """When Odoo began this cron pass (``time.monotonic()``): the earliest of what the
        thread and the cron's context tell (Odoo may call the runner several times in one pass)."""
        started = run_started_at()
        cron_end_time = self.env.context.get("cron_end_time")
        if cron_end_time:
            started = min(started, cron_end_time - MIN_TIME_PER_JOB)
        return started

    @api.model
    def _recover_stale_jobs(self):
        """Put back jobs left running by a dead worker; the lost run counted as one attempt.

        A runner holds a lock on the job it runs for as long as its database connection
        lives (tools/run_lock.py): a running job whose lock is free lost its worker, and
        is put back at once. The running-time limit stays as the last resort, for a
        worker that hangs while alive; a running job without a start time counts as
        stale at once."""
        minutes = param_value(self.env, PARAM_RUNNING_TIMEOUT)
        limit = fields.Datetime.now() - timedelta(minutes=minutes)
        running = self.search([("state", "=", "running")])
        recovered = self.browse()
        for job in running:
            if run_lock_is_free(self.env.cr, job.id):
                message = msg(_lt("The worker running the job stopped (killed, out of memory or restarted)."))
                event = "dead"
            elif not job.started_at or job.started_at < limit:
                message = msg(_lt("The job was still running after %(minutes)s minutes (its worker probably "
                                  "stopped)."), minutes=minutes)
                event = "stale"
            else:
                continue
            # its runner may have finished it since this transaction began (the lock is released
            # after the commit): then the row is not ours to lock, and there is nothing to take back
            if not try_lock_rows(self.env.cr, "marketplace_job", job.ids):
                continue
            job._take_back(message)
            recovered |= job
            log_job_event(_logger, logging.WARNING, job, event,
                          started_at=fields.Datetime.to_string(job.started_at) if job.started_at else "-",
                          attempt=f"{job.attempts}/{job.max_attempts}", state=job.state)
        return recovered

    def _take_back(self, message):
        """A running job that lost its run: back in the queue, or failed when its attempts are spent."""
        if self.attempts >= self.max_attempts:
            self._set_failed([message])
            self.account_id._alert("sync_failed", [message], job=self)
        else:
            self._set_requeued([message, msg(_lt("It was put back in the queue and continues from its last "
                                                 "finished step."))])

    @api.model
    def _cleanup_finished_jobs(self):
        """Remove what nobody needs any more, so that months of unattended pulls stay bounded:
        done, cancelled and failed jobs older than ``job_keep_days``, with their change lines (the
        stock moves they made stay in Odoo's history, named after the job); and the kept pages of
        finished jobs once they are too old to be used (a preview's by Apply This Preview, a failed
        job's by Retry: ``kept_page_max_age_minutes``). A done pull drops its pages at once
        (_set_done)."""
        days = param_value(self.env, PARAM_KEEP_DAYS)
        old = self.search([("state", "in", ("done", "cancelled", "failed")),
                           ("finished_at", "<", fields.Datetime.now() - timedelta(days=days))])
        count = len(old)
        old.unlink()
        if count:
            _logger.info("zortout-sync removed %s finished jobs older than %s days", count, days)
        too_old = fields.Datetime.now() - timedelta(minutes=param_value(self.env, PARAM_PAGE_MAX_AGE))
        self.env["marketplace.job.page"].flush_model()
        self.env.cr.execute("""
            DELETE FROM marketplace_job_page page USING marketplace_job job
             WHERE job.id = page.job_id AND job.state IN ('done', 'cancelled', 'failed') AND job.finished_at < %s
        """, [too_old])
        self.env["marketplace.job.page"].invalidate_model()
        return count

    @api.model
    def _cancel_jobs_of_archived_accounts(self):
        """An archived account pulls nothing: its queued jobs are cancelled, saying why."""
        jobs = self.with_context(active_test=False).search([("state", "=", "pending"),
                                                            ("account_id.active", "=", False)])
        for job in jobs:
            job._set_cancelled(msg(_lt("The account %(account)s is archived, so the job was cancelled. Unarchive "
                                       "the account to pull its stock again."), account=job.account_id.display_name))
            log_job_event(_logger, logging.WARNING, job, "cancelled", reason="account_archived")
        return jobs
