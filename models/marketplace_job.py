"""The marketplace job queue: one record per unit of work, run by a cron or a button.

This file holds what a job is and what its buttons do. How a job is claimed and
run (Run Now, Pull Stock, the runner cron) is in marketplace_job_runner.py; its
named state changes and failure messages in marketplace_job_state.py.
"""

import json
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import format_datetime

from odoo.addons.otd_marketplace_stock.const import (
    JOB_ORIGINS,
    JOB_STATES,
    MANAGER_GROUP,
    PARAM_HAND_MADE_HOLD,
    PARAM_PAGE_MAX_AGE,
    SYNC_JOB_TYPE,
    SYNC_PHASES,
)
from odoo.addons.otd_marketplace_stock.job_types import job_type_of, registered
from odoo.addons.otd_marketplace_stock.services.sync_engine import begin_preview_sweep
from odoo.addons.otd_marketplace_stock.tools.job_message import (
    SyncUserError,
    render_error_html,
    safe_render,
    stored_json,
)
from odoo.addons.otd_marketplace_stock.tools.job_payload import PayloadError, parse_payload
from odoo.addons.otd_marketplace_stock.tools.params import param_value

#: what a person may set on a job: the fields of the Jobs form. Everything else (state,
#: attempts, times, result, error, where the sync stands, what it has read) is written by
#: the queue and the sync engine only, under sudo: the runner acts on it as superuser
USER_FIELDS = frozenset({"name", "job_type", "account_id", "payload", "next_run_at", "max_attempts"})

