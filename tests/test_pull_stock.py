from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import DEMO_GOODS, MarketplaceCase


@tagged("post_install", "-at_install")
class TestPullStock(MarketplaceCase):
    def test_pull_stock_button_creates_job_and_sets_on_hand(self):
        """Pull Stock runs a job at once, opens it, and on hand equals Zortout's available stock."""
        action = self.account.with_user(self.user).action_pull_stock()
        self.assertEqual(action["res_model"], "marketplace.job")
        job = self.env["marketplace.job"].browse(action["res_id"])
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(job.account_id, self.account)
        for sku in DEMO_GOODS:
            self.assertEqual(self.on_hand(self.products[sku]), self.zortout_quantity(sku), sku)
        result = self.result(job)
        self.assertEqual(result["updated"], len(DEMO_GOODS))
        # DEMO-NOT-IN-ODOO and DEMO-GIFTWRAP have no Odoo product here
        self.assertEqual(result["skipped"]["not_in_odoo"], 2)
        self.assertEqual(sorted(result["samples"]["not_in_odoo"]), ["DEMO-GIFTWRAP", "DEMO-NOT-IN-ODOO"])
        self.assertEqual(self.account.last_sync_state, "done")
        self.assertTrue(self.account.last_sync_at)
        self.assertIn("Updated", job.result_summary)

    def test_pull_stock_twice_opens_the_queued_job(self):
        """A second Pull Stock while a sync is pending or running starts nothing new and opens that job."""
        queued = self.new_job()
        action = self.account.action_pull_stock()
        self.assertEqual(action["res_id"], queued.id)
        self.assertEqual(queued.state, "pending", "opening the queued job does not run it")
        queued.sudo().write({"state": "running"})
        action = self.account.action_pull_stock()
        self.assertEqual(action["res_id"], queued.id)
        self.assertEqual(self.env["marketplace.job"].search_count([("account_id", "=", self.account.id)]), 1)

    def test_pull_again_with_unchanged_quantities_moves_nothing(self):
        """After one pull, a second pull finds every quantity unchanged and creates no stock move."""
        first = self.env["marketplace.job"].browse(self.account.action_pull_stock()["res_id"])
        self.assertEqual(first.state, "done")
        self.assertEqual(len(self.inventory_moves(first)), len(DEMO_GOODS))
        moves_before = self.env["stock.move"].search_count([])
        second = self.env["marketplace.job"].browse(self.account.action_pull_stock()["res_id"])
        self.assertNotEqual(first, second)
        self.assertEqual(second.state, "done")
        self.assertEqual(self.result(second)["unchanged"], len(DEMO_GOODS))
        self.assertEqual(self.result(second)["updated"], 0)
        self.assertEqual(self.env["stock.move"].search_count([]), moves_before)

    def test_inventory_adjustment_moves_are_named_after_the_job(self):
        """Changes are inventory adjustments from the inventory-loss location, named "Zortout sync JOB/...". """
        product = self.products["DEMO-MUG"]
        self.set_on_hand(product, 3)
        job = self.run_job()
        moves = self.inventory_moves(job).filtered(lambda m: m.product_id == product)
        self.assertTrue(job.reference.startswith("JOB/"))
        self.assertEqual(len(moves), 1)
        self.assertTrue(moves.is_inventory)
        self.assertEqual(moves.state, "done")
        self.assertEqual(moves.location_id.usage, "inventory")
        self.assertEqual(moves.location_dest_id, self.stock)
        self.assertEqual(moves.quantity, self.zortout_quantity("DEMO-MUG") - 3)
        self.assertEqual(moves.reference, f"Zortout sync {job.reference}")

    def test_quantity_source_on_hand(self):
        """With Quantity Source "On Hand Stock" the physical quantity is pulled."""
        self.account.quantity_source = "stock"
        self.run_job()
        for sku in ("DEMO-TSHIRT-S", "DEMO-PEN"):
            self.assertEqual(self.on_hand(self.products[sku]), self.zortout_quantity(sku, source="stock"))

    def test_action_sync_stock_from_zortout_from_a_scheduled_action(self):
        """model.action_sync_stock_from_zortout() pulls every enabled account once, never duplicating."""
        other = self.account.copy({"name": "Zortout Copy", "api_key": "sandbox-api-key",
                                   "api_secret": "sandbox-api-secret", "stock_scope": "store_total",
                                   "stock_location_id": self.location_of_its_own("Copy Shop").id})
        disabled = self.account.copy({"name": "Disabled", "sync_enabled": False})
        busy = self.new_job()  # the first account already has a pending sync
        self.assertIs(self.env["marketplace.account"].action_sync_stock_from_zortout(), True)
        Job = self.env["marketplace.job"]
        self.assertEqual(Job.search([("account_id", "=", self.account.id)]), busy)
        self.assertEqual(busy.state, "pending")
        other_job = Job.search([("account_id", "=", other.id)])
        self.assertEqual(other_job.state, "done", other_job.error)
        self.assertFalse(Job.search([("account_id", "=", disabled.id)]))
        action = other.action_sync_stock_from_zortout()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(Job.search_count([("account_id", "=", other.id)]), 2)


