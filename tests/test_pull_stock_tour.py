import json

from odoo.tests import HttpCase, tagged

from odoo.addons.otd_marketplace_stock.const import PARAM_BASE_URL

from .sandbox_case import SandboxCase
from .thai import load_thai


@tagged("post_install", "-at_install")
class TestPullStockTour(SandboxCase, HttpCase):
    def setUp(self):
        super().setUp()
        self.admin = self.env.ref("base.user_admin")
        load_thai(self.env, self.admin)
        self.env["ir.config_parameter"].sudo().set_param(PARAM_BASE_URL, self.sandbox.base_url)
        self.mug = self.env["product.product"].create({
            "name": "Tour mug", "default_code": "DEMO-MUG", "type": "consu", "is_storable": True})

    def test_pull_stock_in_the_thai_web_client(self):
        """An administrator using Odoo in Thai presses ดึงสต็อกสินค้า and sees the job Done."""
        account = self.env["marketplace.account"].create({
            "name": "Zortout Tour", "store_name": self.sandbox.store_name,
            "api_key": self.sandbox.api_key, "api_secret": self.sandbox.api_secret,
            "stock_scope": "store_total",
        })
        self.start_tour("/odoo", "otd_marketplace_stock_pull_stock", login="admin")
        job = self.env["marketplace.job"].search([("account_id", "=", account.id)])
        self.assertEqual(job.state, "done")
        self.assertEqual(job.create_uid, self.admin)
        self.assertEqual(self.mug.qty_available, 197)

    def test_thai_walkthrough(self):
        """The README's walk in the Thai UI: create an account, ทดสอบ Warehouse Code, pick ODS001
        in ดู Warehouse List, ดึงสต็อกสินค้า, then a job made by hand and Run Now."""
        self.start_tour("/odoo", "otd_marketplace_stock_thai_walkthrough", login="admin")
        account = self.env["marketplace.account"].search([("name", "=", "Zortout Tour")])
        self.assertEqual(len(account), 1)
        self.assertEqual(account.store_name, self.sandbox.store_name)
        self.assertEqual(account.sudo().api_key, self.sandbox.api_key)
        self.assertEqual(account.sudo().api_secret, self.sandbox.api_secret)
        self.assertEqual(account.zortout_warehouse_code, "ODS001", "picked from the warehouse list")
        self.assertEqual(account.last_sync_state, "done")

        pull, manual = self.env["marketplace.job"].search([("account_id", "=", account.id)], order="id")
        self.assertEqual((pull.state, manual.state), ("done", "done"))
        self.assertEqual((pull.create_uid, manual.create_uid), (self.admin, self.admin))
        pulled = json.loads(pull.result)
        self.assertEqual(pulled["warehouse_code"], "ODS001")
        # only the mug is in Odoo: the catalogue's other SKUs are reported, not applied
        self.assertEqual((pulled["matched"], pulled["updated"]), (1, 1))

        self.assertEqual(manual.name, "Sync Stock from Zortout")
        self.assertEqual(manual.job_type, "sync_stock_from_zortout")
        self.assertEqual(json.loads(manual.payload), {"warehouse_code": "ODS001", "sku_list": ["DEMO-MUG"]})
        self.assertGreater(manual.next_run_at, manual.started_at, "saved from the form, it waited for Run Now")
        self.assertEqual(manual.attempts, 1)
        by_hand = json.loads(manual.result)
        self.assertEqual((by_hand["fetched"], by_hand["matched"], by_hand["unchanged"], by_hand["updated"]),
                         (1, 1, 1, 0))

        # availablestock of DEMO-MUG in the sandbox's ODS001, in the company's first warehouse
        self.assertEqual(self.mug.qty_available, 58)
        moves = self.env["stock.move"].search([("product_id", "=", self.mug.id)])
        self.assertEqual(moves.mapped("reference"), [f"Zortout sync {pull.reference}"])

    def test_changes_and_progress(self):
        """Preview, its progress and Changes tab, apply it, from a move back to its job, the Jobs list, and
        the question before the account switches to another warehouse, all in the Thai web client."""
        account = self.env["marketplace.account"].create({
            "name": "Zortout Changes", "store_name": self.sandbox.store_name, "api_key": self.sandbox.api_key,
            "api_secret": self.sandbox.api_secret, "zortout_warehouse_code": "W0001",
        })
        self.start_tour("/odoo", "otd_marketplace_stock_changes_and_progress", login="admin")
        preview, applied, second_preview = self.env["marketplace.job"].search(
            [("account_id", "=", account.id)], order="id")
        self.assertEqual((preview.is_preview, applied.is_preview, second_preview.is_preview), (True, False, True))
        self.assertEqual(account.zortout_warehouse_code, "ODS001")
        self.assertEqual(json.loads(second_preview.result)["warehouse_code"], "ODS001")
        self.assertEqual(self.mug.qty_available, float(self.sandbox.catalogue.stock_of("DEMO-MUG", "W0001")[1]),
                         "the second preview wrote nothing")
