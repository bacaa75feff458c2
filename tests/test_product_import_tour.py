import json

from odoo.tests import HttpCase, tagged

from odoo.addons.otd_marketplace_stock.const import PARAM_BASE_URL
from odoo.addons.otd_marketplace_stock.zortout_sandbox.catalogue import ONBOARDING_ODOO_BARCODE, Catalogue

from .sandbox_case import SandboxCase
from .thai import load_thai


@tagged("post_install", "-at_install")
class TestProductImportTour(SandboxCase, HttpCase):
    @classmethod
    def sandbox_catalogue(cls):
        return Catalogue.onboarding()

    def setUp(self):
        super().setUp()
        self.admin = self.env.ref("base.user_admin")
        load_thai(self.env, self.admin)
        self.env["ir.config_parameter"].sudo().set_param(PARAM_BASE_URL, self.sandbox.base_url)
        self.env["product.product"].create({"name": "Owns a barcode", "default_code": "ODOO-OWNS-BARCODE",
                                            "barcode": ONBOARDING_ODOO_BARCODE})

    def test_from_skus_not_in_odoo_to_created_products_to_a_pull(self):
        """In Thai: a pull reports SKU ไม่มีใน Odoo; its สร้างสินค้าจาก Zortout lists them; สร้าง creates them;
        สินค้าที่สร้าง opens them; ดึงสต็อกสินค้า sets their stock."""
        account = self.env["marketplace.account"].create({
            "name": "Zortout Onboarding", "store_name": self.sandbox.store_name,
            "api_key": self.sandbox.api_key, "api_secret": self.sandbox.api_secret, "stock_scope": "store_total",
        })
        self.start_tour("/odoo", "otd_marketplace_stock_product_import", login="admin")
        first_pull, creation, second_pull = self.env["marketplace.job"].search(
            [("account_id", "=", account.id)], order="id")
        self.assertEqual((first_pull.state, creation.state, second_pull.state), ("done", "done", "done"))
        self.assertEqual(creation.job_type, "create_products_from_zortout")
        self.assertEqual(json.loads(first_pull.result)["updated"], 0)
        plain = self.env["product.product"].search([("default_code", "=", "NEW-PLAIN")])
        self.assertEqual(plain.create_uid, self.admin)
        self.assertEqual(plain.qty_available, float(self.sandbox.catalogue.stock_of("NEW-PLAIN")[1]))
        self.assertGreater(json.loads(second_pull.result)["updated"], 10)
        self.assertFalse(self.env["product.product"].search([("default_code", "=", "NEW-CLASH")]))
