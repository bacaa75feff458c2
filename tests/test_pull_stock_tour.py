from odoo.tests import HttpCase, tagged

from odoo.addons.otd_marketplace_stock.models.ir_config_parameter import BASE_URL_PARAM

from .sandbox_case import SandboxCase


@tagged("post_install", "-at_install")
class TestPullStockTour(SandboxCase, HttpCase):
    def test_pull_stock_in_the_thai_web_client(self):
        """An administrator using Odoo in Thai presses ดึงสต็อกสินค้า and sees the job Done."""
        self.env["res.lang"]._activate_lang("th_TH")
        self.env.ref("base.user_admin").lang = "th_TH"
        self.env["ir.config_parameter"].sudo().set_param(BASE_URL_PARAM, self.sandbox.base_url)
        mug = self.env["product.product"].create({
            "name": "Tour mug", "default_code": "DEMO-MUG", "type": "consu", "is_storable": True})
        account = self.env["marketplace.account"].create({
            "name": "Zortout Tour", "store_name": self.sandbox.store_name,
            "api_key": self.sandbox.api_key, "api_secret": self.sandbox.api_secret,
        })
        self.start_tour("/odoo", "otd_marketplace_stock_pull_stock", login="admin")
        job = self.env["marketplace.job"].search([("account_id", "=", account.id)])
        self.assertEqual(job.state, "done")
        self.assertEqual(job.create_uid, self.env.ref("base.user_admin"))
        self.assertEqual(mug.qty_available, 197)
