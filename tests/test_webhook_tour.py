from odoo.tests import HttpCase, tagged

from odoo.addons.otd_marketplace_stock.const import PARAM_BASE_URL

from .sandbox_case import SandboxCase
from .thai import load_thai


@tagged("post_install", "-at_install")
class TestInstantSyncTour(SandboxCase, HttpCase):

    def setUp(self):
        super().setUp()
        self.admin = self.env.ref("base.user_admin")
        load_thai(self.env, self.admin)
        self.env["ir.config_parameter"].sudo().set_param(PARAM_BASE_URL, self.sandbox.base_url)
        self.sandbox.webhook.set("crm-1", "crm-2", "crm-3", addorderurl="https://crm.example.co.th/orders")
        self.env.company.partner_id.lang = "th_TH"

    def test_enable_instant_sync_in_the_thai_web_client(self):
        """A Thai administrator presses เปิด Sync ทันที on the account: Zortout gets Odoo's URL for
        quantity changes, the other integration's order URL and keys stay, a sale then reaches Odoo."""
        account = self.env["marketplace.account"].create({
            "name": "Zortout Tour", "store_name": self.sandbox.store_name,
            "api_key": self.sandbox.api_key, "api_secret": self.sandbox.api_secret,
            "zortout_warehouse_code": "W0001",
        })
        self.start_tour("/odoo", "otd_marketplace_stock_instant_sync", login="admin")
        account.invalidate_recordset()
        self.assertTrue(account.webhook_enabled)
        stored = self.sandbox.webhook.current_config()
        self.assertEqual(stored["updatequantityurl"], account.sudo().webhook_url)
        self.assertTrue(stored["updatequantityurl"].startswith(self.base_url()))
        self.assertEqual((stored["addorderurl"], stored["key1"]), ("https://crm.example.co.th/orders", "crm-1"))

        with self.allow_requests(all_requests=True):
            delivery = self.sandbox.sell("DEMO-MUG", 1, "W0001")
        self.assertEqual(delivery["status"], 200)
        self.env.invalidate_all()
        job = self.env["marketplace.job"].search([("account_id", "=", account.id),
                                                  ("job_type", "=", "instant_sync_from_zortout")])
        self.assertEqual(job.name, "Sync ทันทีจาก Zortout", "named in the company's language")
        self.assertEqual(account.webhook_events_today, 1)
