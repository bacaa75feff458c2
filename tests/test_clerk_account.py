"""What a Thai clerk reads on the account side: when the next
pull comes, the result of ทดสอบ Warehouse Code in a dialog that stays, the warehouse list's
dialogs, the instant-sync address warning, and the times a job's English error (the log's) gives."""

from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools.misc import format_datetime

from odoo.addons.otd_marketplace_stock.const import PARAM_BASE_URL
from odoo.addons.otd_marketplace_stock.tools.job_message import msg

from .common import MarketplaceCase
from .sandbox_case import SandboxCase
from .thai import load_thai


@tagged("post_install", "-at_install")
class TestClerkAccount(MarketplaceCase):
    def thai_admin_env(self):
        admin = self.env.ref("base.user_admin")
        load_thai(self.env, admin)
        return self.env(user=admin, context=dict(self.env.context, lang="th_TH"))

    def map(self, code, location):
        return self.env["marketplace.warehouse.mapping"].create(
            {"account_id": self.account.id, "warehouse_code": code, "location_id": location.id})

    def assertAbout(self, when, expected, seconds=90):
        self.assertTrue(when, "a next pull is shown")
        self.assertLess(abs((when - expected).total_seconds()), seconds, f"{when} is not about {expected}")

    # ------------------------------------------------------------------ item 6: the next pull

    def test_next_pull_follows_the_scheduler(self):
        account = self.account
        now = fields.Datetime.now()
        account.write({"pull_interval": 0, "sync_enabled": True})
        self.assertFalse(account.next_pull_at, "no interval: no automatic pull")
        account.write({"pull_interval": 30})
        self.assertAbout(account.next_pull_at, now, seconds=120)  # never pulled: at the scheduler's next run
        account._record_sync_outcome("done", now - timedelta(minutes=10))
        account.invalidate_recordset(["next_pull_at"])
        self.assertAbout(account.next_pull_at, now + timedelta(minutes=20))
        # the scheduler agrees: nothing is due yet
        self.assertFalse(self.env["marketplace.account"]._cron_schedule_pulls())
        account.write({"sync_enabled": False})
        self.assertFalse(account.next_pull_at, "Sync Enabled off: no automatic pull")
        account.write({"sync_enabled": True})
        # Zortout's daily limit is spent: the next pull waits for the reset
        resets = now + timedelta(hours=5)
        account._record_quota_spent(resets)
        account.invalidate_recordset(["next_pull_at"])
        self.assertEqual(account.next_pull_at, resets)
        # once due, the scheduler queues the pull the field announced
        account.write({"quota_resets_at": False})
        account._record_sync_outcome("done", now - timedelta(minutes=45))
        account.invalidate_recordset(["next_pull_at"])
        self.assertLessEqual(account.next_pull_at, now + timedelta(minutes=2))
        queued = self.env["marketplace.account"]._cron_schedule_pulls()
        self.assertEqual(queued.account_id, account)

    def test_thai_form_and_list_show_the_next_pull_and_the_unit(self):
        env = self.thai_admin_env()
        Account = env["marketplace.account"]
        self.assertEqual(Account.fields_get(["next_pull_at"])["next_pull_at"]["string"], "ดึงครั้งถัดไป")
        views = Account.get_views([(False, "form"), (False, "list")])
        form = etree.fromstring(views["views"]["form"]["arch"])
        row = form.xpath("//div[field[@name='pull_interval']]")
        self.assertEqual(len(row), 1)
        self.assertEqual(row[0].xpath("string(span)").strip(), "นาที")
        self.assertTrue(form.xpath("//field[@name='next_pull_at']"))
        listing = etree.fromstring(views["views"]["list"]["arch"])
        self.assertTrue(listing.xpath("//field[@name='next_pull_at']"))

    # ------------------------------------------------------------------ item 8: Test Warehouse Code

    def open_test(self, account):
        action = account.action_test_warehouse_code()
        self.assertEqual((action["type"], action["target"]), ("ir.actions.act_window", "new"))
        return action, self.env[action["res_model"]].browse(action["res_id"])

    def test_warehouse_code_test_is_a_dialog_with_one_line_per_mapping(self):
        self.account.stock_scope = "warehouses"
        self.map("W0001", self.stock)
        self.map("NOPE9", self.shelf)
        env = self.thai_admin_env()
        action, test = self.open_test(self.account.with_env(env))
        self.assertEqual(action["name"], "ผลทดสอบ Warehouse Code")
        self.assertEqual(test.outcome, "problem")
        lines = test.line_ids
        self.assertEqual(lines.mapped("code"), ["W0001", "NOPE9"])
        self.assertEqual(lines.mapped("location"), ["WH/Stock", "WH/Stock/Shelf Z"])
        self.assertEqual(lines[0].name, "คลังสินค้าหลัก")
        self.assertTrue(lines[0].usable)
        held = sum(1 for item in self.sandbox.catalogue.products if self.sandbox.catalogue.holds(item, "W0001"))
        self.assertIn(str(held), lines[0].result)
        self.assertFalse(lines[1].usable)
        self.assertIn("W0001, W0002, ODS001", lines[1].result)
        # the dialog's view: one row per mapping, a Thai Close button
        arch = etree.fromstring(env[action["res_model"]].get_views([(False, "form")])["views"]["form"]["arch"])
        self.assertEqual(arch.xpath("//footer/button/@string"), ["ปิด"])

    def test_warehouse_code_test_store_wide_and_nothing_mapped(self):
        _action, test = self.open_test(self.account)
        self.assertEqual(test.outcome, "ok")
        self.assertEqual(len(test.line_ids), 1)
        self.assertFalse(test.line_ids.code)
        self.assertIn(f"{len(self.sandbox.catalogue.products)} products", test.line_ids.result)
        self.account.stock_scope = "warehouses"
        _action, test = self.open_test(self.account)
        self.assertEqual(test.outcome, "nothing")
        self.assertIn("store-wide totals", test.summary)
        self.assertFalse(test.line_ids)

    # ------------------------------------------------------------------ item 11: the warehouse list's dialogs

    def test_discarding_a_mapping_goes_back_to_the_list(self):
        self.account.stock_scope = "warehouses"
        listing = self.account.with_user(self.manager).action_view_warehouse_list()
        wizard = self.env["zortout.warehouse.wizard"].browse(listing["res_id"])
        line = wizard.line_ids.filtered(lambda line: line.code == "ODS001").with_user(self.manager)
        opened = line.action_add_mapping()
        self.assertEqual((opened["res_model"], opened["res_id"], opened["target"]), (line._name, line.id, "new"))
        self.assertEqual(line.location_id, self.stock, "an account mapping nothing yet: its Stock Location")
        back = line.action_back_to_list()
        self.assertEqual((back["res_model"], back["res_id"], back["target"]), (wizard._name, wizard.id, "new"))
        self.assertFalse(self.account.warehouse_mapping_ids, "Discard maps nothing")
        line.location_id = self.shelf
        line.action_map()
        mappings = self.account.warehouse_mapping_ids
        self.assertEqual([(m.warehouse_code, m.warehouse_name, m.location_id) for m in mappings],
                         [("ODS001", "คลังออนไลน์ ODS", self.shelf)])

    def test_cancelling_a_code_change_goes_back_to_the_list(self):
        self.account.write({"stock_scope": "warehouses", "zortout_warehouse_code": "W0001"})
        self.account._record_sync_outcome("done", fields.Datetime.now())
        listing = self.account.with_user(self.manager).action_view_warehouse_list()
        wizard = self.env["zortout.warehouse.wizard"].browse(listing["res_id"])
        asked = wizard.line_ids.filtered(lambda line: line.code == "ODS001").with_user(self.manager).action_use_code()
        change = self.env[asked["res_model"]].browse(asked["res_id"]).with_user(self.manager)
        back = change.action_cancel()
        self.assertEqual((back["res_model"], back["res_id"]), (wizard._name, wizard.id))
        self.assertEqual(self.account.zortout_warehouse_code, "W0001")

    def test_warehouse_list_explains_its_two_buttons_in_thai(self):
        env = self.thai_admin_env()
        arch = etree.fromstring(env["zortout.warehouse.wizard"].get_views([(False, "form")])["views"]["form"]["arch"])
        text = " ".join(arch.xpath("string(//div[@name='buttons_explained'])").split())
        self.assertIn("จับคู่กับตำแหน่ง", text)
        self.assertIn("ใช้รหัสนี้", text)

    # ------------------------------------------------------------------ item 10

    def test_address_warning_says_who_fixes_it_and_goes_when_deliveries_arrive(self):
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "http://localhost:8069")
        account = self.account
        account.invalidate_recordset(["webhook_url_warning"])
        self.assertIn("Odoo administrator", account.webhook_url_warning)
        self.assertIn("web.base.url", account.webhook_url_warning)
        thai = account.with_env(self.thai_admin_env())
        self.assertIn("ผู้ดูแลระบบ Odoo", thai.webhook_url_warning)
        self.env["marketplace.webhook.day"]._count_delivery(account.id)
        account.invalidate_recordset(["webhook_url_warning", "webhook_events_today"])
        self.assertEqual(account.webhook_events_today, 1)
        self.assertFalse(account.webhook_url_warning, "deliveries arrive: Zortout does reach Odoo")

    def test_the_logged_retry_time_is_utc_and_says_so(self):
        """The runner (the system user, Europe/Brussels) logs the retry time in UTC; a Thai
        reader still sees Bangkok time on the job."""
        self.env.user.tz = "Europe/Brussels"
        job = self.new_job()
        with self.assertLogs("odoo.addons.otd_marketplace_stock", level="WARNING") as logs:
            job._set_retry([msg("Zortout did not answer.")])
        utc = format_datetime(self.env, job.next_run_at, tz="UTC", dt_format="short")
        self.assertIn(f"Next try at {utc} UTC", job.error)
        line = next(line for line in logs.output if "event=retry" in line)
        self.assertIn(f"{utc} UTC", line)
        thai_env = self.thai_admin_env()(context=dict(self.thai_admin_env().context, tz="Asia/Bangkok"))
        bangkok = format_datetime(thai_env, job.next_run_at, tz="Asia/Bangkok", dt_format="short")
        thai = job.with_env(thai_env)
        self.assertIn(bangkok, thai.error_html)
        self.assertNotIn("UTC", thai.error_html)


