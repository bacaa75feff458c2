"""Alerts, the Odoo way: the account's Responsible hears of a sync that stopped working.

An unattended sync (the runner's: scheduled pulls, instant sync, a pull it took over)
that fails for good, a zero-guard refusal, a spent daily quota, a warehouse of a
multi-warehouse pull that failed, or no good full pull for three pull intervals:
each is a *problem*, with an activity type of its own (data/marketplace_alerts.xml).
The Responsible gets one activity per open problem (never a flood: a problem that
is already open adds nothing) and the account's followers a chatter message, so
that e-mail follows Odoo's own notification settings. The next good full pull marks
every open problem done and says so. A pull someone runs in the browser shows its
failure on the spot and raises no alert.
"""

from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.otd_marketplace_stock.const import STALE_INTERVALS
from odoo.addons.otd_marketplace_stock.tools.job_message import _lt, render

#: problem -> (xmlid of its activity type, what to do, in English for the translation template)
PROBLEMS = {
    "sync_failed": "activity_sync_failed",
    "zero_guard": "activity_zero_guard",
    "quota": "activity_quota",
    "warehouse_failed": "activity_warehouse_failed",
    "no_full_pull": "activity_no_full_pull",
}


#: what to do, per problem (the activity's note ends with it)
ADVICE = {
    "sync_failed": _lt("Open the job to read why. Check the account's Store Name, API Key and API Secret, and "
                       "that Open API is on in Zortout; then press Pull Stock."),
    "zero_guard": _lt("Check the warehouse mappings and the quantity source, or press Preview to see what the "
                      "pull would change. A Marketplace Administrator can apply it anyway with a job whose "
                      "payload is {\"force\": true}."),
    "quota": _lt("Nothing to do: the pulls go on when the limit resets at midnight (Bangkok time). If it happens "
                 "often, choose a longer Pull Interval or fewer integrations on the store."),
    "warehouse_failed": _lt("Open the job to read why; check that warehouse's code with Test Warehouse Code."),
    "no_full_pull": _lt("Look at the account's latest jobs and at the scheduled actions (Settings > Technical > "
                        "Scheduled Actions): the pulls do not run or do not succeed."),
}


class MarketplaceAccountAlerts(models.Model):
    _inherit = ["marketplace.account", "mail.activity.mixin"]
    _name = "marketplace.account"

    responsible_id = fields.Many2one(
        "res.users", "Responsible", default=lambda self: self.env.user, tracking=True,
        domain="[('share', '=', False)]",
        help="Gets an activity when an unattended sync of the account stops working.")
    last_good_pull_at = fields.Datetime(
        "Last Good Full Pull", readonly=True, copy=False,
        help="When a full pull of the account with its own settings last finished without a failed warehouse.")
    in_trouble = fields.Boolean("Needs Attention", compute="_compute_in_trouble", search="_search_in_trouble")

    @api.model
    def _alert_activity_types(self):
        return self.env["mail.activity.type"].browse(
            [self.env.ref(f"otd_marketplace_stock.{xmlid}").id for xmlid in PROBLEMS.values()])

    def _open_alerts(self):
        types = self._alert_activity_types()
        return self.sudo().activity_ids.filtered(lambda activity: activity.activity_type_id in types)

    def _compute_in_trouble(self):
        for account in self:
            account.in_trouble = bool(account._open_alerts())

    def _search_in_trouble(self, operator, value):
        if operator not in ("=", "!="):
            return NotImplemented
        wanted = (operator == "=") == bool(value)
        activities = self.env["mail.activity"].sudo().search([
            ("res_model", "=", self._name), ("activity_type_id", "in", self._alert_activity_types().ids)])
        return [("id", "in" if wanted else "not in", activities.mapped("res_id"))]

    def _alert(self, problem, message, job=None):
        """Tell the Responsible of ``problem`` (a key of PROBLEMS), once while it is open:
        ``message`` (a job message, see tools/job_message.py) says what happened."""
        activity_type = self.env.ref(f"otd_marketplace_stock.{PROBLEMS[problem]}")
        for account in self.sudo():
            if account._open_alerts().filtered(lambda activity: activity.activity_type_id == activity_type):
                continue  # already told: no flood
            user = account.responsible_id or account.create_uid
            env = account.with_context(lang=user.lang or account.env.lang, tz=user.tz).env
            what = render(env, message)
            advice = env._(ADVICE[problem])  # a term in a variable: marked with _lt in ADVICE above
            note = f"{what} {advice}"
            if job:
                note += " " + env._("Job: %(job)s.", job=job.display_name)
            account.with_env(env).activity_schedule(
                activity_type_id=activity_type.id, user_id=user.id, note=note,
                summary=activity_type.with_env(env).name)
            account.with_env(env).message_post(body=note, subtype_xmlid="mail.mt_comment")

    def _alerts_resolved(self, job):
        """A good full pull: every open problem of the account is done, and the chatter says so."""
        for account in self.sudo():
            alerts = account._open_alerts()
            if not alerts:
                continue
            user = account.responsible_id or account.create_uid
            env = account.with_context(lang=user.lang or account.env.lang).env
            feedback = env._("The pull %(job)s worked: the sync works again.", job=job.display_name)
            alerts.with_env(env).action_feedback(feedback=feedback)

    @api.model
    def _check_pulls_keep_coming(self):
        """An account pulled on a schedule whose last good full pull is older than three pull
        intervals: its pulls do not run or do not succeed (the scheduler calls this)."""
        now = fields.Datetime.now()
        accounts = self.search([("platform", "=", "zortout"), ("sync_enabled", "=", True), ("pull_interval", ">", 0)])
        for account in accounts:
            since = account.last_good_pull_at or account.create_date
            if since and now - since > timedelta(minutes=STALE_INTERVALS * account.pull_interval):
                account._alert("no_full_pull", {
                    "t": _lt("No full pull of %(account)s has succeeded since %(since)s, more than %(count)s pull "
                             "intervals ago."),
                    "p": {"account": account.display_name, "since": {"dt": fields.Datetime.to_string(since)},
                          "count": STALE_INTERVALS}})
