"""The live Zortout as the sandbox plays it: products left out of a warehouse sweep,
pages that drift, empty and overstated answers, the daily quota, "Access Denied" for
an unknown warehouse code and quantities in every format. Each test runs the real
client and the real sync against the sandbox over HTTP and checks Odoo's stock."""

from datetime import datetime, timedelta, timezone

from odoo import fields
from odoo.tests import tagged

from odoo.addons.otd_marketplace_stock.zortout_sandbox.catalogue import Catalogue

from .common import MarketplaceCase
from .sandbox_case import PRODUCTS

BANGKOK = timezone(timedelta(hours=7))


@tagged("post_install", "-at_install")
class TestLiveService(MarketplaceCase):
    def setUp(self):
        super().setUp()
        self.account.zortout_warehouse_code = "W0001"

    def product_calls(self):
        return self.calls_to(PRODUCTS)

    def test_a_product_left_out_of_the_warehouse_sweep_is_settled(self):
        """Sold out in W0001 (so the sweep leaves it out) but stocked in W0002: it goes to 0. Unknown to
        Zortout altogether: left alone and reported. Two extra calls for the two absent products."""
        self.use_catalogue(Catalogue(warehouses=[{"code": "W0001"}, {"code": "W0002"}], products=[
            {"sku": "SOLD-OUT", "stock": {"W0001": 0, "W0002": 5}},
            {"sku": "HELD", "stock": {"W0001": 4, "W0002": 1}},
        ]))
        sold_out, held, ghost = (self.make_product(sku) for sku in ("SOLD-OUT", "HELD", "GONE-FROM-ZORTOUT"))
        for product in (sold_out, held, ghost):
            self.set_on_hand(product, 3)
        job = self.run_job()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual((self.on_hand(sold_out), self.on_hand(held), self.on_hand(ghost)), (0, 4, 3))
        result = self.result(job)
        self.assertEqual((result["not_in_zortout"], result["samples"]["not_in_zortout"]), (1, ["GONE-FROM-ZORTOUT"]))
        self.assertEqual(result["updated"], 2)
        calls = self.product_calls()
        self.assertEqual(len(calls), 3, "the sweep, then one warehouse and one store-wide read of the absent")
        self.assertEqual([call["headers"].get("skulist") for call in calls[1:]],
                         ["GONE-FROM-ZORTOUT,SOLD-OUT", "GONE-FROM-ZORTOUT,SOLD-OUT"])
        decisions = dict(job.line_ids.mapped(lambda line: (line.sku, line.decision)))
        self.assertEqual(decisions["GONE-FROM-ZORTOUT"], "not_in_zortout")
        self.assertEqual(decisions["SOLD-OUT"], "updated")

    def test_nothing_absent_costs_nothing_extra(self):
        self.use_catalogue(Catalogue(products=[{"sku": "HELD", "stock": {"W0001": 4}}]))
        self.set_on_hand(self.make_product("HELD"), 1)
        job = self.run_job()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(len(self.product_calls()), 1)

    def test_a_sku_list_job_settles_a_listed_product_that_sold_out(self):
        self.use_catalogue(Catalogue(warehouses=[{"code": "W0001"}, {"code": "W0002"}], products=[
            {"sku": "SOLD-OUT", "stock": {"W0001": 0, "W0002": 5}}]))
        product = self.make_product("SOLD-OUT")
        self.set_on_hand(product, 3)
        job = self.run_job({"sku_list": ["SOLD-OUT"]})
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.on_hand(product), 0)

    def test_rows_that_drift_between_pages_all_end_right(self):
        """A product added at the front after page 1, and later one removed after page 2: rows are served
        twice or never. The sweep sees count change, reads the store once more, and every product ends
        with Zortout's quantity; the same Zortout product served twice is not a duplicate SKU."""
        catalogue = self.use_catalogue(Catalogue.generate(1100))
        skus = [f"GEN-{i:06d}" for i in (1, 499, 500, 501, 502, 999, 1000, 1001, 1100)]
        products = {sku: self.make_product(sku) for sku in skus}
        self.sandbox.drift.add(1, "insert")
        self.sandbox.drift.add(2, "remove")
        job = self.run_job()
        self.assertEqual(job.state, "done", job.error)
        result = self.result(job)
        self.assertEqual(result["skipped"]["duplicate_in_zortout"], 0)
        listed = {item["sku"] for item in catalogue.products}
        for sku, product in products.items():
            if sku in listed:
                self.assertEqual(self.on_hand(product), self.zortout_quantity(sku, "W0001"), sku)
        pages = [call["query"]["page"] for call in self.product_calls() if "skulist" not in call["headers"]]
        self.assertEqual(pages.count("1"), 2, "a second pass after the drift")

    def test_an_empty_answer_is_an_empty_list(self):
        for shape in ("null", "missing"):
            with self.subTest(shape=shape):
                self.reset_sandbox()
                self.use_catalogue(Catalogue(products=[]))
                self.sandbox.empty_list = shape
                job = self.run_job()
                self.assertEqual((job.state, self.result(job)["fetched"]), ("done", 0), job.error)
                self.assertEqual(job.attempts, 1, "no retry")

    def test_an_overstated_count_is_applied_and_recorded(self):
        self.sandbox.count_overstated_by = 2
        mug = self.products["DEMO-MUG"]
        with self.assertLogs("odoo.addons.otd_marketplace_stock", "WARNING"):
            job = self.run_job()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.result(job)["count_mismatch"], 2)
        self.assertEqual(self.on_hand(mug), self.zortout_quantity("DEMO-MUG", "W0001"))

    def test_the_spent_daily_quota_waits_for_midnight_in_bangkok(self):
        self.use_catalogue(Catalogue.generate(1100))
        self.make_product("GEN-000001")
        self.sandbox.daily_quota = 2  # GetWarehouses and page 1; page 2 is refused
        self.account.pull_interval = 5
        with self.assertLogs("odoo.addons.otd_marketplace_stock", "WARNING") as logs:
            job = self.run_job()
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.attempts, 0, "the spent quota costs no try")
        self.assertIn("daily limit", job.error)
        self.assertFalse(self.inventory_moves(job))
        midnight = (datetime.now(BANGKOK) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        self.assertEqual(job.next_run_at, midnight.astimezone(timezone.utc).replace(tzinfo=None))
        self.assertEqual((job.sync_phase, len(job.page_ids)), ("start", 0), "tomorrow's sweep starts afresh")
        self.assertTrue(any("event=quota" in line for line in logs.output))
        # the schedule leaves the store alone until then
        self.account.last_sync_at = fields.Datetime.now() - timedelta(hours=1)
        job.action_cancel()
        self.assertFalse(self.env["marketplace.account"]._cron_schedule_pulls())

    def test_the_form_warns_before_the_schedule_spends_the_quota(self):
        job = self.run_job()
        calls = self.result(job)["api_calls"]
        self.assertEqual(self.account.last_sweep_calls, calls)
        self.account.pull_interval = 60
        self.assertEqual(self.account.daily_calls_estimate, calls * 24)
        self.assertFalse(self.account.quota_warning)
        # a second account of the same store, pulling every minute, takes the store over the limit
        other = self.account.copy({"name": "Same store, every minute", "pull_interval": 1})
        other.sudo().last_sweep_calls = 40
        self.account.invalidate_recordset()
        self.assertIn("daily limit of 50000", self.account.quota_warning)
        self.assertIn(str(calls * 24 + 40 * 1440), self.account.quota_warning)

    def test_access_denied_for_an_unknown_code_names_the_code_not_the_key(self):
        self.sandbox.unknown_warehouse_mode = "access_denied"
        self.account.zortout_warehouse_code = "NOPE1"
        with self.expect_failure_logs():
            job = self.run_job()
        self.assertEqual(job.state, "failed")
        self.assertIn("NOPE1", job.error)
        self.assertIn("W0001", job.error, "the valid codes are listed")
        self.assertNotIn("credentials", job.error)

    def test_quantities_in_every_format_give_the_same_stock(self):
        mug = self.products["DEMO-MUG"]
        expected = self.zortout_quantity("DEMO-MUG", "W0001")
        for quantity_format in ("decimal", "integer", "number"):
            with self.subTest(quantity_format=quantity_format):
                self.set_on_hand(mug, 1)
                self.sandbox.quantity_format = quantity_format
                job = self.run_job({"sku_list": ["DEMO-MUG"]})
                self.assertEqual(job.state, "done", job.error)
                self.assertEqual(self.on_hand(mug), expected)
