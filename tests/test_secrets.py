"""The API key and secret stay out of reach: RPC reads, job data, chatter and every log line.
Complements test_security (read/search_read, copy, tracking, companies, base URL)."""

import logging
import warnings
from contextlib import contextmanager

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.otd_marketplace_stock.const import PARAM_BASE_URL

from .common import MarketplaceCase
from .sandbox_case import PRODUCTS


def _deprecated(method, *args):
    """Call a deprecated RPC method (still served in 19.0) without its warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return method(*args)


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.levelname} {record.name} {text}")


@contextmanager
def every_log_record():
    """Every record of every logger at DEBUG, kept away from the test output."""
    root = logging.getLogger()
    capture = _Capture()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_levels = {name: logger.level for name, logger in logging.root.manager.loggerDict.items()
                    if isinstance(logger, logging.Logger)}
    saved_disable = logging.root.manager.disable
    root.handlers[:] = [capture]
    root.setLevel(logging.DEBUG)
    logging.disable(logging.NOTSET)
    for name in saved_levels:
        logging.getLogger(name).setLevel(logging.NOTSET)
    try:
        yield capture.lines
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        logging.disable(saved_disable)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


@tagged("post_install", "-at_install")
class TestSecrets(MarketplaceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.outsider = new_test_user(cls.env, "no_marketplace", groups="base.group_user,stock.group_stock_user")
        cls.secrets = (cls.sandbox.api_key, cls.sandbox.api_secret)

    def assertNoSecret(self, text, where):
        for secret in (*self.secrets, "wrong-" + self.sandbox.api_secret):
            self.assertNotIn(secret, str(text), where)

    def test_outsiders_see_nothing(self):
        job = self.run_job({"sku_list": ["DEMO-MUG"]})
        for record in (self.account, job):
            with self.subTest(model=record._name):
                with self.assertRaises(AccessError):
                    record.with_user(self.outsider).read(["name"])
                with self.assertRaises(AccessError):
                    self.env[record._name].with_user(self.outsider).search([])
        with self.assertRaises(AccessError):
            self.account.with_user(self.outsider).action_pull_stock()
        visible = self.env["ir.ui.menu"].with_user(self.outsider)._visible_menu_ids()
        for xmlid in ("menu_marketplace_root", "menu_marketplace_account", "menu_marketplace_job"):
            self.assertNotIn(self.env.ref(f"otd_marketplace_stock.{xmlid}").id, visible, xmlid)
        self.assertIn(self.env.ref("otd_marketplace_stock.menu_marketplace_root").id,
                      self.env["ir.ui.menu"].with_user(self.user)._visible_menu_ids())

    def test_marketplace_users_cannot_read_the_secrets_through_any_rpc(self):
        Account = self.env["marketplace.account"].with_user(self.user)
        account = self.account.with_user(self.user)
        domain = [("id", "=", self.account.id)]
        calls = {}
        for field in ("api_key", "api_secret"):
            calls.update({
                f"read {field}": lambda f=field: account.read([f]),
                f"search_read {field}": lambda f=field: Account.search_read(domain, [f]),
                f"export_data {field}": lambda f=field: account.with_context(
                    export_allowed=True).export_data([f]),
                f"web_read {field}": lambda f=field: account.web_read({f: {}}),
                f"web_search_read {field}": lambda f=field: Account.web_search_read(domain, {f: {}}),
                f"read_group {field}": lambda f=field: _deprecated(Account.read_group, domain, [f], [f]),
                f"formatted_read_group {field}": lambda f=field: Account.formatted_read_group(domain, [f], ["__count"]),
                f"search on {field}": lambda f=field: Account.search([(f, "=", self.sandbox.api_secret)]),
            })
        for name, call in calls.items():
            with self.subTest(call=name):
                try:
                    answer = call()
                except (AccessError, UserError):  # UserError: "no rights to export data"
                    continue
                self.fail(f"{name} answered {answer!r:.200}")
        self.assertEqual(len(calls), 16)
        # what they may read carries no secret
        self.assertNoSecret(account.read(), "read()")
        self.assertNoSecret(account.web_read({"name": {}, "store_name": {}}), "web_read")
        self.user.group_ids += self.env.ref("base.group_allow_export")
        self.assertNoSecret(account.export_data(["name", "store_name"]), "export_data")
        with self.assertRaises(AccessError):
            account.export_data(["api_secret"])

    def test_the_secret_is_in_no_log_line_job_field_message_or_exception(self):
        """A succeeding and a failing sync by a Marketplace user, with every log record captured."""
        env = self.env(context=dict(self.env.context, tracking_disable=False))
        account = self.account.with_env(env)
        account.zortout_warehouse_code = "W0001"  # a tracked change, for the chatter check
        env.flush_all()
        with every_log_record() as lines:
            good = env["marketplace.job"].browse(account.with_user(self.user).action_pull_stock()["res_id"])
            self.sandbox.faults.add(PRODUCTS, "http_500", times=100)
            bad = self.new_job(max_attempts=1, user=self.user)
            bad.with_user(self.user).action_run_now()
            self.sandbox.faults.clear()
        # a wrong secret (the administrator's write is outside the capture: Odoo's SQL debug log shows the
        # parameters of an UPDATE, which only --log-sql turns on)
        account.write({"api_secret": "wrong-" + self.sandbox.api_secret})
        env.flush_all()
        with every_log_record() as more_lines:
            denied = self.new_job(user=self.user)
            denied.with_user(self.user).action_run_now()
            notification = account.action_test_connection()
        lines += more_lines
        account.write({"api_secret": self.sandbox.api_secret})
        self.assertEqual((good.state, bad.state, denied.state), ("done", "failed", "failed"))
        self.assertIn("HTTP 500", bad.error)
        self.assertIn("rejected the credentials", denied.error)
        self.assertGreater(len(lines), 50, "DEBUG records were captured")
        self.assertTrue(any("event=http" in line for line in lines))
        self.assertNoSecret("\n".join(lines), [line[:300] for line in lines if any(s in line for s in self.secrets)])
        for job in good | bad | denied:
            self.assertNoSecret(job.read(["name", "payload", "result", "error", "result_summary"]), job.reference)
        self.assertNoSecret(notification, "Test Connection")
        env.flush_all()
        for secret in self.secrets:
            self.env.cr.execute("""
                SELECT (SELECT count(*) FROM mail_message WHERE body::text LIKE %(s)s OR subject LIKE %(s)s),
                       (SELECT count(*) FROM mail_tracking_value
                         WHERE old_value_char LIKE %(s)s OR new_value_char LIKE %(s)s
                            OR old_value_text LIKE %(s)s OR new_value_text LIKE %(s)s)
            """, {"s": f"%{secret}%"})
            self.assertEqual(self.env.cr.fetchone(), (0, 0), "chatter")
        self.assertTrue(self.env["mail.message"].search([("model", "=", "marketplace.account"),
                                                         ("res_id", "=", self.account.id)]),
                        "the configuration change was tracked (without its value)")
        # exception texts: the client and its errors
        with self.account._zortout_client() as client:
            self.assertNoSecret(repr(client), "client repr")

    def test_companies_are_kept_apart_for_jobs(self):
        other = self.env["res.company"].create({"name": "Secret Co"})
        foreign = self.account.copy({"name": "Foreign", "company_id": other.id, "stock_location_id": False})
        foreign_job = self.new_job(account_id=foreign.id)
        self.user.write({"company_ids": [(4, other.id)]})
        for record in (foreign, foreign_job):
            with self.subTest(model=record._name), self.assertRaises(AccessError):
                record.with_user(self.user).with_context(allowed_company_ids=[self.company.id]).read(["name"])
        with self.assertRaises(AccessError):
            foreign_job.with_user(self.user).with_context(allowed_company_ids=[self.company.id]).action_run_now()

    def test_base_url_rules(self):
        Param = self.env["ir.config_parameter"].sudo()
        refused = ("http://127.0.0.1.evil.test/v4", "http://localhost.evil.test/v4", "http://zortout.test:443/v4",
                   "javascript:alert(1)", "")
        for url in refused:
            with self.subTest(url=url), self.assertRaises(ValidationError), self.env.cr.savepoint():
                Param.set_param(PARAM_BASE_URL, url or " ")
        for user in (self.user, self.manager):
            with self.assertRaises(AccessError):
                self.env["ir.config_parameter"].with_user(user).search([("key", "=", PARAM_BASE_URL)]).write(
                    {"value": "https://x.test/v4"})
        # a value slipped in by SQL is refused before any secret leaves
        self.env.flush_all()
        self.env.cr.execute("UPDATE ir_config_parameter SET value = 'http://zortout.evil.test/v4' WHERE key = %s",
                            [PARAM_BASE_URL])
        self.env.registry.clear_cache()
        with self.expect_failure_logs():
            job = self.run_job()
        self.assertEqual(job.state, "failed")
        self.assertIn("must use https", job.error)