@tagged("post_install", "-at_install")
class TestClerkAccountTour(SandboxCase, HttpCase):
    def test_next_pull_and_the_warehouse_code_dialog_in_thai(self):
        """In Thai: the form says when the next pull comes and the unit of Pull Interval;
        ทดสอบ Warehouse Code opens a dialog that stays, one row per mapping; the warehouse
        list explains its buttons and its mapping dialog's Discard brings the list back."""
        admin = self.env.ref("base.user_admin")
        load_thai(self.env, admin)
        admin.tz = "Asia/Bangkok"
        self.env["ir.config_parameter"].sudo().set_param(PARAM_BASE_URL, self.sandbox.base_url)
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", admin.company_id.id)],
                                                       order="sequence, id", limit=1)
        online = self.env["stock.warehouse"].create({"name": "Online Shop", "code": "ONL",
                                                     "company_id": admin.company_id.id})
        account = self.env["marketplace.account"].create({
            "name": "Zortout Clerk", "store_name": self.sandbox.store_name, "api_key": self.sandbox.api_key,
            "api_secret": self.sandbox.api_secret, "stock_location_id": warehouse.lot_stock_id.id,
            "zortout_warehouse_code": "W0001", "pull_interval": 60})
        self.env["marketplace.warehouse.mapping"].create({
            "account_id": account.id, "warehouse_code": "NOPE9", "location_id": online.lot_stock_id.id})
        account._record_sync_outcome("done", fields.Datetime.now() - timedelta(minutes=15))
        self.start_tour(f"/odoo/action-otd_marketplace_stock.action_marketplace_account/{account.id}",
                        "otd_marketplace_stock_clerk_account", login="admin")
        self.assertEqual(account.warehouse_mapping_ids.mapped("warehouse_code"), ["W0001", "NOPE9"],
                         "the discarded mapping dialog mapped nothing")