@tagged("post_install", "-at_install")
class TestWarehouseCode(MarketplaceCase):
    def test_six_character_account_code(self):
        """The account's 6-character code ODS001 is used as is (Odoo short names stop at 5)."""
        self.account.zortout_warehouse_code = "ODS001"
        job = self.run_job()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.result(job)["warehouse_code"], "ODS001")
        self.assertEqual(self.on_hand(self.products["DEMO-TSHIRT-S"]), 20)
        self.assertEqual(self.on_hand(self.products["DEMO-MUG"]), 58)
        calls = self.calls_to("/Product/GetProducts")
        self.assertTrue(calls and all(call["query"].get("warehousecode") == "ODS001" for call in calls))
        self.assertEqual(len(self.calls_to("/Warehouse/GetWarehouses")), 1)

    def test_payload_code_reads_that_warehouse_into_the_store_wide_location(self):
        """The guide's Job Queue flow: an account of store-wide totals, a payload naming one warehouse."""
        job = self.run_job({"warehouse_code": " W0002 "})
        self.assertEqual(self.result(job)["warehouse_code"], "W0002")
        self.assertEqual(self.on_hand(self.products["DEMO-MUG"]), 24)

    def test_payload_code_that_is_not_mapped_is_refused(self):
        """Per warehouse, a payload may only narrow the pull to a mapped warehouse: W0002's stock
        must not land in the location that ODS001 fills."""
        self.account.zortout_warehouse_code = "ODS001"
        with self.assertRaisesRegex(ValidationError, '"W0002" is not mapped'):
            self.new_job({"warehouse_code": "W0002"})  # refused on save
        # a job saved while W0002 was mapped, run after its mapping changed: refused when it runs
        self.account.zortout_warehouse_code = "W0002"
        job = self.new_job({"warehouse_code": "W0002"})
        self.account.zortout_warehouse_code = "ODS001"
        with self.expect_failure_logs():
            job.action_run_now()
        self.assertEqual(job.state, "failed")
        self.assertIn('"W0002" is not mapped', job.error)
        self.assertIn("ODS001", job.error)
        self.assertFalse(self.calls_to("/Product/GetProducts"))
        self.assertEqual(self.on_hand(self.products["DEMO-MUG"]), 0)

    def test_no_mapping_refuses_to_pull_and_says_what_to_do(self):
        """Per warehouse without any mapping: nothing is summed silently; the form and the job say why."""
        self.account.stock_scope = "warehouses"
        self.assertIn("No Zortout warehouse is mapped", self.account.pull_plan_problem)
        with self.expect_failure_logs():
            job = self.run_job()
        self.assertEqual(job.state, "failed")
        self.assertIn("maps no Zortout warehouse", job.error)
        self.assertIn("store-wide totals", job.error)
        self.assertFalse(self.calls_to("/Product/GetProducts"))

    def test_store_wide_totals_are_an_explicit_choice_the_form_states(self):
        self.assertEqual(self.account.stock_scope, "store_total")
        self.assertIn("store-wide totals of every Zortout warehouse", self.account.pull_plan)
        self.assertIn(self.stock.display_name, self.account.pull_plan)
        job = self.run_job()
        self.assertFalse(self.result(job)["warehouse_code"])
        self.assertEqual(self.on_hand(self.products["DEMO-PEN"]), 495 + 120 + 200)
        self.assertTrue(all("warehousecode" not in call["query"] for call in self.calls_to("/Product/GetProducts")))

    def test_unknown_code_fails_listing_valid_codes_and_writes_nothing(self):
        self.account.zortout_warehouse_code = "NOPE01"
        with self.expect_failure_logs() as logs:
            job = self.run_job()
        self.assertEqual(job.state, "failed")
        self.assertEqual(job.attempts, 1, "a wrong code is permanent: no retry")
        for code in ("NOPE01", "W0001", "W0002", "ODS001"):
            self.assertIn(code, job.error)
        self.assertEqual(self.on_hand(self.products["DEMO-MUG"]), 0)
        self.assertFalse(self.calls_to("/Product/GetProducts"), "no sweep with an unknown code")
        self.assertEqual(self.account.last_sync_state, "failed")
        self.assertTrue(any("event=failed" in line and f"job={job.reference}" in line for line in logs.output))

    def test_test_warehouse_code_button(self):
        self.account.zortout_warehouse_code = "ODS001"
        answer = self.account.action_test_warehouse_code()
        test = self.env[answer["res_model"]].browse(answer["res_id"])
        self.assertEqual(test.outcome, "ok")
        self.assertEqual(test.line_ids.code, "ODS001")
        catalogue = self.sandbox.catalogue
        held = sum(1 for item in catalogue.products if catalogue.holds(item, "ODS001"))
        self.assertIn(f"reports {held} products", test.line_ids.result)
        self.account.zortout_warehouse_code = "BAD"
        answer = self.account.action_test_warehouse_code()
        test = self.env[answer["res_model"]].browse(answer["res_id"])
        self.assertEqual(test.outcome, "problem")
        self.assertIn("W0001, W0002, ODS001", test.line_ids.result)

    def test_view_warehouse_list_and_use_a_code(self):
        action = self.account.with_user(self.manager).action_view_warehouse_list()
        wizard = self.env["zortout.warehouse.wizard"].browse(action["res_id"])
        self.assertEqual(sorted(wizard.line_ids.mapped("code")), ["ODS001", "W0001", "W0002"])
        line = wizard.line_ids.filtered(lambda row: row.code == "ODS001")
        self.assertEqual(line.name, "คลังออนไลน์ ODS")
        line.with_user(self.manager).action_use_code()
        self.assertEqual(self.account.zortout_warehouse_code, "ODS001")
        self.assertTrue(line.is_current)

    def test_test_connection(self):
        answer = self.account.action_test_connection()
        self.assertEqual(answer["params"]["type"], "success")
        self.account.api_secret = "wrong"
        answer = self.account.action_test_connection()
        self.assertEqual(answer["params"]["type"], "danger")
        self.assertIn("Access Denied", answer["params"]["message"])
        self.assertNotIn("wrong", answer["params"]["message"])
