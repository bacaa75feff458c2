"""One account, every warehouse: each mapped Zortout warehouse fills its own Odoo location."""

import importlib.util
from pathlib import Path

from psycopg2 import IntegrityError

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.otd_marketplace_stock.zortout_sandbox.catalogue import DEFAULT_WAREHOUSES, Catalogue

from .common import MarketplaceCase
from .sandbox_case import PRODUCTS

#: the three sandbox warehouses and a defects one
WAREHOUSES = (*DEFAULT_WAREHOUSES, {"id": 129824, "code": "DEF01", "name": "คลังสินค้าตำหนิ"})
SKUS = ("GEN-000001", "GEN-000600", "GEN-001201")  # on pages 1, 2 and 3 of each warehouse's sweep
MIGRATION = Path(__file__).resolve().parent.parent / "migrations" / "19.0.1.2.0" / "post-migrate.py"


@tagged("post_install", "-at_install")
class TestWarehouseMapping(MarketplaceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gen = {sku: cls.make_product(sku) for sku in SKUS}
        cls.defects = cls.env["stock.location"].create({
            "name": "Defects", "location_id": cls.warehouse.view_location_id.id, "usage": "internal"})

    def setUp(self):
        super().setUp()
        self.use_catalogue(Catalogue.generate(1201, warehouses=WAREHOUSES))

    def map(self, code, location):
        return self.env["marketplace.warehouse.mapping"].create({
            "account_id": self.account.id, "warehouse_code": code, "location_id": location.id})

    def map_three(self):
        """W0001 -> WH/Stock, ODS001 -> WH/Stock/Shelf Z (inside it), DEF01 -> WH/Defects; W0002 unmapped."""
        self.account.stock_scope = "warehouses"
        self.map("W0001", self.stock)
        self.map("ODS001", self.shelf)
        self.map("DEF01", self.defects)

    def own_quantity(self, product, location):
        """On hand in ``location`` and its children, as Inventory shows it."""
        return product.with_context(location=location.id).qty_available

    def test_each_location_ends_with_its_own_warehouse_quantities(self):
        self.map_three()
        sku = "GEN-000600"
        product = self.gen[sku]
        # stock left over in the shelf from before: ODS001's sweep owns it, W0001's must not count it
        self.set_on_hand(product, 7, self.shelf)
        job = self.run_job()
        self.assertEqual(job.state, "done", job.error)
        for code, location in (("W0001", self.stock), ("ODS001", self.shelf), ("DEF01", self.defects)):
            for sku, product in self.gen.items():
                expected = self.zortout_quantity(sku, code)
                inner = self.zortout_quantity(sku, "ODS001") if location == self.stock else 0
                self.assertEqual(self.own_quantity(product, location), expected + inner, f"{code} {sku}")
        warehouses = self.result(job)["warehouses"]
        self.assertEqual([(entry["code"], entry["state"]) for entry in warehouses],
                         [("W0001", "done"), ("ODS001", "done"), ("DEF01", "done")])
        self.assertTrue(all(entry["updated"] == 3 for entry in warehouses))
        read = {call["query"].get("warehousecode") for call in self.calls_to(PRODUCTS)}
        self.assertEqual(read, {"W0001", "ODS001", "DEF01"}, "the unmapped W0002 is never read")
        self.assertEqual(len(self.calls_to(PRODUCTS)), 9, "one sweep of 3 pages per mapped warehouse")
        self.assertEqual(len(self.calls_to("/Warehouse/GetWarehouses")), 1)
        self.assertIn("W0001 → WH/Stock", self.account.pull_plan)
        self.assertIn("ODS001 → WH/Stock/Shelf Z", self.account.pull_plan)

    def test_a_warehouse_failing_on_page_2_leaves_its_location_untouched(self):
        self.map_three()
        self.set_on_hand(self.gen["GEN-000001"], 3, self.defects)
        self.sandbox.faults.add(PRODUCTS, "http_500", page=2, times=100, warehouse="DEF01")
        with self.assertLogs("odoo.addons.otd_marketplace_stock", level="WARNING") as logs:
            job = self.run_job()
        self.assertEqual(job.state, "done", "the other warehouses finish")
        for sku, product in self.gen.items():
            self.assertEqual(self.own_quantity(product, self.shelf), self.zortout_quantity(sku, "ODS001"), sku)
        self.assertEqual(self.own_quantity(self.gen["GEN-000001"], self.defects), 3, "DEF01's location untouched")
        self.assertEqual(self.own_quantity(self.gen["GEN-001201"], self.defects), 0)
        failed = [entry for entry in self.result(job)["warehouses"] if entry["state"] == "failed"]
        self.assertEqual([entry["code"] for entry in failed], ["DEF01"])
        self.assertIn("DEF01", job.error)
        self.assertIn("page 2", job.error)
        self.assertIn("WH/Defects was not changed", job.error)
        self.assertIn("failed: DEF01", job.outcome)
        self.assertIn("DEF01", job.result_summary)
        self.assertTrue(any("event=warehouse_failed" in line and "warehouse=DEF01" in line for line in logs.output))
        self.assertEqual(self.account.last_sync_state, "done")
        self.assertEqual((job.skus_done, job.skus_total), (2 * 1201, 2 * 1201), "the failed sweep's rows left")
        moves = self.inventory_moves(job)
        self.assertFalse(moves.filtered(lambda move: self.defects in (move.location_id | move.location_dest_id)))

    def test_every_warehouse_failing_fails_the_job_and_changes_nothing(self):
        self.account.stock_scope = "warehouses"
        self.map("W0001", self.stock)
        self.map("DEF01", self.defects)
        self.sandbox.faults.add(PRODUCTS, "http_500", page=2, times=200)
        with self.expect_failure_logs():
            job = self.run_job()
        self.assertEqual(job.state, "failed")
        self.assertIn("No Zortout warehouse could be pulled", job.error)
        self.assertIn("W0001", job.error)
        self.assertIn("DEF01", job.error)
        self.assertFalse(self.inventory_moves(job))

    def test_a_payload_code_narrows_the_pull_to_that_mapping(self):
        self.map_three()
        job = self.run_job({"warehouse_code": "ODS001"})
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual({call["query"].get("warehousecode") for call in self.calls_to(PRODUCTS)}, {"ODS001"})
        self.assertEqual(self.own_quantity(self.gen["GEN-000001"], self.shelf),
                         self.zortout_quantity("GEN-000001", "ODS001"))
        self.assertEqual(self.own_quantity(self.gen["GEN-000001"], self.defects), 0)

    def test_a_sku_list_is_read_again_in_each_mapped_warehouse(self):
        self.map_three()
        job = self.run_job({"sku_list": list(SKUS)})
        self.assertEqual(job.state, "done", job.error)
        calls = self.calls_to(PRODUCTS)
        self.assertEqual(sorted(call["query"].get("warehousecode") for call in calls), ["DEF01", "ODS001", "W0001"])
        self.assertTrue(all(len(call["headers"]["skulist"].split(",")) == 3 for call in calls))
        for sku, product in self.gen.items():
            self.assertEqual(self.own_quantity(product, self.defects), self.zortout_quantity(sku, "DEF01"))

    def test_the_zero_guard_holds_per_mapping(self):
        """DEF01 says zero for everything that has stock in its location: that mapping is refused,
        the others apply."""
        self.map_three()
        products = [self.make_product(f"ZG-{index}") for index in range(30)]
        for index, product in enumerate(products):
            self.sandbox.catalogue.add_product({"id": 9_000_000 + index, "sku": product.default_code,
                                                "stock": {"W0001": 4, "DEF01": 0}})
            self.set_on_hand(product, 5, self.defects)
        with self.assertLogs("odoo.addons.otd_marketplace_stock", level="WARNING"):
            job = self.run_job()
        self.assertEqual(job.state, "done", job.error)
        self.assertIn("zero stock", job.error)
        self.assertEqual(self.own_quantity(products[0], self.defects), 5, "the refused mapping changed nothing")
        self.assertEqual(self.own_quantity(products[0], self.stock), 4)

    def test_two_mappings_to_one_location_are_refused(self):
        self.account.stock_scope = "warehouses"
        self.map("W0001", self.stock)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError) as caught, self.env.cr.savepoint():
            self.map("W0002", self.stock)
        self.assertIn("marketplace_warehouse_mapping_location_unique", str(caught.exception))
        # what the user reads (Odoo turns the refusal into this message)
        message = self.env["marketplace.warehouse.mapping"]._sql_error_to_message(caught.exception)
        self.assertIn("cannot fill the same stock location", message)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.map("W0001", self.shelf)

    def test_the_warehouse_list_shows_mappings_and_adds_one(self):
        self.account.zortout_warehouse_code = "W0001"
        action = self.account.with_user(self.manager).action_view_warehouse_list()
        wizard = self.env["zortout.warehouse.wizard"].browse(action["res_id"])
        lines = {line.code: line for line in wizard.line_ids}
        self.assertEqual(lines["W0001"].mapped_location_id, self.stock)
        self.assertFalse(lines["DEF01"].mapped_location_id)
        line = lines["DEF01"].with_user(self.manager)
        opened = line.action_add_mapping()
        # the dialog is the line's own form: its Discard can go back to the list
        self.assertEqual((opened["res_model"], opened["res_id"]), ("zortout.warehouse.wizard.line", line.id))
        self.assertEqual(line.warehouse_code, "DEF01")
        line.location_id = self.defects
        self.assertEqual(line.action_map()["tag"], "soft_reload", "back to the account form, reloaded")
        mapping = self.account.warehouse_mapping_ids.filtered(lambda mapping: mapping.warehouse_code == "DEF01")
        self.assertEqual(mapping.warehouse_name, "คลังสินค้าตำหนิ")
        self.assertEqual(self.account.zortout_warehouse_code, "W0001, DEF01")
        self.assertIn("DEF01 → WH/Defects", self.account.pull_plan)

    def test_mapping_a_warehouse_of_a_store_wide_account_pulls_per_warehouse(self):
        """The dialog proposes the stock of the Odoo warehouse named like the Zortout one; mapping
        it makes the account pull per warehouse, and the form says so."""
        self.assertEqual(self.account.stock_scope, "store_total")
        namesake = self.env["stock.warehouse"].create({"name": "Defects", "code": "DEF01"})
        action = self.account.with_user(self.manager).action_view_warehouse_list()
        line = self.env["zortout.warehouse.wizard"].browse(action["res_id"]).line_ids.filtered(
            lambda line: line.code == "DEF01")
        line = line.with_user(self.manager)
        line.action_add_mapping()
        self.assertEqual(line.location_id, namesake.lot_stock_id, "the dialog proposes the namesake's stock")
        line.action_map()
        self.assertEqual(self.account.stock_scope, "warehouses")
        self.assertEqual(self.account.pull_plan, f"Will pull DEF01 → {namesake.lot_stock_id.display_name}")

    def test_test_warehouse_code_checks_every_mapping(self):
        self.map_three()
        self.map("NOPE9", self.env["stock.location"].create({"name": "Nope", "location_id": self.stock.id,
                                                              "usage": "internal"}))
        answer = self.account.action_test_warehouse_code()
        test = self.env[answer["res_model"]].browse(answer["res_id"])
        self.assertEqual(test.outcome, "problem")
        lines = {line.code: line for line in test.line_ids}
        self.assertEqual(set(lines), {"W0001", "ODS001", "DEF01", "NOPE9"}, "one line per mapping")
        self.assertTrue(all(lines[code].usable for code in ("W0001", "ODS001", "DEF01")))
        self.assertIn("reports 1201 products there", " ".join(test.line_ids.mapped("result")))
        self.assertEqual(lines["NOPE9"].location, "WH/Stock/Nope")
        self.assertFalse(lines["NOPE9"].usable)
        self.assertIn("Zortout has no warehouse", lines["NOPE9"].result)
        self.assertEqual(len(self.calls_to("/Warehouse/GetWarehouses")), 1)