class MarketplaceJob(models.Model):
    _name = "marketplace.job"
    _description = "Marketplace Job"
    _order = "id desc"
    _rec_names_search = ["reference", "name"]

    reference = fields.Char(readonly=True, copy=False, default="/", index=True)
    name = fields.Char(required=True, default=lambda self: self.env._("Sync Stock from Zortout"))
    # the registered kinds (job_types/): a selection of the running code, so that a kind registered for a
    # while (a test's) leaves nothing in the database; _check_job_type refuses an unknown one
    job_type = fields.Selection("_job_type_selection", "Job Type", required=True, default=SYNC_JOB_TYPE)
    account_id = fields.Many2one("marketplace.account", "Account", required=True, ondelete="cascade",
                                 index=True, default=lambda self: self._default_account())
    # no column default: the jobs of earlier versions stay without one instead of all reading "Hand-made"
    origin = fields.Selection(JOB_ORIGINS, "Origin", readonly=True, copy=False,
                              help="What started the job: the schedule, the Pull Stock or Preview button, a job "
                                   "made by hand, an instant sync, or a preview applied.")
    applied_from_id = fields.Many2one("marketplace.job", "Applied From Preview", readonly=True, copy=False,
                                      index="btree_not_null", ondelete="set null",
                                      help="The preview whose quantities this job applied.")
    applied_job_ids = fields.One2many("marketplace.job", "applied_from_id", "Applied By", readonly=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    payload = fields.Text(default="{}", help='JSON object, all keys optional: "warehouse_code" (text), '
                                             '"sku_list" (list of SKUs), "force" (true/false), '
                                             '"dry_run" (true/false: a preview that writes no stock).')
    # a job is born pending; only the queue's own state changes move it (see _set_*)
    state = fields.Selection(JOB_STATES, required=True, default="pending", index=True, copy=False,
                             readonly=True)
    next_run_at = fields.Datetime("Next Run At", default=fields.Datetime.now, index=True, copy=False,
                                  help="When the runner may take the job. A job saved from the Jobs form waits a "
                                       "moment for Run Now first (the system parameter "
                                       "otd_marketplace_stock.hand_made_job_hold_seconds), so saving may move this "
                                       "time a little later.")
    next_run_note = fields.Char("Next Run Note", compute="_compute_next_run_note")
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
    sync_targets = fields.Text(readonly=True, copy=False)  # the sweeps: one per Zortout warehouse
    sync_target_index = fields.Integer("Sweep", readonly=True, copy=False)
    sync_location_id = fields.Many2one("stock.location", "Target Location", readonly=True, copy=False)
    sync_warehouse_code = fields.Char("Warehouse Code Used", readonly=True, copy=False)
    sweep_notes = fields.Text(readonly=True, copy=False)
    pages_total = fields.Integer("Pages", readonly=True, copy=False)
    pages_fetched = fields.Integer("Pages Read", readonly=True, copy=False)
    skus_total = fields.Integer("SKUs", readonly=True, copy=False)
    skus_done = fields.Integer("SKUs Applied", readonly=True, copy=False)
    # where the last run stood when its time ran out (see _set_out_of_time)
    out_of_time_mark = fields.Char(readonly=True, copy=False)
    page_ids = fields.One2many("marketplace.job.page", "job_id", "Kept Pages")
    line_ids = fields.One2many("marketplace.job.line", "job_id", "Changes")
    line_count = fields.Integer("Change Lines", compute="_compute_line_count")
    move_count = fields.Integer("Stock Moves", compute="_compute_move_count")
    is_preview = fields.Boolean("Preview", compute="_compute_is_preview")
    outcome = fields.Char("Outcome", compute="_compute_outcome")
    duration = fields.Float("Duration (s)", compute="_compute_outcome", digits=(12, 2), aggregator=None)
    # the progress block: every warehouse of the job, and its step in a preview's words
    sweep_count = fields.Integer("Warehouses Swept", compute="_compute_sweeps")
    sweeps_display = fields.Char("Zortout Warehouses", compute="_compute_sweeps",
                                 help="Each Zortout warehouse the job sweeps and the Odoo location it fills, in order.")
    step_display = fields.Char("Step", compute="_compute_sweeps")

    _max_attempts_positive = models.Constraint("CHECK(max_attempts > 0)", "Max Attempts must be at least 1.")

    # ------------------------------------------------------------------ ORM

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                # the users' guide fills in State: Pending; a job is born pending anyway
                if vals.get("state") == "pending":
                    vals = dict(vals)
                    del vals["state"]
                self._check_user_fields(vals)
            # nor through defaults given in the context (default_sync_location_id...): a whole new context,
            # since keyword arguments of with_context can add keys but not take them out
            # pylint: disable-next=context-overridden
            self = self.with_context({key: value for key, value in self.env.context.items()
                                      if not key.startswith("default_") or key[8:] in USER_FIELDS})
        for vals in vals_list:
            # made by hand (the Jobs form, a script) unless the code that made it says otherwise
            vals.setdefault("origin", "hand_made")
            # a job is always born pending: a "running" job without a worker would block its account
            vals["state"] = "pending"
            if self.env.context.get("marketplace_job_hand_made"):
                # saved from the Jobs form: the user's next step is Run Now (the guide says so),
                # so the runner leaves the job alone for a moment instead of racing the button
                hold = fields.Datetime.now() + timedelta(seconds=param_value(self.env, PARAM_HAND_MADE_HOLD))
                given = fields.Datetime.to_datetime(vals.get("next_run_at")) or hold
                vals["next_run_at"] = max(given, hold)
        jobs = super().create(vals_list)
        # the job's number is taken once the job is stored (its checks passed): a refused save uses none
        sequence = self.env["ir.sequence"].sudo()
        for job in jobs.filtered(lambda job: job.reference in ("/", False)):
            job.sudo().reference = sequence.next_by_code("marketplace.job") or "/"
        for when in set(jobs.mapped("next_run_at")):
            jobs._wake_runner(when)
        return jobs

    def write(self, vals):
        if not self.env.su:
            self._check_user_fields(vals)
        return super().write(vals)

    @api.model
    def _default_account(self):
        """The company's account when it has exactly one (a new job then names it already)."""
        accounts = self.env["marketplace.account"].search([("company_id", "in", [self.env.company.id, False])],
                                                          limit=2)
        return accounts if len(accounts) == 1 else False

    def _check_user_fields(self, vals):
        """Refuse values a person may not give (over RPC, an import...): the job's state is the
        engine's. Named in the message, so that a script's author knows what to leave out."""
        refused = sorted(set(vals) - USER_FIELDS)
        if refused:
            raise AccessError(self.env._(
                "Only the job queue sets %(fields)s of a job. A job takes a name, a job type, an account, a "
                "payload, a next run time and a number of attempts; leave the other fields out.",
                fields=", ".join(refused)))

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
        counts = dict(self.env["stock.move"]._read_group(
            [("marketplace_job_id", "in", self.ids)], ["marketplace_job_id"], ["__count"]))
        for job in self:
            job.move_count = counts.get(job, 0)

    @api.depends("payload")
    def _compute_is_preview(self):
        for job in self:
            try:
                job.is_preview = parse_payload(job.payload).dry_run
            except PayloadError:
                job.is_preview = False

    @api.constrains("payload", "account_id")
    def _check_payload(self):
        for job in self:
            try:
                payload = parse_payload(job.payload)
            except PayloadError as exc:
                raise ValidationError(self._payload_error_message(exc)) from None
            if payload.warehouse_code and job.account_id:
                try:
                    # the same check (and message) as the run's: a code the account does not map has no location
                    job.account_id._zortout_sync_targets(payload.warehouse_code)
                except SyncUserError as exc:
                    raise ValidationError(exc.args[0]) from None
            # constraints run as superuser: ask the real user (the runner's is the superuser)
            user = self.env.user
            if payload.force and not (user._is_superuser() or user.has_group(MANAGER_GROUP)):
                raise ValidationError(self.env._(
                    'Only a Marketplace Administrator may run a job with "force": true (it lets a sweep that '
                    "empties most of the stock through the zero guard)."))

    @api.depends("state", "result", "error_data", "sync_phase", "started_at", "finished_at")
    @api.depends_context("lang")
    def _compute_outcome(self):
        """One line for the Jobs list: what happened, or what is wrong, or where it stands.
        Whatever a stored value holds, the line is made without raising (the list shows it)."""
        phases = dict(self._fields["sync_phase"]._description_selection(self.env))
        for job in self:
            data = stored_json(job.result)
            error = stored_json(job.error_data)
            # the times are kept to the second: a job of 0.4 s would read 0.0 s; its result measured it
            measured = data.get("duration_s") if data else None
            if isinstance(measured, (int, float)) and not isinstance(measured, bool) and job.state == "done":
                job.duration = measured
            else:
                job.duration = (job.finished_at - job.started_at).total_seconds() \
                    if job.finished_at and job.started_at else 0.0
            if job.state == "done" and data and job._job_kind():
                job.outcome = job._job_kind().outcome(job, data)
            elif error:
                text = safe_render(job.env, error.get("message")) or job.error or ""
                job.outcome = text if len(text) <= 90 else text[:89] + "…"
            elif job.state == "running" or (job.state == "pending" and job.sync_phase not in ("start", False)):
                # a preview's step in its own words ("Comparing with Odoo"), and which warehouse of several
                job.outcome = self.env._("%(step)s: %(done)s of %(total)s SKUs",
                                         step=job.step_display or phases.get(job.sync_phase),
                                         done=job.skus_done, total=job.skus_total)
            else:
                job.outcome = False

    @api.depends("origin", "state")
    @api.depends_context("lang")
    def _compute_next_run_note(self):
        hold = param_value(self.env, PARAM_HAND_MADE_HOLD)
        for job in self:
            hand_made = job.origin == "hand_made" if job.id else self.env.context.get("marketplace_job_hand_made")
            if hand_made and job.state == "pending" and hold:
                job.next_run_note = self.env._(
                    "A job saved here waits %(seconds)s seconds for Run Now before the runner takes it: saving moves "
                    "Next Run At to at least that moment.", seconds=hold)
            else:
                job.next_run_note = False

    @api.depends("sync_targets", "sync_phase", "sync_target_index", "payload")
    @api.depends_context("lang")
    def _compute_sweeps(self):
        phases = dict(self._fields["sync_phase"]._description_selection(self.env))
        for job in self:
            try:
                targets = json.loads(job.sync_targets or "[]")
                job.sweeps_display = ", ".join(
                    f"{target.get('code') or self.env._('store-wide')} → {target.get('location') or ''}"
                    for target in targets) or False
                job.sweep_count = len(targets)
            except (ValueError, TypeError, AttributeError):
                job.sweeps_display, job.sweep_count = False, 0
            step = phases.get(job.sync_phase) or False
            if job.is_preview and job.sync_phase == "apply":
                # a preview writes no stock: it compares what Zortout says with Odoo
                step = self.env._("Comparing with Odoo (no stock is changed)")
            if step and job.sweep_count > 1 and job.sync_phase not in ("start", "done"):
                step = self.env._("%(step)s (warehouse %(index)s of %(count)s)", step=step,
                                  index=job.sync_target_index + 1, count=job.sweep_count)
            job.step_display = step

    @api.depends("error_data")
    @api.depends_context("lang", "tz")
    def _compute_error_html(self):
        for job in self:
            try:
                job.error_html = render_error_html(job.env, stored_json(job.error_data))
            except Exception:  # noqa: BLE001 - an unreadable stored error still shows as text
                job.error_html = Markup("<p>%s</p>") % (job.error or "")

    @api.depends("result", "error")
    @api.depends_context("lang")
    def _compute_result_summary(self):
        for job in self:
            data = stored_json(job.result)
            job.result_summary = job._job_kind().summary(job, data) if data and job._job_kind() else False

    # ------------------------------------------------------------------ job types

    @api.model
    def _job_type_selection(self):
        return [(kind.code, self.env._(kind.label)) for kind in registered()]

    def _job_kind(self):
        """The job's kind (job_types/): what its work, its result and its outcome line are."""
        return job_type_of(self.job_type)

    @api.constrains("job_type")
    def _check_job_type(self):
        for job in self:
            if not job._job_kind():
                raise ValidationError(self.env._("%(type)s is not a job type this version of the addon runs.",
                                                 type=job.job_type))

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
                           self.env._("Only pending or failed jobs can be cancelled (%(job)s is %(state)s)."))
        self._set_cancelled()
        return True

    def action_retry(self):
        self._check_states(("failed", "cancelled"),
                           self.env._("Only failed or cancelled jobs can be retried (%(job)s is %(state)s)."))
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
        """Apply a finished preview with the quantities it read, each Zortout warehouse it
        read into its own location, when no stock moved at those locations since; otherwise
        say so and let the user start a new pull.

        The new job takes the preview's kept pages (the settled rows included, each with the
        time it was read): Zortout's product list is not read again. Each sweep starts at the
        check step, so that the zero guard looks at the quantities it applies (a preview's own
        check counts no zeros), and each row is applied only if no newer reading was applied
        since (rule 12). A warehouse that the preview could not read is not applied."""
        self.ensure_one()
        self.check_access("read")
        if not (self.is_preview and self.state == "done"):
            raise UserError(self.env._("Only a finished preview can be applied."))
        if not self.sync_targets:
            raise UserError(self.env._("This preview was made by an earlier version of the addon and cannot be "
                                       "applied. Start a new pull or a new preview instead."))
        targets = json.loads(self.sync_targets)
        entries = (stored_json(self.result) or {}).get("warehouses") or []
        # the sweeps the preview read (an earlier version kept no entry per warehouse)
        done = [index for index, entry in enumerate(entries) if entry.get("state") != "failed"] \
            if len(entries) == len(targets) else list(range(len(targets)))
        Location = self.env["stock.location"].sudo()
        moved = [Location.browse(targets[index]["location_id"]) for index in done
                 if self.env["stock.move"].sudo().search_count([
                     ("state", "=", "done"), ("date", ">", self.finished_at),
                     "|", ("location_id", "child_of", targets[index]["location_id"]),
                     ("location_dest_id", "child_of", targets[index]["location_id"])], limit=1)]
        if moved:
            raise UserError(self.env._(
                "Stock moved at %s since this preview, so its quantities may no longer be right. "
                "Start a new pull (or a new preview) instead.", ", ".join(moved_location.display_name
                                                                       for moved_location in moved)))
        pages = self.sudo().page_ids
        if not pages:
            raise UserError(self.env._("This preview is too old to apply (its Zortout pages are no longer kept). "
                                       "Start a new pull or a new preview instead."))
        max_age = param_value(self.env, PARAM_PAGE_MAX_AGE)
        # the oldest warehouse decides: each of them must have been read within the limit
        read_at = min(max(pages.filtered(lambda page, index=index: page.sweep == index).mapped("read_at"),
                          default=fields.Datetime.now()) for index in done)
        if fields.Datetime.now() - read_at > timedelta(minutes=max_age):
            raise UserError(self.env._(
                "This preview read Zortout at %(when)s, more than %(minutes)s minutes ago: its quantities may no "
                "longer be Zortout's. Start a new preview (or Pull Stock) instead.",
                when=format_datetime(self.env, read_at, dt_format="short"), minutes=max_age))
        payload = dict(json.loads(self.payload or "{}"), dry_run=False)
        job = self.copy({"payload": json.dumps(payload), "name": self.name})
        kept = [dict(targets[index], from_preview=True) for index in done]
        for new_index, index in enumerate(done):
            pages.filtered(lambda page, index=index: page.sweep == index).copy(
                {"job_id": job.id, "applied": False, "sweep": new_index})
        base = dict(stored_json(self.result) or {}, fetched=0, matched=0, updated=0, unchanged=0, skipped={},
                    samples={}, dry_run=False, negative_clamped=0, not_in_zortout=0, count_mismatch=0, api_calls=0,
                    duration_s=0, warehouses=[],
                    warehouse_code=", ".join(target["code"] for target in kept if target["code"]) or None,
                    location=", ".join(target["location"] for target in kept))
        job.sudo().write({"origin": "preview_applied", "applied_from_id": self.id, "sync_targets": json.dumps(kept),
                          "result": json.dumps(base), "pages_fetched": 0, "pages_total": 0, "skus_total": 0,
                          "skus_done": 0})
        begin_preview_sweep(job, 0, base)  # its pages are fresh: checked above
        job._run_in_request()
        return job._action_open_form()

    def _check_states(self, states, message):
        """Raise ``message`` (its %(job)s and %(state)s filled in) unless every job is in ``states``."""
        self.check_access("read")
        state_labels = dict(self._fields["state"]._description_selection(self.env))
        for job in self:
            if job.state not in states:
                raise UserError(message % {"job": job.display_name, "state": state_labels[job.state]})

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

    def _payload(self):
        return parse_payload(self.payload)

    def _wake_runner(self, at=None):
        """Ask a runner to come at ``at`` (default: now) instead of at its next minute.

        Each job wakes one of the runner scheduled actions, chosen by its id, so that
        queued jobs spread over the runners and several cron workers (of one server
        or of several) pull in parallel.
        """
        runners = self._runner_crons()
        for runner in {runners[job.id % len(runners)] for job in self} if runners else ():
            runner._trigger(at)

    @api.model
    def _runner_crons(self):
        """The active runner scheduled actions (``model._cron_run_jobs()``), in a stable order."""
        return self.env["ir.cron"].sudo().search([
            ("model_id.model", "=", self._name), ("code", "=", "model._cron_run_jobs()")], order="id")
