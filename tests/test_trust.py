"""Trust: a job's state is the engine's, companies stay apart, and the newest Zortout
reading wins (a pull spread over runs, a retry a day later, a preview applied late)."""

import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.otd_marketplace_stock.const import PARAM_PAGE_MAX_AGE
from odoo.addons.otd_marketplace_stock.services.sync_engine import SyncEngine

from .sandbox_case import PRODUCTS
from .webhook_case import WebhookCase

SHARED_SKU = "SEC-SHARED-1"


@tagged("post_install", "-at_install")
class TestEngineOwnsItsState(WebhookCase):
    """What a Marketplace User of another company can do over JSON-RPC, as the web client calls it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.stock_b = cls.env["stock.warehouse"].search([("company_id", "=", cls.company_b.id)], limit=1).lot_stock_id
        cls.user_b = new_test_user(cls.env, "trust_user_b", groups="otd_marketplace_stock.group_marketplace_user",
                                   company_id=cls.company_b.id, company_ids=[cls.company_b.id])
        cls.manager_b = new_test_user(cls.env, "trust_manager_b", company_id=cls.company_b.id,
                                      company_ids=[cls.company_b.id],
                                      groups="otd_marketplace_stock.group_marketplace_manager")
        cls.account_b = cls.env["marketplace.account"].create({
            "name": "Zortout B", "company_id": cls.company_b.id, "store_name": cls.sandbox.store_name,
            "api_key": cls.sandbox.api_key, "api_secret": cls.sandbox.api_secret,
            "stock_location_id": cls.stock_b.id, "stock_scope": "store_total"})
        # a product both companies share (no company): company A holds 5 of it
        cls.shared = cls.make_product(SHARED_SKU)

    def call(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(f"/web/dataset/call_kw/{model}/{method}", {
            "model": model, "method": method, "args": list(args), "kwargs": kwargs})

    def test_a_user_of_another_company_cannot_set_the_engine_state_over_rpc(self):
        self.set_on_hand(self.shared, 5)
        self.authenticate("trust_user_b", "trust_user_b")
        forged = {"name": "x", "job_type": "sync_stock_from_zortout", "account_id": self.account_b.id,
                  "payload": "{}", "sync_phase": "settle", "sync_location_id": self.stock.id,
                  "sweep_notes": json.dumps({"settled": [{"sku": SHARED_SKU, "stock": "999",
                                                          "availablestock": "999"}]})}
        with self.assertRaises(JsonRpcException) as caught:
            self.call("marketplace.job", "create", [forged])
        self.assertIn("AccessError", str(caught.exception))
        # the same through defaults in the context: they are dropped, the job starts from the beginning
        job_id = self.call("marketplace.job", "create", [{"name": "x", "account_id": self.account_b.id}],
                           context={"default_sync_phase": "settle", "default_sync_location_id": self.stock.id,
                                    "default_result": "not json", "default_state": "done"})[0]
        job = self.env["marketplace.job"].browse(job_id)
        self.assertEqual((job.state, job.sync_phase, job.sync_location_id, job.result),
                         ("pending", "start", self.env["stock.location"], False))
        for values in ({"state": "done"}, {"result": "{}"}, {"error_data": "[]"}, {"sync_location_id": self.stock.id},
                       {"attempts": 0}):
            with self.subTest(values=values), self.assertRaises(JsonRpcException):
                self.call("marketplace.job", "write", [job_id], values)
        # and a job of company A's account cannot be made at all
        with self.assertRaises(JsonRpcException):
            self.call("marketplace.job", "create", [{"name": "x", "account_id": self.account.id}])
        self.assertEqual(self.on_hand(self.shared), 5, "company A's stock is untouched")

    def test_force_stays_for_administrators_and_the_form_fields_stay_open(self):
        job = self.env["marketplace.job"].with_user(self.user_b).create({
            "name": "Mine", "account_id": self.account_b.id, "payload": '{"sku_list": ["DEMO-MUG"]}',
            "max_attempts": 2, "next_run_at": fields.Datetime.now()})
        self.assertEqual((job.name, job.max_attempts, job.state), ("Mine", 2, "pending"))
        with self.assertRaises(ValidationError):  # only administrators force
            self.env["marketplace.job"].with_user(self.user_b).create({
                "name": "x", "account_id": self.account_b.id, "payload": '{"force": true}'})

    def test_stored_values_of_any_shape_never_break_the_jobs_list(self):
        job = self.new_job()
        Jobs = self.env["marketplace.job"]
        for result, error_data in (("not json", "not json"), ("[1, 2]", '{"message": 3}'),
                                   ('{"updated": "many", "skipped": [1], "warehouses": [7, null]}',
                                    '{"message": {"t": "Zortout %(missing)s", "p": {}}}'),
                                   ('{"skipped": {"x": "y"}, "samples": 5, "warehouses": "W1"}', '{"message": null}')):
            with self.subTest(result=result, error_data=error_data):
                job.sudo().write({"state": "done", "result": result, "error_data": error_data, "error": "English"})
                job.invalidate_recordset()
                values = Jobs.browse(job.id).read(["outcome", "error_html", "result_summary", "duration"])[0]
                self.assertIsInstance(values["outcome"], (str, bool))

    def test_company_rules_on_kept_pages_and_readings(self):
        job = self.new_job()
        job.action_run_now()
        self.env["marketplace.job.page"].sudo().create({"job_id": job.id, "number": 99, "rows": "[]"})
        pages = self.env["marketplace.job.page"].with_user(self.manager_b).search([("job_id", "=", job.id)])
        self.assertFalse(pages, "company B's administrator reads no kept Zortout rows of company A")
        self.assertTrue(self.env["marketplace.job.page"].with_user(self.manager).search([("job_id", "=", job.id)]))
        readings = self.env["marketplace.stock.reading"]
        self.assertTrue(readings.with_user(self.manager).search([]))
        self.assertFalse(readings.with_user(self.manager_b).search([]))
        with self.assertRaises(AccessError):
            readings.with_user(self.manager).create({"location_id": self.stock.id, "product_id": self.shared.id,
                                                     "company_id": self.company.id, "read_at": fields.Datetime.now()})

    def test_an_account_and_its_mappings_keep_to_their_company(self):
        with self.assertRaises(UserError):
            self.env["marketplace.account"].create({"name": "Cross", "company_id": self.company_b.id,
                                                    "stock_location_id": self.stock.id})
        account = self.env["marketplace.account"].create({"name": "Moves", "stock_scope": "warehouses"})
        self.env["marketplace.warehouse.mapping"].create({"account_id": account.id, "warehouse_code": "W0001",
                                                           "location_id": self.location_of_its_own("Moves").id})
        with self.assertRaises(UserError):
            account.company_id = self.company_b

    def test_a_plain_user_gets_what_the_buttons_give(self):
        self.account.stock_scope = "store_total"
        mapping = self.env["marketplace.warehouse.mapping"].create({
            "account_id": self.account.id, "warehouse_code": "W0002", "location_id": self.shelf.id})
        with self.assertRaises(AccessError):
            mapping.with_user(self.user).action_map()
        self.assertEqual(self.account.stock_scope, "store_total", "the user's press changed nothing")
        with self.assertRaises(AccessError):
            self.env["zortout.warehouse.wizard"].with_user(self.user_b).create({"account_id": self.account.id})
        # what Test Warehouse Code found is written by the button only, also for another company's account
        for model in ("zortout.warehouse.code.test", "zortout.warehouse.code.test.line"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.user_b).create(
                    {"account_id": self.account.id, "outcome": "ok", "summary": "forged"}
                    if model.endswith("test") else {"code": "X"})
        dialog = self.account_b.with_user(self.user_b).action_test_warehouse_code()
        tested = self.env["zortout.warehouse.code.test"].with_user(self.user_b).browse(dialog["res_id"])
        self.assertEqual(tested.account_id, self.account_b, "the button still works for the user")
        # engine-owned fields added since: origin and the preview link
        for values in ({"origin": "scheduled"}, {"applied_from_id": False}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                self.env["marketplace.job"].with_user(self.user_b).create(
                    {"name": "x", "account_id": self.account_b.id, **values})
        # every account at once is the scheduled action's; the user pulls an account with its button
        with self.assertRaises(AccessError):
            self.env["marketplace.account"].with_user(self.user).action_sync_stock_from_zortout()
        self.assertEqual(self.account.with_user(self.user).action_sync_stock_from_zortout()["params"]["type"],
                         "success")


@tagged("post_install", "-at_install")
class TestNewestReadingWins(WebhookCase):
    """A reading older than one already applied is not applied, by any path."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mug = cls.products["DEMO-MUG"]

    def step_until(self, job, phase):
        job._claim_in_request()
        while job.sync_phase != phase:
            engine = self.engine(job)
            engine.step()
        job.sudo().write({"state": "pending"})

    def engine(self, job):
        return SyncEngine(job, job.account_id._zortout_client())

    def sell(self, sku, quantity):
        """Zortout's sellable quantity of ``sku`` goes down by ``quantity`` (in W0001)."""
        available = self.sandbox.catalogue.stock_of(sku, "W0001")[1]
        self.sandbox.catalogue.set_available(sku, "W0001", available - quantity)

    def age_pages(self, job, minutes):
        job.page_ids.sudo().write({"read_at": fields.Datetime.now() - timedelta(minutes=minutes)})

    def test_a_full_pull_spanning_runs_does_not_undo_an_instant_sync(self):
        full = self.new_job()
        self.step_until(full, "apply")  # page 1 kept: the mug at its first quantity
        first = self.zortout_quantity("DEMO-MUG", "W0001")
        self.age_pages(full, 2)  # read two minutes ago
        # the mug sells in Zortout; the instant sync applies the new quantity at once
        self.sell("DEMO-MUG", 3)
        instant = self.new_job({"sku_list": ["DEMO-MUG"]}, job_type="instant_sync_from_zortout")
        instant.action_run_now()
        self.assertEqual(self.on_hand(self.mug), first - 3)
        full.action_run_now()
        self.assertEqual(full.state, "done", full.error)
        self.assertEqual(self.on_hand(self.mug), first - 3, "the older reading did not come back")
        result = self.result(full)
        self.assertEqual(result["skipped"]["superseded_by_newer"], 1)
        line = full.line_ids.filtered(lambda line: line.sku == "DEMO-MUG")
        self.assertEqual(line.decision, "superseded_by_newer")
        # a reading newer than the instant one applies again
        again = self.run_job()
        self.assertEqual(self.result(again)["skipped"]["superseded_by_newer"], 0)

    def test_an_unchanged_instant_reading_still_wins_over_an_older_kept_page(self):
        """Odoo already holds the instant sync's quantity (nothing to change): its reading is still
        recorded, since a full pull keeps an older page of the same product."""
        full = self.new_job()
        self.step_until(full, "apply")
        self.age_pages(full, 2)
        self.sell("DEMO-MUG", 3)
        now = self.zortout_quantity("DEMO-MUG", "W0001")
        self.set_on_hand(self.mug, now - self.on_hand(self.mug))  # e.g. the same sale delivered in Odoo
        instant = self.new_job({"sku_list": ["DEMO-MUG"]}, job_type="instant_sync_from_zortout")
        instant.action_run_now()
        self.assertEqual(self.result(instant)["unchanged"], 1)
        full.action_run_now()
        self.assertEqual(self.on_hand(self.mug), now, "the page read before the sale did not come back")
        self.assertEqual(self.result(full)["skipped"]["superseded_by_newer"], 1)

    def test_a_lone_pull_records_the_readings_it_applies_only(self):
        """No other job keeps pages: nothing older can follow, so a pull records the products it
        changes, not the thousands it finds unchanged."""
        Reading = self.env["marketplace.stock.reading"]
        first = self.run_job()
        self.assertEqual(first.state, "done", first.error)
        changed = self.result(first)["updated"]
        self.assertEqual(Reading.search_count([("location_id", "=", self.stock.id)]), changed)
        self.set_on_hand(self.mug, 1)
        second = self.run_job()
        self.assertEqual((self.result(second)["updated"], self.result(second)["unchanged"]), (1, changed - 1))
        self.assertEqual(Reading.search_count([("location_id", "=", self.stock.id)]), changed,
                         "the unchanged ones were not written again")
        self.assertEqual(Reading.search([("product_id", "=", self.mug.id)]).job_id, second)

    def test_a_retry_a_day_later_reads_zortout_again(self):
        self.env["ir.config_parameter"].sudo().set_param(PARAM_PAGE_MAX_AGE, 15)
        job = self.new_job()
        self.step_until(job, "check")
        old = self.zortout_quantity("DEMO-MUG", "W0001")
        self.age_pages(job, 24 * 60)
        job.sudo().write({"state": "failed"})  # e.g. the credentials were revoked at page 3
        self.sell("DEMO-MUG", -11)
        job.action_retry()  # a day later, the credentials fixed
        self.env["marketplace.job"]._run_due_jobs(commit=False)
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.on_hand(self.mug), old + 11, "today's quantity, not yesterday's")
        self.assertEqual([call["query"].get("page") for call in self.calls_to(PRODUCTS)], ["1", "1"],
                         "the day-old page was dropped and page 1 read again")

    def test_a_preview_applied_after_the_limit_is_refused_and_a_fresh_one_runs_the_zero_guard(self):
        preview = self.run_job({"dry_run": True})
        self.assertEqual(preview.state, "done", preview.error)
        self.age_pages(preview, 16)
        with self.assertRaises(UserError) as caught:
            preview.action_apply_preview()
        self.assertIn("15 minutes", str(caught.exception))
        # a fresh preview of a store that says zero for most products: applying it meets the zero guard
        for product in self.products.values():
            self.set_on_hand(product, 10)
        for index in range(12):
            product = self.make_product(f"ZERO-{index}")
            self.set_on_hand(product, 10)
            self.sandbox.catalogue.add_product({"sku": f"ZERO-{index}", "stock": {"W0001": 0}})
        preview = self.run_job({"dry_run": True})
        with self.expect_failure_logs():
            action = preview.action_apply_preview()
        applied = self.env["marketplace.job"].browse(action["res_id"])
        self.assertEqual(applied.state, "failed")
        self.assertIn("zero stock", applied.error)
        self.assertEqual(self.on_hand(self.env["product.product"].search([("default_code", "=", "ZERO-0")])), 10)
