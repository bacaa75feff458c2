"""Hostile and absurd input: each gets a clear message or a documented clamp, and nothing else changes.

Complements test_jobs.test_payload_validation_names_the_problem (the basic payload checks).
"""

import json
import time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import MarketplaceCase
from .sandbox_case import PRODUCTS

SQL = "'; DROP TABLE marketplace_job; --"
HTML = "<script>alert('x')</script>"


@tagged("post_install", "-at_install")
class TestHostileInput(MarketplaceCase):
    def stock_rows(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT (SELECT count(*) FROM stock_move), (SELECT count(*) FROM stock_quant), "
                            "(SELECT coalesce(sum(quantity), 0) FROM stock_quant)")
        return self.env.cr.fetchone()

    def test_bad_payloads_are_refused_with_a_message(self):
        cases = {
            "not json": "not valid JSON",
            "[]": "must be a JSON object",
            '"text"': "must be a JSON object",
            "null": "must be a JSON object",
            '{"warehouse_code": "W0001", "sql": 1}': "unknown keys: sql",
            '{"sku_list": [1, 2]}': "item 1 is not a string",
            '{"sku_list": [null]}': "item 1 is not a string",
            '{"sku_list": {"a": 1}}': "sku_list must be a list",
            '{"sku_list": ["A,B"]}': "item 1 contains a comma",
            '{"sku_list": ["A\\r\\nX-Injected: 1"]}': "control character",
            '{"warehouse_code": "%s"}' % ("W" * 100): "longer than 30",
            '{"warehouse_code": "W 0001"}': "must not contain spaces",
            '{"force": 1}': "force must be true or false",
            json.dumps({"sku_list": [f"S{i}" for i in range(10_001)]}): "at most 10000",
        }
        before = self.stock_rows()
        jobs = self.env["marketplace.job"].search_count([])
        for payload, message in cases.items():
            with self.subTest(payload=payload[:40]), self.assertRaisesRegex(ValidationError, message), \
                    self.env.cr.savepoint():
                self.new_job(payload)
        self.env.invalidate_all()
        self.assertEqual(self.env["marketplace.job"].search_count([]), jobs)
        self.assertEqual(self.stock_rows(), before)
        self.assertEqual(len(cases), 14)

    def test_ten_thousand_skus_are_accepted_quickly(self):
        started = time.monotonic()
        job = self.new_job({"sku_list": [f"S{i}" for i in range(10_000)]})
        self.assertLess(time.monotonic() - started, 2, "checking a big list takes linear time")
        self.assertEqual(job.state, "pending")

    def test_sql_and_html_inside_strings_are_stored_and_shown_harmlessly(self):
        """SQL and HTML in SKUs (from the payload and from Zortout) are data: stored as they are, sent as they
        are, shown escaped in the result summary."""
        for sku in (SQL, HTML):
            self.sandbox.catalogue.add_product({"id": 9_000_000 + len(sku), "sku": sku, "name": sku,
                                                "stock": {"W0001": 3}, "availablestock": {"W0001": 3}})
        payload = {"sku_list": [SQL, HTML, "DEMO-MUG"]}
        job = self.run_job(payload, name=HTML)
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(json.loads(job.payload), payload, "stored verbatim")
        self.assertEqual(self.result(job)["fetched"], 3)
        self.assertEqual(sorted(self.result(job)["samples"]["not_in_odoo"]), sorted([SQL, HTML]))
        summary = str(job.result_summary)
        self.assertNotIn("<script>", summary)
        self.assertIn("&lt;script&gt;", summary)
        self.assertIn("&#39;; DROP TABLE", summary)
        self.assertTrue(self.env["marketplace.job"].search_count([]), "the table is still there")
        sent = {r["headers"].get("skulist") for r in self.calls_to(PRODUCTS)}
        self.assertEqual(sent, {f"{SQL},{HTML},DEMO-MUG"})

    def test_empty_or_blank_credentials_make_no_call(self):
        for store, key, secret in (("", "k", "s"), (self.sandbox.store_name, "   ", self.sandbox.api_secret),
                                   (self.sandbox.store_name, self.sandbox.api_key, " \t ")):
            with self.subTest(store=store, key=key, secret=secret):
                self.reset_sandbox()
                self.account.write({"store_name": store, "api_key": key, "api_secret": secret})
                before = self.stock_rows()
                with self.assertRaisesRegex(UserError, "needs a Store Name, an API Key and an API Secret"):
                    self.account.action_test_connection()
                with self.expect_failure_logs():
                    job = self.env["marketplace.job"].browse(self.account.action_pull_stock()["res_id"])
                self.assertEqual(job.state, "failed")
                self.assertIn("needs a Store Name, an API Key and an API Secret", job.error)
                self.assertFalse(self.sandbox.requests, "no HTTP call")
                self.assertEqual(self.stock_rows(), before)
                job.unlink()

    def test_odd_warehouse_codes_on_the_account(self):
        """A code with a space or far too long is refused where it is typed, naming the rule."""
        for code in ("W 0001", "W" * 100):
            with self.subTest(code=code[:10]):
                with self.assertRaisesRegex(ValidationError, "no spaces and at most 30 characters"), \
                        self.env.cr.savepoint():
                    self.account.zortout_warehouse_code = code
                self.assertFalse(self.account.warehouse_mapping_ids)

    def test_a_code_zortout_does_not_know_fails_and_lists_the_valid_ones(self):
        self.account.zortout_warehouse_code = "W0009"
        before = self.stock_rows()
        with self.expect_failure_logs():
            job = self.run_job()
        self.assertEqual(job.state, "failed")
        self.assertIn("has no warehouse with the code", job.error)
        self.assertIn("W0001", job.error, "the valid codes are listed")
        self.assertFalse(self.calls_to(PRODUCTS))
        self.assertEqual(self.stock_rows(), before)

    def test_absurd_quantities_are_skipped_or_clamped(self):
        """Beyond +/-1e9, NaN and Infinity: skipped as unreadable (stock left as it is); negative: 0
        (reported); 1e-9: rounded to the unit of measure like any quantity."""
        cases = {"1e12": ("bad_quantity", 5), "NaN": ("bad_quantity", 5), "Infinity": ("bad_quantity", 5),
                 "-Infinity": ("bad_quantity", 5), "1e-9": ("updated", 0), "-5": ("updated", 0),
                 "12abc": ("bad_quantity", 5), "": ("bad_quantity", 5)}
        product = self.products["DEMO-MUG"]
        for raw, (outcome, expected) in cases.items():
            with self.subTest(raw=raw):
                self.reset_sandbox()
                self.sandbox.catalogue.set_raw("DEMO-MUG", "availablestock", raw)
                quant = self.env["stock.quant"].search([("product_id", "=", product.id),
                                                        ("location_id", "=", self.stock.id)])
                quant.sudo().unlink()
                self.set_on_hand(product, 5)
                job = self.run_job({"sku_list": ["DEMO-MUG"]})
                self.assertEqual(job.state, "done", job.error)
                result = self.result(job)
                if outcome == "bad_quantity":
                    self.assertEqual(result["skipped"]["bad_quantity"], 1)
                    self.assertFalse(self.inventory_moves(job))
                else:
                    self.assertEqual(result["updated"], 1)
                self.assertEqual(self.on_hand(product), expected)
                if raw == "-5":
                    self.assertEqual(result["negative_clamped"], 1)
        self.assertEqual(len(cases), 8)
