from odoo.tests import HttpCase, tagged

from odoo.addons.otd_marketplace_stock.const import PARAM_BASE_URL

from .sandbox_case import SandboxCase
from .thai import load_thai


@tagged("post_install", "-at_install")
class TestWarehouseMappingTour(SandboxCase, HttpCase):
    def test_map_a_warehouse_from_the_list_and_pull(self):
        """In Thai: ดู Warehouse List, map ODS001 to the online shop's stock, ดึงสต็อกสินค้า; each
        location ends with its own Zortout warehouse's quantity."""
        admin = self.env.ref("base.user_admin")
        load_thai(self.env, admin)
        self.env["ir.config_parameter"].sudo().set_param(PARAM_BASE_URL, self.sandbox.base_url)
        company = admin.company_id
        main_stock = self.env["stock.warehouse"].search([("company_id", "=", company.id)],
                                                        order="sequence, id", limit=1).lot_stock_id
        online = self.env["stock.warehouse"].create({"name": "Online Shop", "code": "ONL",
                                                     "company_id": company.id})
        mug = self.env["product.product"].create({
            "name": "Tour mug", "default_code": "DEMO-MUG", "type": "consu", "is_storable": True})
        account = self.env["marketplace.account"].create({
            "name": "Zortout Warehouses", "store_name": self.sandbox.store_name, "api_key": self.sandbox.api_key,
            "api_secret": self.sandbox.api_secret, "stock_location_id": main_stock.id,
            "zortout_warehouse_code": "W0001"})
        self.start_tour(f"/odoo/action-otd_marketplace_stock.action_marketplace_account/{account.id}",
                        "otd_marketplace_stock_warehouse_mapping", login="admin")
        mappings = account.warehouse_mapping_ids
        self.assertEqual([(m.warehouse_code, m.location_id) for m in mappings],
                         [("W0001", main_stock), ("ODS001", online.lot_stock_id)])
        self.assertEqual(mappings[1].warehouse_name, "คลังออนไลน์ ODS")
        job = self.env["marketplace.job"].search([("account_id", "=", account.id)])
        self.assertEqual(job.state, "done", job.error)
        catalogue = self.sandbox.catalogue
        for location, code in ((main_stock, "W0001"), (online.lot_stock_id, "ODS001")):
            self.assertEqual(mug.with_context(location=location.id).qty_available,
                             float(catalogue.stock_of("DEMO-MUG", code)[1]), code)
