"""What the Thai clerk trips over on the job side: a preview of several Zortout
warehouses applied, change lines that name their warehouse and location, products that
Zortout does not know, the progress of several warehouses, the payload's warehouse checked
on save, the numbers the Jobs list shows and where each job comes from."""

import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from odoo.addons.otd_marketplace_stock.const import (
    PARAM_BASE_URL,
    PARAM_HAND_MADE_HOLD,
    PARAM_REQUEST_BUDGET,
    QUANTITY_EVENT,
)
from odoo.addons.otd_marketplace_stock.services.webhook_events import WEBHOOK_EVENTS

from .common import MarketplaceCase
from .sandbox_case import PRODUCTS, SandboxCase
from .thai import load_thai


@tagged("post_install", "-at_install")
class TestClerkJobs(MarketplaceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.env["stock.location"].create({
            "name": "Shop", "location_id": cls.warehouse.view_location_id.id, "usage": "internal"})

    def map_two(self):
        """W0001 -> WH/Stock, W0002 -> WH/Shop: the guide's two Zortout warehouses."""
        self.account.stock_scope = "warehouses"
        for code, location in (("W0001", self.stock), ("W0002", self.shop)):
            self.env["marketplace.warehouse.mapping"].create({
                "account_id": self.account.id, "warehouse_code": code, "location_id": location.id})

    def preview(self):
        job = self.env["marketplace.job"].browse(self.account.action_preview_stock()["res_id"])
        self.assertEqual(job.state, "done", job.error)
        self.assertTrue(job.is_preview)
        return job

    def apply(self, preview):
        return self.env["marketplace.job"].browse(preview.action_apply_preview()["res_id"])

    # -- 1. a preview of several warehouses is applied, each into its own location -----------

    def test_a_preview_of_two_warehouses_applies_each_into_its_location_without_reading_zortout(self):
        self.map_two()
        mug = self.products["DEMO-MUG"]
        preview = self.preview()
        self.assertEqual(self.on_hand(mug), 0, "a preview writes no stock")
        self.assertEqual(preview.origin, "preview")
        calls = len(self.calls_to(PRODUCTS))
        applied = self.apply(preview)
        self.assertEqual(applied.state, "done", applied.error)
        self.assertEqual(len(self.calls_to(PRODUCTS)), calls, "applying the preview reads no Zortout page again")
        for code, location in (("W0001", self.stock), ("W0002", self.shop)):
            for sku, product in self.products.items():
                if sku == "DEMO-CAP" and code == "W0002":
                    continue
                self.assertEqual(product.with_context(location=location.id).qty_available,
                                 self.zortout_quantity(sku, code), f"{code} {sku}")
        warehouses = self.result(applied)["warehouses"]
        self.assertEqual([(entry["code"], entry["state"]) for entry in warehouses],
                         [("W0001", "done"), ("W0002", "done")])
        self.assertEqual([entry["updated"] for entry in warehouses],
                         [entry["updated"] for entry in self.result(preview)["warehouses"]])
        # each job names the other
        self.assertEqual(applied.applied_from_id, preview)
        self.assertEqual(preview.applied_job_ids, applied)
        self.assertEqual(applied.origin, "preview_applied")
        self.assertFalse(applied.is_preview)
        # the applied job's lines name their warehouse and location
        mug_lines = applied.line_ids.filtered(lambda line: line.sku == "DEMO-MUG")
        self.assertEqual(sorted((line.warehouse_code, line.location_id.id, line.decision) for line in mug_lines),
                         sorted([("W0001", self.stock.id, "updated"), ("W0002", self.shop.id, "updated")]))

    def test_the_runner_finishes_an_applied_preview_and_rereads_only_a_warehouse_grown_too_old(self):
        self.map_two()
        preview = self.preview()
        self.env["ir.config_parameter"].sudo().set_param(PARAM_REQUEST_BUDGET, 0)  # the runner does the rest
        applied = self.apply(preview)
        self.assertEqual(applied.state, "pending", "handed to the runner after its first step")
        self.assertEqual(applied.sync_target_index, 0)
        # the second warehouse's pages grow old before the runner comes to them
        applied.page_ids.filtered(lambda page: page.sweep == 1).sudo().write(
            {"read_at": fields.Datetime.now() - timedelta(minutes=20)})
        calls = len(self.calls_to(PRODUCTS))
        self.env["marketplace.job"]._run_due_jobs(commit=False)
        self.assertEqual(applied.state, "done", applied.error)
        read = [call["query"].get("warehousecode") for call in self.calls_to(PRODUCTS)[calls:]]
        self.assertEqual(set(read), {"W0002"}, "W0001 came from the preview; W0002 was read again")
        for code, location in (("W0001", self.stock), ("W0002", self.shop)):
            self.assertEqual(self.on_hand(self.products["DEMO-MUG"], location),
                             self.zortout_quantity("DEMO-MUG", code), code)
        self.assertEqual(applied.skus_done, applied.skus_total)

    def test_applying_a_preview_of_two_warehouses_meets_the_zero_guard_per_warehouse(self):
        self.map_two()
        # W0002 says zero for every product that has stock in the shop
        for index in range(12):
            product = self.make_product(f"ZERO-{index}")
            self.set_on_hand(product, 10, self.shop)
            self.sandbox.catalogue.add_product({"sku": f"ZERO-{index}", "stock": {"W0001": 3, "W0002": 0}})
        preview = self.preview()
        self.assertFalse(preview.error, "the zero guard does not stop a preview")
        with self.assertLogs("odoo.addons.otd_marketplace_stock", level="WARNING"):
            applied = self.apply(preview)
        self.assertEqual(applied.state, "done", applied.error)
        self.assertEqual([(entry["code"], entry["state"]) for entry in self.result(applied)["warehouses"]],
                         [("W0001", "done"), ("W0002", "failed")])
        self.assertIn("zero stock", applied.error)
        zero = self.env["product.product"].search([("default_code", "=", "ZERO-0")])
        self.assertEqual(zero.with_context(location=self.shop.id).qty_available, 10, "the shop kept its stock")
        self.assertEqual(self.on_hand(zero), 3, "W0001 was applied")

    def test_a_preview_of_two_warehouses_is_refused_after_stock_moved_in_one_of_them(self):
        self.map_two()
        preview = self.preview()
        preview.sudo().finished_at = fields.Datetime.now() - timedelta(minutes=1)
        self.set_on_hand(self.products["DEMO-CAP"], 2, self.shop)
        quant = self.env["stock.quant"].search([("product_id", "=", self.products["DEMO-CAP"].id),
                                                ("location_id", "=", self.shop.id)])
        quant.with_context(inventory_mode=True).inventory_quantity = 5
        quant.action_apply_inventory()
        with self.assertRaises(UserError) as caught:
            preview.action_apply_preview()
        self.assertIn("Stock moved at WH/Shop", str(caught.exception))
        self.assertNotIn("WH/Stock", str(caught.exception))

    def test_an_old_preview_of_two_warehouses_is_refused(self):
        self.map_two()
        preview = self.preview()
        # the first warehouse was read 20 minutes ago, the second just now: the older one decides
        preview.page_ids.filtered(lambda page: page.sweep == 0).sudo().write(
            {"read_at": fields.Datetime.now() - timedelta(minutes=20)})
        with self.assertRaises(UserError) as caught:
            preview.action_apply_preview()
        self.assertIn("15 minutes", str(caught.exception))
        self.assertFalse(preview.applied_job_ids)

    def test_a_warehouse_the_preview_could_not_read_is_left_out(self):
        self.map_two()
        self.sandbox.faults.add(PRODUCTS, "http_500", page=1, times=100, warehouse="W0002")
        with self.assertLogs("odoo.addons.otd_marketplace_stock", level="WARNING"):
            preview = self.preview()
        calls = len(self.calls_to(PRODUCTS))
        applied = self.apply(preview)
        self.assertEqual(applied.state, "done", applied.error)
        self.assertEqual([entry["code"] for entry in self.result(applied)["warehouses"]], ["W0001"])
        self.assertEqual(len(self.calls_to(PRODUCTS)), calls)
        self.assertEqual(self.on_hand(self.products["DEMO-MUG"], self.shop), 0, "W0002 was not applied")
        self.assertEqual(self.on_hand(self.products["DEMO-MUG"]), self.zortout_quantity("DEMO-MUG", "W0001"))

    # -- 2 and 3. change lines: warehouse, location; a product Zortout does not know ---------

    def test_a_product_zortout_does_not_know_shows_its_stock_and_no_zortout_quantity(self):
        gone = self.make_product("GONE-FROM-ZORTOUT", name="Renamed in Zortout")
        self.set_on_hand(gone, 7)
        job = self.run_job()
        self.assertEqual(job.state, "done", job.error)
        line = job.line_ids.filtered(lambda line: line.sku == "GONE-FROM-ZORTOUT")
        self.assertEqual(line.decision, "not_in_zortout")
        self.assertEqual(line.product_id, gone, "the line names the product")
        self.assertEqual((line.quantity_before, line.quantity_after), (7, 7), "its stock was left alone")
        self.assertTrue(line.zortout_quantity_missing, "no Zortout quantity: empty, not 0.00")
        self.assertEqual(line.location_id, self.stock)
        self.assertFalse(line.warehouse_code, "store-wide totals name no warehouse")
        self.assertEqual(self.on_hand(gone), 7)
        mug = job.line_ids.filtered(lambda line: line.sku == "DEMO-MUG")
        self.assertFalse(mug.zortout_quantity_missing)
        self.assertEqual(mug.zortout_quantity, self.zortout_quantity("DEMO-MUG"))

    def test_a_sku_skipped_in_two_warehouses_has_a_line_in_each_and_the_count_says_so(self):
        self.map_two()
        job = self.run_job()
        self.assertEqual(job.state, "done", job.error)
        lines = job.line_ids.filtered(lambda line: line.sku == "DEMO-NOT-IN-ODOO")
        self.assertEqual(sorted(lines.mapped("warehouse_code")), ["W0001", "W0002"])
        self.assertEqual(lines.location_id, self.stock | self.shop)
        # grouped by warehouse, as the Changes list offers it
        groups = self.env["marketplace.job.line"]._read_group([("job_id", "=", job.id)], ["warehouse_code"],
                                                              ["__count"])
        self.assertEqual({code for code, _count in groups}, {"W0001", "W0002"})
        self.assertEqual(self.result(job)["skipped"]["not_in_odoo"], 2)
        self.assertIn("e.g. DEMO-NOT-IN-ODOO", job.result_summary, "one SKU named for a count of 2")
        self.assertIn("counts twice", job.result_summary)
        # a second pull repeats no skip line, warehouse by warehouse
        again = self.run_job()
        self.assertFalse(again.line_ids.filtered(lambda line: line.sku == "DEMO-NOT-IN-ODOO"))

    # -- 4. the progress of several warehouses ----------------------------------------------

    def test_the_progress_names_every_warehouse_and_a_preview_says_would_update(self):
        self.map_two()
        preview = self.preview()
        self.assertEqual(preview.sweep_count, 2)
        self.assertEqual(preview.sweeps_display, "W0001 → WH/Stock, W0002 → WH/Shop")
        summary = preview.result_summary
        table = summary[summary.index("o_marketplace_warehouses"):]
        self.assertIn("Would update", table)
        self.assertNotIn("Updated", table)
        self.assertIn("Read (preview, no stock changed)", table)
        applied = self.apply(preview)
        table = applied.result_summary[applied.result_summary.index("o_marketplace_warehouses"):]
        self.assertIn("Updated", table)
        self.assertNotIn("Would update", table)
        preview.sudo().write({"sync_phase": "apply", "state": "pending"})  # as it stood while it ran
        self.assertEqual(preview.step_display, "Comparing with Odoo (no stock is changed) (warehouse 2 of 2)")
        self.assertTrue(preview.outcome.startswith("Comparing with Odoo (no stock is changed) (warehouse 2 of 2): "),
                        preview.outcome)

    # -- 7. the payload's warehouse is checked on save ---------------------------------------

    def test_the_guides_example_is_refused_on_save_when_the_account_does_not_map_ods001(self):
        self.account.stock_scope = "warehouses"
        self.env["marketplace.warehouse.mapping"].create({
            "account_id": self.account.id, "warehouse_code": "W0001", "location_id": self.stock.id})
        count = self.env["marketplace.job"].search_count([])
        with self.assertRaises(ValidationError) as caught:
            self.new_job('{"warehouse_code": "ODS001", "sku_list": []}', user=self.user)
        self.assertIn('The warehouse code "ODS001" is not mapped on the account Zortout Test (mapped: W0001)',
                      str(caught.exception))
        self.assertEqual(self.env["marketplace.job"].search_count([]), count)
        self.assertEqual(self.new_job('{"warehouse_code": "W0001"}', user=self.user).state, "pending")

    def test_a_store_wide_account_accepts_any_code(self):
        job = self.new_job({"warehouse_code": "ODS001"}, user=self.user)
        self.assertEqual(job.state, "pending")

    # -- 9. numbers ---------------------------------------------------------------------------

    def test_a_refused_save_uses_no_job_number(self):
        first = self.new_job()
        with self.assertRaises(ValidationError):
            self.new_job("{not json", user=self.user)
        second = self.new_job()
        number = int(first.reference.split("/")[-1])
        self.assertEqual(second.reference, f"JOB/{number + 1:04d}")

    def test_the_duration_is_the_one_measured(self):
        """Start and finish times are kept to the second: a job of 0.418 s shows the engine's own
        measure, not 0.0 s."""
        job = self.run_job({"sku_list": ["DEMO-MUG"]})
        data = json.loads(job.result)
        self.assertGreater(data["duration_s"], 0)
        job.sudo().write({"result": json.dumps(dict(data, duration_s=0.418)),
                          "finished_at": job.started_at})
        self.assertEqual(job.duration, 0.42, "0.42 s, not 0.0 s")
        self.assertEqual(job._fields["duration"].get_digits(self.env), (12, 2), "shown to the hundredth")

    def test_a_hand_made_job_says_why_next_run_at_moved(self):
        self.env["ir.config_parameter"].sudo().set_param(PARAM_HAND_MADE_HOLD, 120)
        now = fields.Datetime.now()
        job = self.new_job(user=self.user, next_run_at=now)
        self.assertEqual(job.next_run_at, now, "a job made by a script keeps its time")
        # the same job, saved from the Jobs form
        form_job = self.env(user=self.user)["marketplace.job"].with_context(marketplace_job_hand_made=True).create({
            "account_id": self.account.id, "next_run_at": fields.Datetime.to_string(now)})
        self.assertGreaterEqual(form_job.next_run_at, now + timedelta(seconds=119))
        self.assertIn("waits 120 seconds for Run Now", form_job.next_run_note)
        self.assertEqual(job.origin, "hand_made")

    # -- 6 and 11. where a job comes from; the account preselected ----------------------------

    def test_each_way_in_names_its_origin(self):
        pull = self.env["marketplace.job"].browse(self.account.with_user(self.user).action_pull_stock()["res_id"])
        self.assertEqual(pull.origin, "pull_stock")
        self.account.pull_interval = 1
        self.account.sync_enabled = True
        self.env.cr.execute("UPDATE marketplace_job SET create_date = create_date - interval '1 hour'")
        self.account.sudo().last_sync_at = fields.Datetime.now() - timedelta(hours=1)
        scheduled = self.env["marketplace.account"]._cron_schedule_pulls()
        self.assertEqual(scheduled.origin, "scheduled")
        scheduled.action_cancel()
        outcome = {"added": 0, "new_jobs": 0}
        self.account.sudo()._webhook_new_jobs(WEBHOOK_EVENTS[QUANTITY_EVENT], ["DEMO-MUG"], outcome, 5)
        instant = self.env["marketplace.job"].search([("account_id", "=", self.account.id),
                                                      ("job_type", "=", "instant_sync_from_zortout")])
        self.assertEqual(instant.origin, "instant")
        hand = self.new_job(user=self.user)
        self.assertEqual(hand.origin, "hand_made")
        with self.assertRaises(AccessError):
            self.new_job(user=self.user, origin="scheduled")  # the queue's, not a person's

    def test_a_new_job_names_the_companys_only_account(self):
        self.env["marketplace.account"].search([("id", "!=", self.account.id)]).active = False
        form = Form(self.env(user=self.user)["marketplace.job"].with_context(marketplace_job_hand_made=True))
        self.assertEqual(form.account_id, self.account)
        self.assertIn("waits", form.next_run_note, "the form says why Next Run At moves")
        job = form.save()  # the Jobs form's fields only: the clerk can save it
        self.assertEqual((job.account_id, job.origin, job.state), (self.account, "hand_made", "pending"))
        self.assertTrue(job.reference.startswith("JOB/"))
        self.env["marketplace.account"].create({"name": "Second", "store_name": "x", "api_key": "k",
                                                "api_secret": "s", "stock_scope": "store_total",
                                                "stock_location_id": self.location_of_its_own("Second Shop").id})
        form = Form(self.env(user=self.user)["marketplace.job"])
        self.assertFalse(form.account_id, "with two accounts the clerk chooses")



@tagged("post_install", "-at_install")
class TestClerkJobsTour(SandboxCase, HttpCase):
    def test_a_thai_clerk_applies_a_preview_of_two_warehouses(self):
        """In Thai: a preview of W0001 and W0002 names both warehouses in its progress and says
        จะอัปเดต, its Changes name each line's warehouse and location; ปรับสต็อกตามตัวอย่างนี้
        fills each location from its own warehouse, and each job links to the other."""
        admin = self.env.ref("base.user_admin")
        load_thai(self.env, admin)
        self.env["ir.config_parameter"].sudo().set_param(PARAM_BASE_URL, self.sandbox.base_url)
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", admin.company_id.id)],
                                                       order="sequence, id", limit=1)
        stock = warehouse.lot_stock_id
        shop = self.env["stock.location"].create({
            "name": "Shop", "location_id": warehouse.view_location_id.id, "usage": "internal"})
        mug = self.env["product.product"].create({
            "name": "Tour mug", "default_code": "DEMO-MUG", "type": "consu", "is_storable": True})
        account = self.env["marketplace.account"].create({
            "name": "Zortout Two Warehouses", "store_name": self.sandbox.store_name,
            "api_key": self.sandbox.api_key, "api_secret": self.sandbox.api_secret, "stock_scope": "warehouses",
            "company_id": admin.company_id.id})
        for code, location in (("W0001", stock), ("W0002", shop)):
            self.env["marketplace.warehouse.mapping"].create({
                "account_id": account.id, "warehouse_code": code, "location_id": location.id})
        preview = self.env["marketplace.job"].browse(account.with_user(admin).action_preview_stock()["res_id"])
        self.assertEqual(preview.state, "done", preview.error)
        self.start_tour(f"/odoo/action-otd_marketplace_stock.action_marketplace_job/{preview.id}",
                        "otd_marketplace_stock_clerk_jobs", login="admin")
        applied = preview.applied_job_ids
        self.assertEqual(len(applied), 1)
        self.assertEqual(applied.state, "done", applied.error)
        catalogue = self.sandbox.catalogue
        for location, code in ((stock, "W0001"), (shop, "W0002")):
            self.assertEqual(mug.with_context(location=location.id).qty_available,
                             float(catalogue.stock_of("DEMO-MUG", code)[1]), code)
