import json
import logging
import math
from datetime import datetime, timedelta, timezone

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.otd_marketplace_stock import zortout
from odoo.addons.otd_marketplace_stock.const import (
    CLIENT_LOGGER,
    FULL_PULL_ORIGINS,
    INSTANT_JOB_TYPE,
    JOB_STATES,
    MANAGER_GROUP,
    PARAM_BASE_URL,
    PARAM_DAILY_CALL_LIMIT,
    PARAM_READ_TIMEOUT,
    PARAM_REQUEST_MAX_SKUS,
    SYNC_JOB_TYPE,
    SYNC_PHASES,
)
from odoo.addons.otd_marketplace_stock.services.base_url import base_url_problem
from odoo.addons.otd_marketplace_stock.tools.job_message import SyncUserError, _lt, msg
from odoo.addons.otd_marketplace_stock.tools.params import param_value
from odoo.addons.otd_marketplace_stock.tools.row_lock import try_lock_rows
from odoo.addons.otd_marketplace_stock.tools.time_limits import step_deadline

_logger = logging.getLogger(__name__)


class MarketplaceAccount(models.Model):
    _name = "marketplace.account"
    _description = "Marketplace Account"
    _inherit = ["mail.thread"]
    _order = "name, id"
    _check_company_auto = True

    # ------------------------------------------------------------------ fields

    name = fields.Char(required=True, tracking=True)
    platform = fields.Selection([("zortout", "Zortout")], required=True, default="zortout", tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company,
                                 tracking=True, index=True)
    sync_enabled = fields.Boolean("Sync Enabled", default=True, tracking=True)
    store_name = fields.Char("Store Name", tracking=True)
    # secrets: readable only by Marketplace administrators, never copied, never tracked
    api_key = fields.Char("API Key", copy=False, groups=MANAGER_GROUP)
    api_secret = fields.Char("API Secret", copy=False, groups=MANAGER_GROUP)
    stock_location_id = fields.Many2one(
        "stock.location", "Stock Location", tracking=True, check_company=True,
        domain="[('usage', '=', 'internal'), ('company_id', 'in', [company_id, False])]",
        help="Where the store-wide totals are applied, and the location a new warehouse mapping starts with. "
             "Empty: the stock location of the company's first warehouse.")
    quantity_source = fields.Selection(
        [("availablestock", "Available Stock"), ("stock", "On Hand Stock")], "Quantity Source",
        required=True, default="availablestock", tracking=True,
        help="Available Stock: Zortout's sellable quantity (on hand minus reservations). On Hand Stock: the "
             "physical quantity.")
    pull_interval = fields.Integer(
        "Pull Interval", default=0, tracking=True,
        help="Minutes between automatic stock pulls; 0 = no automatic pull.")
    last_sync_at = fields.Datetime("Last Sync", readonly=True, copy=False)
    next_pull_at = fields.Datetime(
        "Next Pull", compute="_compute_next_pull_at",
        help="When the scheduled action pulls this account next: Pull Interval minutes after its last pull (or "
             "its last stock pull job), or when Zortout's daily limit of API calls resets if it is spent. Empty: no "
             "automatic pull (Pull Interval 0, or Sync Enabled off).")
    last_sync_state = fields.Selection([("done", "Done"), ("failed", "Failed")], "Last Sync State",
                                       readonly=True, copy=False)
    job_ids = fields.One2many("marketplace.job", "account_id", "Jobs")
    job_count = fields.Integer(compute="_compute_job_count")
    # when a sync of this account was last claimed: every claim writes it, so that two
    # claims of one account at once cannot both pass (see marketplace.job._claim_*)
    sync_claimed_at = fields.Datetime("Sync Claimed At", readonly=True, copy=False)
    quota_resets_at = fields.Datetime(
        "Daily Limit Resets At", readonly=True, copy=False,
        help="Zortout refused a call because the store's daily limit of API calls was reached; scheduled "
             "pulls of the store wait until this time.")
    last_sweep_calls = fields.Integer("API Calls of the Last Full Pull", readonly=True, copy=False)
    # set when Zortout refuses the credentials, cleared by a pull that works or by new credentials:
    # meanwhile instant sync queues nothing (every job would fail the same way)
    credentials_refused = fields.Boolean("Zortout Refused the Credentials", readonly=True, copy=False)
    daily_calls_estimate = fields.Integer(
        "API Calls a Day", compute="_compute_daily_calls",
        help="What the scheduled pulls of this account cost a day (from the calls of its last full pull), and "
             "its instant syncs at today's pace (each reads its SKUs in every mapped warehouse).")
    quota_warning = fields.Char(compute="_compute_daily_calls")
    last_sweep_skus = fields.Integer(
        "SKUs in Last Full Pull", readonly=True, copy=False,
        help="Rows of the last complete full sweep; Pull Stock queues the job instead of running it in the "
             "request when this is large.")
    # the pull in progress, for the form's live progress (computed, never stored)
    sync_job_id = fields.Many2one("marketplace.job", "Current Pull", compute="_compute_sync_job")
    sync_job_state = fields.Selection(JOB_STATES, "Current Pull State", compute="_compute_sync_job")
    sync_job_phase = fields.Selection(SYNC_PHASES, "Current Pull Step", compute="_compute_sync_job")
    sync_pages_fetched = fields.Integer("Pages Read", compute="_compute_sync_job")
    sync_pages_total = fields.Integer("Pages", compute="_compute_sync_job")
    sync_skus_done = fields.Integer("SKUs Applied", compute="_compute_sync_job")
    sync_skus_total = fields.Integer("SKUs", compute="_compute_sync_job")

    _pull_interval_positive = models.Constraint(
        "CHECK(pull_interval >= 0)", "The pull interval cannot be negative.")

    def write(self, vals):
        if {"store_name", "api_key", "api_secret"} & set(vals):
            vals = dict(vals, credentials_refused=False)  # new credentials: worth a try again
        return super().write(vals)

    def _compute_sync_job(self):
        for account in self:
            job = account._open_sync_job() if account.id else self.env["marketplace.job"]
            account.sync_job_id = job
            account.sync_job_state = job.state
            account.sync_job_phase = job.sync_phase
            account.sync_pages_fetched = job.pages_fetched
            account.sync_pages_total = job.pages_total
            account.sync_skus_done = job.skus_done
            account.sync_skus_total = job.skus_total

    @api.depends("pull_interval", "last_sweep_calls", "store_name", "sync_enabled")
    def _compute_daily_calls(self):
        limit = param_value(self.env, PARAM_DAILY_CALL_LIMIT)
        for account in self:
            account.daily_calls_estimate = account._daily_calls() + account._instant_calls_a_day()
            store = self.sudo().search([("store_name", "=", account.store_name), ("id", "!=", account.id or 0)])
            total = account.daily_calls_estimate + sum(
                other._daily_calls() + other._instant_calls_a_day() for other in store)
            account.quota_warning = account.store_name and total > limit and self.env._(
                "The scheduled pulls and instant syncs of store %(store)s would make about %(total)s API calls a "
                "day, more than Zortout's daily limit of %(limit)s: pulls would stop until midnight. Choose a "
                "longer Pull Interval.", store=account.store_name, total=total, limit=limit)

    @api.depends("pull_interval", "sync_enabled", "last_sync_at", "quota_resets_at", "platform", "active")
    def _compute_next_pull_at(self):
        """The rule of :meth:`_cron_schedule_pulls`: an enabled Zortout account with an interval is
        queued by the first run of the scheduler after its last pull (or last stock pull job) plus
        the interval, and not before the store's daily limit resets."""
        now = fields.Datetime.now()
        scheduled = self.filtered(lambda account: account.id and account.platform == "zortout" and account.active
                                  and account.sync_enabled and account.pull_interval > 0)
        (self - scheduled).next_pull_at = False
        if not scheduled:
            return
        cron = self.env.ref("otd_marketplace_stock.ir_cron_schedule_pulls", raise_if_not_found=False)
        cron = cron and cron.sudo()
        if not cron or not cron.active:
            scheduled.next_pull_at = False
            return
        last_job = scheduled._last_full_pulls()
        # the scheduler runs once a minute: nothing happens before its next run
        first_run = max(now, cron.nextcall or now)
        for account in scheduled:
            last = max(filter(None, [account.last_sync_at, last_job.get(account)]), default=None)
            due = last + timedelta(minutes=account.pull_interval) if last else first_run
            if account.quota_resets_at:
                due = max(due, account.quota_resets_at)
            account.next_pull_at = max(due, first_run)

    def _instant_calls_a_day(self):
        """GetProducts calls of instant sync in a day at today's pace (Zortout's day, Bangkok): each
        instant job reads its SKUs (one call per 100) in every mapped warehouse."""
        if not self.id or not self.sync_enabled:
            return 0
        now = datetime.now(zortout.ZORTOUT_TIMEZONE)
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        jobs = self.env["marketplace.job"].sudo().search_count([
            ("account_id", "=", self.id), ("job_type", "=", INSTANT_JOB_TYPE),
            ("create_date", ">=", midnight.astimezone(timezone.utc).replace(tzinfo=None))])
        if not jobs:
            return 0
        hours = max(1.0, (now - midnight).total_seconds() / 3600)
        return math.ceil(jobs * 24 / hours) * max(1, len(self.sudo().warehouse_mapping_ids))

    def _daily_calls(self):
        if not (self.sync_enabled and self.pull_interval > 0 and self.last_sweep_calls):
            return 0
        return self.last_sweep_calls * -(-24 * 60 // self.pull_interval)

    def _compute_job_count(self):
        counts = dict(self.env["marketplace.job"]._read_group(
            [("account_id", "in", self.ids)], ["account_id"], ["__count"]))
        for account in self:
            account.job_count = counts.get(account, 0)

    # ------------------------------------------------------------------ Zortout access

    @api.model
    def _zortout_base_url(self):
        url = self.env["ir.config_parameter"].sudo().get_param(PARAM_BASE_URL) or zortout.DEFAULT_BASE_URL
        problem = base_url_problem(self.env, url)
        if problem:
            raise UserError(self.env._(
                "%(problem)s Ask a system administrator to fix the system parameter %(parameter)s.",
                problem=problem, parameter=PARAM_BASE_URL))
        return url

    def _zortout_client(self, logger=None, **options):
        """A :class:`zortout.ZortoutClient` for this account.

        sudo: Marketplace users may pull stock but must not read the API key and
        secret; the secrets go into the client only, never into a record, a
        message or a log line.
        """
        self.ensure_one()
        account = self.sudo()
        # blank or whitespace-only values count as missing: no call is made with them
        if not all((value or "").strip() for value in (account.store_name, account.api_key, account.api_secret)):
            raise SyncUserError(self.env, msg(_lt(
                "The account %(account)s needs a Store Name, an API Key and an API Secret."),
                account=self.display_name))
        options.setdefault("read_timeout", self._zortout_read_timeout())
        # a button's calls end before Odoo's limit kills the request; a job passes its own deadline
        options.setdefault("deadline", step_deadline("http"))
        return zortout.ZortoutClient(account.store_name.strip(), account.api_key.strip(),
                                     account.api_secret.strip(), self._zortout_base_url(),
                                     logger=logger or logging.getLogger(CLIENT_LOGGER), **options)

    @api.model
    def _zortout_read_timeout(self):
        """Seconds to wait for an answer: the system parameter
        ``otd_marketplace_stock.zortout_read_timeout`` (default 30, at least 0.1)."""
        return max(0.1, param_value(self.env, PARAM_READ_TIMEOUT))

    def _zortout_target_location(self):
        """The account's stock location, else the company's first warehouse stock location."""
        self.ensure_one()
        if self.stock_location_id:
            return self.stock_location_id
        warehouse = self.env["stock.warehouse"].sudo().search(
            [("company_id", "=", self.company_id.id)], order="sequence, id", limit=1)
        if not warehouse:
            raise SyncUserError(self.env, msg(_lt(
                "The account %(account)s has no Stock Location and its company has no warehouse."),
                account=self.display_name))
        return warehouse.lot_stock_id.with_env(self.env)

    # ------------------------------------------------------------------ jobs

    def _try_lock_for_pull(self):
        """Lock the account rows for this transaction; False when another transaction holds them
        (a pull for the account is in progress there)."""
        return try_lock_rows(self.env.cr, "marketplace_account", self.ids)

    def _mark_sync_claimed(self):
        """Write the claim time: a second claim of this account whose snapshot is older
        than this one then fails to lock the row and looks again (see try_lock_rows)."""
        self.env.cr.execute("UPDATE marketplace_account SET sync_claimed_at = now() AT TIME ZONE 'UTC' "
                            "WHERE id = ANY(%s)", [self.ids])
        self.invalidate_recordset(["sync_claimed_at"])

    def _lock_for_pull(self):
        """Lock the account rows for this transaction, or say a pull is already in progress."""
        if not self._try_lock_for_pull():
            raise UserError(self.env._(
                "A stock pull for %s is already in progress. Wait for it to finish, then open its job.",
                ", ".join(self.mapped("display_name")))) from None

    def _open_sync_job(self):
        """The pending or running sync job of this account, if any."""
        self.ensure_one()
        return self.env["marketplace.job"].search([
            ("account_id", "=", self.id), ("job_type", "=", SYNC_JOB_TYPE),
            ("state", "in", ("pending", "running")),
        ], order="id", limit=1)

    def _new_sync_job(self, origin="pull_stock", **values):
        self.ensure_one()
        job = self.env["marketplace.job"].create({
            "account_id": self.id, "job_type": SYNC_JOB_TYPE, **values,
        })
        job.sudo().origin = origin  # what started it (the Jobs list shows it): the queue's, not the user's
        return job

    def _check_can_sync(self):
        for account in self:
            if account.platform != "zortout":
                raise UserError(self.env._("%s is not a Zortout account.", account.display_name))

    # ------------------------------------------------------------------ buttons

    def action_pull_stock(self):
        """Pull Stock: create a sync job and run it now, or open the one already queued."""
        return self._start_pull({})

    def action_preview_stock(self):
        """Preview: a pull that reads Zortout and records what would change, writing no stock."""
        return self._start_pull({"dry_run": True})

    def _start_pull(self, payload):
        """Create a sync job and run it in this request when the account's last full
        sweep was small; otherwise (or when its time in the request is up) the runner
        takes it and the job form shows its progress."""
        self.ensure_one()
        self._check_can_sync()
        if not self._try_lock_for_pull():
            # another request is starting a pull for this account right now
            job = self._open_sync_job()
            if job:
                return job._action_open_form()
            raise UserError(self.env._(
                "Someone else started a stock pull for %s a moment ago. Its job shows in Marketplace > Jobs as "
                "soon as it is saved; try again in a moment.", self.display_name))
        job = self._open_sync_job()
        if job:
            return job._action_open_form()
        job = self._new_sync_job("preview" if payload.get("dry_run") else "pull_stock", payload=json.dumps(payload))
        if self.last_sweep_skus <= param_value(self.env, PARAM_REQUEST_MAX_SKUS):
            job._run_in_request()
        else:
            self.env.user._bus_send("simple_notification", {
                "type": "info", "title": self.env._("Zortout stock pull"),
                "message": self.env._("%(count)s SKUs at the last pull: the pull runs in the background. "
                                      "This page shows its progress.", count=self.last_sweep_skus)})
        return job._action_open_form()

    @api.model
    def action_sync_stock_from_zortout(self):
        """Pull stock for the given accounts, or for every enabled Zortout account.

        One job per account; an account whose sync is pending or running gets
        none. Usable from a scheduled action: ``model.action_sync_stock_from_zortout()``.
        """
        if not self and not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            # every account at once is a scheduled action's call; a person pulls an account with its button
            raise AccessError(self.env._("Only a Marketplace Administrator may pull the stock of every account at "
                                         "once; press Pull Stock on an account instead."))
        accounts = self or self.search([("platform", "=", "zortout"), ("sync_enabled", "=", True)])
        accounts._check_can_sync()
        jobs = self.env["marketplace.job"]
        busy = self.browse()
        for account in accounts:
            if not account._try_lock_for_pull() or account._open_sync_job():
                busy |= account
                continue
            jobs |= account._new_sync_job("pull_stock" if self else "scheduled")
        for job in jobs:
            job._run_in_request()
        if not self:
            return True
        done = jobs.filtered(lambda job: job.state == "done")
        message = self.env._("%(done)s of %(total)s stock pulls done.", done=len(done), total=len(jobs))
        if busy:
            message += " " + self.env._("Already in progress: %s.", ", ".join(busy.mapped("display_name")))
        return self._notification(self.env._("Zortout stock pull"), message,
                                  "success" if len(done) == len(jobs) else "warning")

    def action_view_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("otd_marketplace_stock.action_marketplace_job")
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"default_account_id": self.id, "marketplace_job_hand_made": True}
        return action

    def action_test_connection(self):
        """Check the credentials with one small GetProducts call."""
        self.ensure_one()
        try:
            with self._zortout_client(max_retries=1) as client:
                count = client.count_products()
        except zortout.ZortoutError as exc:
            return self._notification(self.env._("Connection failed"), self._zortout_message(exc), "danger")
        return self._notification(
            self.env._("Connection works"),
            self.env._("Zortout store %(store)s answered: %(count)s products.", store=self.store_name, count=count),
            "success")

    def action_view_warehouse_list(self):
        self.ensure_one()
        return self.env["zortout.warehouse.wizard"]._create_for_account(self)

    # ------------------------------------------------------------------ helpers

    def _zortout_message(self, exc):
        """Zortout's own message when it sent one, else the client's description."""
        if isinstance(exc, zortout.ZortoutUnknownWarehouseError):
            return str(exc)
        if exc.res_desc:
            return self.env._("Zortout answered: %(message)s (%(detail)s)", message=exc.res_desc, detail=str(exc))
        return str(exc)

    def _notification(self, title, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": title, "message": message, "type": kind, "sticky": kind != "success"},
        }

    def _record_quota_spent(self, resets_at):
        """Zortout refused a call for the daily limit: every account of the same store waits."""
        stores = self.sudo().search([("store_name", "in", self.mapped("store_name"))])
        stores.write({"quota_resets_at": resets_at})

    def _record_credentials(self, refused):
        """Zortout refused the account's credentials (``refused``), or a pull worked with them."""
        accounts = self.sudo().filtered(lambda account: account.credentials_refused != refused)
        if accounts:
            accounts.credentials_refused = refused

    def _record_sync_outcome(self, state, when, swept=None, calls=None):
        """``swept``, ``calls``: rows and API calls of a complete full sweep, which decide where
        the next Pull Stock runs and what the schedule costs a day."""
        values = {"last_sync_state": state, "last_sync_at": when}
        if state == "done":
            values["quota_resets_at"] = False
        if swept is not None:
            values.update(last_sweep_skus=swept, last_sweep_calls=calls or 0)
        # sudo: Marketplace users run syncs but have no write access to accounts
        self.sudo().write(values)

    # ------------------------------------------------------------------ crons

    def _last_full_pulls(self):
        """{account: when its newest full pull job was made}: what the schedule counts its interval
        from (with Last Sync). Previews, instant syncs and SKU lists made by hand are no full pull.
        sudo: every job of the account counts, whoever may read it."""
        return dict(self.env["marketplace.job"].sudo()._read_group(
            [("account_id", "in", self.ids), ("job_type", "=", SYNC_JOB_TYPE),
             ("origin", "in", FULL_PULL_ORIGINS)],
            ["account_id"], ["create_date:max"]))

    @api.model
    def _cron_schedule_pulls(self):
        """Queue a sync for each enabled account whose pull interval has elapsed."""
        self._check_pulls_keep_coming()
        now = fields.Datetime.now()
        Job = self.env["marketplace.job"]
        accounts = self.search([("platform", "=", "zortout"), ("sync_enabled", "=", True),
                                ("pull_interval", ">", 0),
                                "|", ("quota_resets_at", "=", False), ("quota_resets_at", "<=", now)])
        if not accounts:
            return
        last_job = accounts._last_full_pulls()
        queued = Job
        for account in accounts:
            last = max(filter(None, [account.last_sync_at, last_job.get(account)]), default=None)
            if last and (now - last).total_seconds() < account.pull_interval * 60:
                continue
            if not account._try_lock_for_pull() or account._open_sync_job():
                continue
            # creating a pending job already wakes the runner (one ir.cron.trigger per job)
            queued |= account._new_sync_job("scheduled", next_run_at=now)
        return queued