@tagged("post_install", "-at_install")
class TestWarehouseCodeMigration(MarketplaceCase):
    """An account of the users' guide (one code, one Stock Location) before 19.0.1.2.0."""

    def migrate(self, accounts_codes):
        """Put the accounts back in the former shape (the code in its own column, no mapping)
        and run the upgrade's post-migration step on them."""
        spec = importlib.util.spec_from_file_location("otd_post_migrate_19_0_1_2_0", MIGRATION)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cr = self.env.cr
        cr.execute(f'ALTER TABLE marketplace_account ADD COLUMN "{module.LEGACY_COLUMN}" varchar')
        for account, code in accounts_codes:
            account.warehouse_mapping_ids.unlink()
            account.stock_scope = "warehouses"  # what the new column holds before the step runs
            cr.execute(f'UPDATE marketplace_account SET "{module.LEGACY_COLUMN}" = %s WHERE id = %s',
                       [code, account.id])
        self.env.flush_all()
        module.migrate(cr, "19.0.1.1.0")
        self.env.invalidate_all()
        cr.execute("SELECT 1 FROM information_schema.columns WHERE table_name = 'marketplace_account' "
                   "AND column_name = %s", [module.LEGACY_COLUMN])
        self.assertFalse(cr.fetchone(), "the former column is dropped")

    def test_the_single_code_account_migrates_and_pulls_as_before(self):
        before = self.run_job()  # store-wide, to compare with: nothing special about it
        self.assertEqual(before.state, "done", before.error)
        store_wide = self.account.copy({"name": "No code", "stock_scope": "store_total",
                                        "stock_location_id": self.location_of_its_own("No Code Shop").id})
        self.migrate([(self.account, "ODS001"), (store_wide, None)])
        self.sandbox.clear_requests()
        mapping = self.account.warehouse_mapping_ids
        self.assertEqual((mapping.warehouse_code, mapping.location_id), ("ODS001", self.stock))
        self.assertEqual(self.account.stock_scope, "warehouses")
        self.assertEqual(self.account.zortout_warehouse_code, "ODS001", "the guide's field keeps its value")
        self.assertEqual(store_wide.stock_scope, "store_total", "no code summed every warehouse: now said so")
        self.assertFalse(store_wide.warehouse_mapping_ids)
        job = self.run_job()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.result(job)["warehouse_code"], "ODS001")
        self.assertEqual(self.on_hand(self.products["DEMO-MUG"]), 58)
        self.assertEqual(self.on_hand(self.products["DEMO-TSHIRT-S"]), 20)
        sweep = [call for call in self.calls_to(PRODUCTS) if "skulist" not in call["headers"]]
        self.assertTrue(sweep and all(call["query"].get("warehousecode") == "ODS001" for call in sweep))

    def test_a_job_stopped_between_steps_starts_its_sweep_again(self):
        self.account.zortout_warehouse_code = "ODS001"
        job = self.new_job()
        job.sudo().write({"sync_phase": "apply"})
        self.env["marketplace.job.page"].create({"job_id": job.id, "number": 1, "rows": "[]"})
        self.migrate([(self.account, "ODS001")])
        self.assertEqual(job.sync_phase, "start")
        self.assertFalse(job.page_ids)
        job.action_run_now()
        self.assertEqual(job.state, "done", job.error)
