import logging
import time
from datetime import datetime, timezone
from decimal import Decimal

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.otd_marketplace_stock.zortout import (
    DAILY_REQUEST_LIMIT,
    MAX_PAGE_LIMIT,
    MISSING,
    QUANTITY_URL_KEY,
    SKULIST_LIMIT,
    UNREADABLE,
    ZORTOUT_TIMEZONE,
    ProductRow,
    QuantityProblem,
    WebhookConfig,
    ZortoutAuthError,
    ZortoutBadResponseError,
    ZortoutConnectionError,
    ZortoutError,
    ZortoutIncompleteSweepError,
    ZortoutOutOfTimeError,
    ZortoutPermanentError,
    ZortoutQuotaExceededError,
    ZortoutRateLimitError,
    ZortoutServerError,
    ZortoutTimeoutError,
    ZortoutTransientError,
    ZortoutUnknownWarehouseError,
    next_quota_reset,
    parse_quantity,
)
from odoo.addons.otd_marketplace_stock.zortout_sandbox import (
    DROP,
    EMPTY_LIST_SHAPES,
    QUANTITY_FORMATS,
    QUOTA_NOTICE,
    Catalogue,
)

from .sandbox_case import PRODUCTS, WAREHOUSES, MaxJitter, SandboxCase, read_products

# what each fault turns into once the retries are used up (a spent quota is
# not retried: see TestZortoutQuota)
FAULT_ERRORS = {
    "http_500": ZortoutServerError,
    "res_500": ZortoutServerError,
    "reset": ZortoutConnectionError,
    "rate_limit": ZortoutRateLimitError,
    "not_json": ZortoutBadResponseError,
    "no_list": ZortoutBadResponseError,
    "short_page": ZortoutIncompleteSweepError,
}


@tagged("post_install", "-at_install")
class TestParseQuantity(BaseCase):

    def test_readable_quantities_become_decimals(self):
        for raw, expected in [
            ("12.00", Decimal("12.00")),
            ("-3", Decimal("-3")),
            ("1e-9", Decimal("1E-9")),
            ("1,234", Decimal("1234")),
            ("1,234.50", Decimal("1234.50")),
            (" 7 ", Decimal("7")),
            (5, Decimal(5)),
            (2.5, Decimal("2.5")),
            (Decimal("3.25"), Decimal("3.25")),
        ]:
            with self.subTest(raw=raw):
                value = parse_quantity(raw)
                self.assertIsInstance(value, Decimal)
                self.assertEqual(value, expected)

    def test_integer_strings_decimal_strings_and_numbers_are_the_same_quantity(self):
        for raw in ("12", "12.00", " 12 ", 12, 12.0, Decimal("12.000")):
            with self.subTest(raw=raw):
                self.assertEqual(parse_quantity(raw), Decimal(12))
        self.assertEqual(parse_quantity("2.50"), parse_quantity(2.5))

    def test_missing_and_unreadable_quantities_are_never_zero(self):
        for raw, marker in [
            ("", MISSING),
            ("   ", MISSING),
            (None, MISSING),
            ("abc", UNREADABLE),
            ("NaN", UNREADABLE),
            ("Infinity", UNREADABLE),
            ("-Infinity", UNREADABLE),
            ("1e12", UNREADABLE),
            ("-2000000000", UNREADABLE),
            ("12,34", UNREADABLE),
            (True, UNREADABLE),
            ([], UNREADABLE),
        ]:
            with self.subTest(raw=raw):
                value = parse_quantity(raw)
                self.assertIs(value, marker)
                self.assertIsInstance(value, QuantityProblem)
                self.assertNotEqual(value, 0)
        self.assertEqual(repr(MISSING), "<MISSING>")
        self.assertEqual(repr(UNREADABLE), "<UNREADABLE>")

    def test_product_row_normalizes_and_picks_the_quantity_source(self):
        row = ProductRow.from_api({"id": "4470988", "sku": "  P0001 ", "name": "Product 1",
                                   "stock": "4", "availablestock": "", "active": True, "producttype": 1})
        self.assertEqual(row.zortout_id, 4470988)
        self.assertEqual(row.sku, "P0001")
        self.assertTrue(row.is_service)
        self.assertEqual(row.quantity("stock"), Decimal("4"))
        self.assertIs(row.quantity("availablestock"), MISSING)
        self.assertEqual(row.raw_available_stock, "")
        with self.assertRaises(ValueError):
            row.quantity("onhand")
        bare = ProductRow.from_api({})
        self.assertEqual((bare.sku, bare.zortout_id, bare.active, bare.producttype), ("", None, None, 0))

    def test_a_rows_key_and_one_quantity_decode_as_the_whole_row_does(self):
        for data in ({"id": "4470988", "sku": "  P0001 ", "stock": "4", "availablestock": ""},
                     {"id": 12.0, "sku": 7, "stock": "1,234.50", "availablestock": "abc"},
                     {"id": "x", "stock": None, "availablestock": -3}, {}):
            with self.subTest(data=data):
                row = ProductRow.from_api(data)
                self.assertEqual(ProductRow.key_from_api(data), (row.zortout_id, row.sku))
                for source in ProductRow.SOURCES:
                    self.assertEqual(ProductRow.quantity_from_api(data, source), row.quantity(source))
        with self.assertRaises(ValueError):
            ProductRow.quantity_from_api({}, "onhand")


@tagged("post_install", "-at_install")
class TestZortoutReads(SandboxCase, BaseCase):

    def test_paging_reads_every_product_with_the_fewest_calls(self):
        for n in (0, 1, 499, 500, 501, 1234):
            with self.subTest(products=n):
                catalogue = self.use_catalogue(Catalogue.generate(n, seed=n))
                client = self.make_client()
                rows = read_products(client, "W0001").rows
                self.assertEqual(len(rows), n)
                self.assertEqual(len({row.sku for row in rows}), n)
                calls = self.calls_to(PRODUCTS)
                pages = self.expected_pages(n)
                self.assertEqual(len(calls), pages)
                self.assertEqual(client.stats.calls, pages)
                self.assertEqual(client.stats.retries, 0)
                self.assertEqual([c["query"]["page"] for c in calls], [str(p) for p in range(1, pages + 1)])
                self.assertTrue(all(c["query"]["limit"] == "500" for c in calls))
                if n:
                    last = rows[-1]
                    stock, available = catalogue.stock_of(last.sku, "W0001")
                    self.assertEqual((last.stock, last.available_stock), (stock, available))

    def test_page_limit_is_never_above_500(self):
        self.use_catalogue(Catalogue.generate(30))
        client = self.make_client(page_limit=2000)
        self.assertEqual(len(read_products(client).rows), 30)
        self.assertEqual(self.calls_to()[0]["query"]["limit"], "500")
        small = self.make_client(page_limit=7)
        self.sandbox.clear_requests()
        self.assertEqual(len(read_products(small).rows), 30)
        self.assertEqual(len(self.calls_to()), 5)
        self.assertEqual(small.stats.pages, 5)

    def test_warehouse_quantities_and_store_totals(self):
        client = self.make_client()
        mugs = {code: read_products(client, code, ["DEMO-MUG"]).rows[0] for code in ("W0001", "W0002", "ODS001")}
        self.assertEqual(mugs["W0001"].stock, Decimal("120.00"))
        self.assertEqual(mugs["W0001"].available_stock, Decimal("115.00"))
        self.assertEqual(mugs["ODS001"].stock, Decimal("60.00"))
        total = read_products(client, sku_list=["DEMO-MUG"]).rows[0]
        self.assertEqual(total.stock, sum(m.stock for m in mugs.values()))
        self.assertEqual(total.available_stock, sum(m.available_stock for m in mugs.values()))
        queries = [c["query"] for c in self.calls_to()]
        self.assertEqual([q.get("warehousecode") for q in queries], ["W0001", "W0002", "ODS001", None])

    def test_services_variants_and_active_filter(self):
        client = self.make_client()
        rows = {row.sku: row for row in read_products(client).rows}
        self.assertTrue(rows["DEMO-GIFTWRAP"].is_service)
        self.assertFalse(rows["DEMO-MUG"].is_service)
        self.assertTrue({"DEMO-TSHIRT-S", "DEMO-TSHIRT-M", "DEMO-TSHIRT-L"} <= set(rows))
        self.sandbox.catalogue.update("DEMO-PEN", active=False)
        active = {row.sku for row in read_products(client, "W0001", active_only=True).rows}
        self.assertNotIn("DEMO-PEN", active)
        self.assertIn("DEMO-MUG", active)
        self.assertEqual(self.calls_to()[-1]["query"]["activestatus"], "1")

    def test_unusable_quantities_are_marked_not_zeroed(self):
        catalogue = self.sandbox.catalogue
        catalogue.set_raw("DEMO-MUG", "availablestock", "")
        catalogue.set_raw("DEMO-CAP", "availablestock", None)
        catalogue.set_raw("DEMO-BAG", "availablestock", "abc")
        catalogue.set_raw("DEMO-PEN", "availablestock", DROP)
        catalogue.set_raw("DEMO-SOCKS", "stock", "1e12", warehouse_code="W0001")
        rows = {row.sku: row for row in read_products(self.make_client(), "W0001").rows}
        self.assertIs(rows["DEMO-MUG"].available_stock, MISSING)
        self.assertIs(rows["DEMO-CAP"].available_stock, MISSING)
        self.assertIs(rows["DEMO-BAG"].available_stock, UNREADABLE)
        self.assertIs(rows["DEMO-PEN"].available_stock, MISSING)
        self.assertIs(rows["DEMO-SOCKS"].stock, UNREADABLE)
        self.assertEqual(rows["DEMO-SOCKS"].raw_stock, "1e12")
        self.assertEqual(rows["DEMO-MUG"].stock, Decimal("120.00"))

    def test_a_product_holding_nothing_drops_out_of_warehouse_reads(self):
        """As on the live service: sold out in W0001, the mug leaves W0001's sweep and skulist reads;
        a store-wide skulist read still finds it."""
        self.sandbox.catalogue.set_stock("DEMO-MUG", "W0001", 0, available=0)
        client = self.make_client()
        self.assertNotIn("DEMO-MUG", {row.sku for row in read_products(client, "W0001").rows})
        self.assertIn("DEMO-MUG", {row.sku for row in read_products(client, "W0002").rows})
        self.assertEqual(read_products(client, "W0001", ["DEMO-MUG"]).rows, [])
        (total,) = read_products(client, sku_list=["DEMO-MUG"]).rows
        self.assertEqual(total.stock, Decimal("84.00"))  # 0 + 24 + 60
        # the other variant: a skulist read in the warehouse lists it with 0, the sweep still leaves it out
        self.sandbox.skulist_in_warehouse = "zero"
        (zero,) = read_products(client, "W0001", ["DEMO-MUG"]).rows
        self.assertEqual((zero.stock, zero.available_stock), (Decimal(0), Decimal(0)))
        self.assertNotIn("DEMO-MUG", {row.sku for row in read_products(client, "W0001").rows})

    def test_sku_list_goes_in_batches_through_the_skulist_header(self):
        self.use_catalogue(Catalogue.generate(300))
        wanted = [f"GEN-{i:06d}" for i in range(1, 251)]
        noisy = wanted + [f"  {wanted[0]} ", wanted[1], "", "UNKNOWN-SKU"]
        client = self.make_client(sku_batch_size=100)
        rows = read_products(client, "W0002", noisy).rows
        self.assertEqual(sorted(row.sku for row in rows), wanted)
        calls = self.calls_to()
        self.assertEqual(len(calls), 3)
        sent = [c["headers"]["skulist"].split(",") for c in calls]
        self.assertEqual([len(batch) for batch in sent], [100, 100, 51])
        self.assertEqual(sum(sent, []), wanted + ["UNKNOWN-SKU"])
        for call in calls:
            self.assertNotIn("skulist", call["query"])
            self.assertNotIn("searchsku", call["query"])
            self.assertEqual(call["query"]["warehousecode"], "W0002")

    def test_empty_sku_list_sends_nothing(self):
        client = self.make_client()
        self.assertEqual(read_products(client, "W0001", []).rows, [])
        self.assertEqual(read_products(client, "W0001", ["", "  "]).rows, [])
        self.assertEqual(self.sandbox.requests, [])

    def test_rows_that_only_contain_the_requested_sku_are_dropped(self):
        catalogue = self.sandbox.catalogue
        catalogue.add_product({"sku": "DEMO-MUG-XL", "name": "Big mug", "stock": {"W0001": 9}})
        catalogue.add_product({"sku": "XDEMO-MUG", "name": "Other mug", "stock": {"W0001": 4}})
        client = self.make_client()
        # a server treating the skulist as "contains"
        self.sandbox.skulist_mode = "contains"
        rows = read_products(client, "W0001", ["DEMO-MUG"]).rows
        self.assertEqual([row.sku for row in rows], ["DEMO-MUG"])
        self.assertEqual(rows[0].stock, Decimal("120.00"))
        self.assertGreaterEqual(len(self.sandbox.requests), 1)
        # the same answer injected as a one-off fault on an exact server
        self.sandbox.skulist_mode = "exact"
        self.sandbox.faults.add(PRODUCTS, "superset")
        rows = read_products(client, "W0001", ["DEMO-MUG", "DEMO-CAP"]).rows
        self.assertEqual(sorted(row.sku for row in rows), ["DEMO-CAP", "DEMO-MUG"])

    def test_count_products_costs_one_call(self):
        self.use_catalogue(Catalogue.generate(777))
        client = self.make_client()
        self.assertEqual(client.count_products(), 777)
        self.assertEqual(client.count_products("ODS001"), 777)
        calls = self.calls_to()
        self.assertEqual(len(calls), 2)
        self.assertEqual(calls[0]["query"]["limit"], "1")
        self.assertEqual(calls[1]["query"]["warehousecode"], "ODS001")

    def test_list_warehouses_pages_and_keeps_codes_and_names(self):
        client = self.make_client(page_limit=2)
        warehouses = client.list_warehouses()
        self.assertEqual([w.code for w in warehouses], ["W0001", "W0002", "ODS001"])
        self.assertEqual(warehouses[0].name, "คลังสินค้าหลัก")
        self.assertEqual(warehouses[2].id, 129823)
        self.assertEqual(len(self.calls_to(WAREHOUSES)), 2)

    def test_every_call_sends_auth_headers_and_its_own_request_id(self):
        client = self.make_client()
        client.list_warehouses()
        read_products(client, "W0001")
        requests = self.sandbox.requests
        self.assertEqual(len(requests), 2)
        for recorded in requests:
            headers = recorded["headers"]
            self.assertEqual(headers["storename"], self.sandbox.store_name)
            self.assertEqual((headers["apikey"], headers["apisecret"]), ("***", "***"))
            self.assertEqual(headers["accept"], "application/json")
        ids = {r["headers"]["x-request-id"] for r in requests}
        self.assertEqual(len(ids), 2)
        self.assertIn("ZortoutClient", repr(client))
        self.assertIn(self.sandbox.base_url, repr(client))

    def test_one_session_is_reused_across_pages(self):
        self.use_catalogue(Catalogue.generate(1200))
        client = self.make_client()
        self.assertEqual(len(read_products(client).rows), 1200)
        peers = {call["peer"] for call in self.calls_to()}
        self.assertEqual(len(self.calls_to()), 3)
        self.assertEqual(len(peers), 1, "every page should travel over the same kept-alive connection")


@tagged("post_install", "-at_install")
class TestZortoutWrites(SandboxCase, BaseCase):

    def test_update_is_retried_after_a_server_error(self):
        """The addon's one write, UpdateWebhook, sets the whole configuration: a retry is safe."""
        self.sandbox.faults.add("/Webhook/UpdateWebhook", "http_500")
        client = self.make_client()
        client.update_webhook(WebhookConfig(urls={QUANTITY_URL_KEY: "https://odoo.test/hook"}), ("k1", "k2", "k3"))
        self.assertEqual((client.stats.calls, client.stats.retries), (2, 1))
        self.assertEqual(client.get_webhook().url(QUANTITY_URL_KEY), "https://odoo.test/hook")


@tagged("post_install", "-at_install")
class TestZortoutFaults(SandboxCase, BaseCase):

    @classmethod
    def sandbox_catalogue(cls):
        return Catalogue.generate(1200, seed=3)

    def test_each_fault_is_retried_then_the_sweep_completes(self):
        for kind in FAULT_ERRORS:
            with self.subTest(fault=kind):
                self.reset_sandbox()
                self.sandbox.faults.add(PRODUCTS, kind, page=2, times=2, retry_after=0)
                client = self.make_client()
                rows = read_products(client, "W0001").rows
                self.assertEqual(len(rows), 1200)
                self.assertEqual(len({row.sku for row in rows}), 1200)
                self.assertEqual(len(self.calls_to()), 5)
                self.assertEqual((client.stats.calls, client.stats.retries, client.stats.pages), (5, 2, 3))

    def test_each_fault_ends_in_its_typed_error_once_retries_are_spent(self):
        for kind, error in FAULT_ERRORS.items():
            with self.subTest(fault=kind):
                self.reset_sandbox()
                self.sandbox.faults.add(PRODUCTS, kind, page=1, times=10, retry_after=0)
                client = self.make_client(max_retries=3)
                with self.assertRaises(error) as caught:
                    read_products(client, "W0001")
                self.assertTrue(caught.exception.transient)
                self.assertEqual(caught.exception.endpoint, PRODUCTS)
                pages = [call["query"]["page"] for call in self.calls_to()]
                # a page that stays short costs one look at the next page
                self.assertEqual(pages, ["1"] * 4 + (["2"] if kind == "short_page" else []))
                self.assertEqual(client.stats.retries, 3)

    def test_a_failed_later_page_fails_the_whole_sweep(self):
        """Page 3 keeps failing: after its retries the read of page 3 raises, typed and transient, and
        no partial page comes back. (The sync then fails the sweep, naming the page and keeping no
        stock change: tests/test_reliability_faults.py.)"""
        self.sandbox.faults.add(PRODUCTS, "http_500", page=3, times=10)
        client = self.make_client(max_retries=2)
        seen = [row for number in (1, 2) for row in client.fetch_page("W0001", number).rows]
        with self.assertRaises(ZortoutServerError) as caught:
            client.fetch_page("W0001", 3)
        error = caught.exception
        self.assertEqual(error.http_status, 500)
        self.assertTrue(error.transient)
        self.assertEqual(len(seen), 1000)
        self.assertEqual([call["query"]["page"] for call in self.calls_to()], ["1", "2", "3", "3", "3"])
        with self.assertRaises(ZortoutConnectionError):
            self.reset_sandbox()
            self.sandbox.faults.add(PRODUCTS, "reset", page=2, times=10)
            result = read_products(self.make_client(max_retries=1), "W0001").rows
            self.fail(f"a partial result came back: {len(result)} rows")

    def test_short_page_is_never_taken_for_the_last_page(self):
        """Page 2 of 3 stays short of count while page 3 holds rows: rows are missing, the sweep fails."""
        self.sandbox.faults.add(PRODUCTS, "short_page", page=2, times=10)
        client = self.make_client(max_retries=2)
        with self.assertRaises(ZortoutIncompleteSweepError) as caught:
            read_products(client, "W0001")
        error = caught.exception
        self.assertEqual((error.page, error.count, error.rows_read), (2, 1200, 999))
        self.assertIn("499 rows", str(error))
        self.assertIn("page 3 holds rows", str(error))
        # page 1, page 2 three times, then one look at page 3
        self.assertEqual([call["query"]["page"] for call in self.calls_to()], ["1", "2", "2", "2", "3"])

    def test_backoff_grows_exponentially_up_to_the_cap(self):
        self.sandbox.faults.add(PRODUCTS, "http_500", times=3)
        client = self.make_client(rng=MaxJitter(), backoff_base=0.5, backoff_cap=8.0)
        self.assertEqual(len(read_products(client, "W0001").rows), 1200)
        self.assertEqual(self.sleeps, [0.5, 1.0, 2.0])

        self.sleeps.clear()
        self.sandbox.faults.add(PRODUCTS, "res_500", times=3)
        capped = self.make_client(rng=MaxJitter(), backoff_base=0.5, backoff_cap=0.75)
        read_products(capped, "W0001")
        self.assertEqual(self.sleeps, [0.5, 0.75, 0.75])

        self.sleeps.clear()
        self.sandbox.faults.add(PRODUCTS, "not_json", times=3)
        jittered = self.make_client(backoff_base=0.5, backoff_cap=8.0)
        read_products(jittered, "W0001")
        self.assertEqual(len(self.sleeps), 3)
        for attempt, delay in enumerate(self.sleeps):
            self.assertGreaterEqual(delay, 0)
            self.assertLessEqual(delay, 0.5 * 2 ** attempt)

    def test_retry_after_is_honoured_up_to_the_cap(self):
        self.sandbox.faults.add(PRODUCTS, "rate_limit", times=1, retry_after=7)
        self.sandbox.faults.add(PRODUCTS, "rate_limit", times=1, retry_after=120)
        client = self.make_client(retry_after_cap=30.0)
        self.assertEqual(len(read_products(client, "W0001").rows), 1200)
        self.assertEqual(self.sleeps, [7.0, 30.0])
        self.assertEqual(client.stats.retries, 2)

        self.sandbox.faults.add(PRODUCTS, "rate_limit", times=10, retry_after=5)
        with self.assertRaises(ZortoutRateLimitError) as caught:
            read_products(self.make_client(max_retries=1), "W0001")
        self.assertEqual((caught.exception.http_status, caught.exception.retry_after), (429, 5.0))

    def test_a_deadline_cuts_the_wait_for_an_answer(self):
        self.sandbox.faults.add(PRODUCTS, "hang", page=1, times=1, seconds=6)
        client = self.make_client(read_timeout=30, deadline=time.monotonic() + 1.5)
        started = time.monotonic()
        with self.assertRaises(ZortoutOutOfTimeError) as caught:
            client.fetch_page("W0001")
        self.assertLess(time.monotonic() - started, 3, "not the 6 s hang, nor the 30 s read timeout")
        self.assertTrue(caught.exception.transient)
        self.assertEqual(self.sleeps, [], "no retry begun without the time for it")
        self.assertEqual(client.stats.calls, 1)

    def test_a_retry_wait_past_the_deadline_is_not_slept(self):
        self.sandbox.faults.add(PRODUCTS, "rate_limit", page=1, times=1, retry_after=20)
        client = self.make_client(deadline=time.monotonic() + 10)
        with self.assertRaises(ZortoutOutOfTimeError) as caught:
            client.fetch_page("W0001")
        self.assertEqual(self.sleeps, [])
        self.assertIsInstance(caught.exception.cause, ZortoutRateLimitError)
        self.assertIn("20.0 s to wait", str(caught.exception))
        # a wait that fits is waited, and the page read
        self.sandbox.faults.add(PRODUCTS, "rate_limit", page=1, times=1, retry_after=2)
        self.assertEqual(len(client.fetch_page("W0001").rows), 500)
        self.assertEqual(self.sleeps, [2.0])

    def test_no_call_starts_once_the_deadline_has_passed(self):
        client = self.make_client(deadline=time.monotonic() - 1)
        with self.assertRaises(ZortoutOutOfTimeError):
            client.fetch_page("W0001")
        self.assertEqual((client.stats.calls, self.calls_to(PRODUCTS)), (0, []))
        client.deadline = None  # the caller may move it
        self.assertEqual(len(client.fetch_page("W0001").rows), 500)

    def test_a_hang_times_out_and_is_retried(self):
        self.sandbox.faults.add(PRODUCTS, "hang", page=1, times=1, seconds=1)
        client = self.make_client(read_timeout=0.3)
        started = time.monotonic()
        self.assertEqual(len(read_products(client, "W0001").rows), 1200)
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(client.stats.retries, 1)

        self.sandbox.faults.add(PRODUCTS, "hang", page=1, times=10, seconds=1)
        client = self.make_client(read_timeout=0.3, max_retries=2)
        started = time.monotonic()
        with self.assertRaises(ZortoutTimeoutError) as caught:
            read_products(client, "W0001")
        self.assertLess(time.monotonic() - started, 3)
        self.assertTrue(caught.exception.transient)
        self.assertEqual(client.stats.calls, 3)

    def test_quota_notice_with_data_is_a_success(self):
        self.sandbox.faults.add(PRODUCTS, "quota_with_data", page=1)
        client = self.make_client()
        self.assertEqual(len(read_products(client, "W0001").rows), 1200)
        self.assertEqual(client.stats.retries, 0)
        self.assertEqual(client.stats.notices, [QUOTA_NOTICE])

    def test_wrong_credentials_fail_at_once(self):
        client = self.make_client(api_secret="not-the-secret")
        with self.assertRaises(ZortoutAuthError) as caught:
            client.list_warehouses()
        error = caught.exception
        self.assertFalse(error.transient)
        self.assertEqual((error.res_code, error.res_desc, error.http_status), ("100", "Access Denied", 200))
        self.assertEqual(str(error),
                         "Zortout rejected the credentials (Access Denied) on /Warehouse/GetWarehouses")
        self.assertEqual(client.stats.calls, 1)

    def test_unknown_route_is_permanent(self):
        client = self.make_client(base_url=self.sandbox.base_url.replace("/v4", "/v3"))
        with self.assertRaises(ZortoutPermanentError) as caught:
            client.list_warehouses()
        self.assertEqual(caught.exception.http_status, 404)
        self.assertEqual(client.stats.calls, 1)

    def test_unknown_warehouse_in_each_server_variant(self):
        valid = ["W0001", "W0002", "ODS001"]
        for mode in ("invalid_warehouse", "access_denied"):
            with self.subTest(mode=mode):
                self.reset_sandbox()
                self.sandbox.unknown_warehouse_mode = mode
                client = self.make_client()
                with self.assertRaises(ZortoutUnknownWarehouseError) as caught:
                    read_products(client, "W0009")
                error = caught.exception
                self.assertEqual((error.code, error.valid_codes), ("W0009", valid))
                self.assertFalse(error.transient)
                self.assertIn("'W0009'", str(error))
                self.assertIn("ODS001", str(error))
                # the answer, then one GetWarehouses call to name the valid codes
                self.assertEqual([r["route"] for r in self.sandbox.requests], [PRODUCTS, WAREHOUSES])
                with self.assertRaises(ZortoutUnknownWarehouseError):
                    client.count_products("W0009")
        # an empty answer looks like an empty warehouse: the code is checked up front
        self.reset_sandbox()
        self.sandbox.unknown_warehouse_mode = "empty"
        client = self.make_client()
        self.assertEqual(read_products(client, "W0009").rows, [])
        self.assertEqual(client.stats.calls, 1)
        self.assertNotIn("W0009", [w.code for w in client.list_warehouses()])

    def test_access_denied_for_a_known_warehouse_stays_a_credentials_error(self):
        client = self.make_client(api_key="wrong-key")
        with self.assertRaises(ZortoutAuthError) as caught:
            read_products(client, "W0001")
        self.assertEqual(caught.exception.res_desc, "Access Denied")
        self.assertEqual(client.stats.calls, 2)


@tagged("post_install", "-at_install")
class TestZortoutSecrets(SandboxCase, BaseCase):
    sandbox_options = {"store_name": "shop@example.com", "api_key": "KEY-5f1d2c9a77", "api_secret": "SECRET-c0ffee42d1"}

    def test_no_secret_in_logs_errors_or_reprs(self):
        secrets = ("KEY-5f1d2c9a77", "SECRET-c0ffee42d1", "SECRET-wrong-9e8d")
        logger = logging.getLogger("otd_zortout_secret_check")
        texts = []
        with self.assertLogs(logger, level="DEBUG") as captured:
            client = self.make_client(logger=logger, max_retries=1)
            self.assertEqual(len(read_products(client, "W0001").rows), 11)  # all but the gift wrap, a service
            self.sandbox.faults.add(PRODUCTS, "http_500", times=5)
            with self.assertRaises(ZortoutError) as failed:
                read_products(client, "W0001", ["DEMO-MUG"])
            texts += [str(failed.exception), repr(failed.exception)]
            self.sandbox.faults.clear()
            wrong = self.make_client(logger=logger, api_secret="SECRET-wrong-9e8d")
            with self.assertRaises(ZortoutAuthError) as denied:
                wrong.list_warehouses()
            texts += [str(denied.exception), repr(denied.exception), repr(client), repr(wrong)]
            texts += [repr(client.stats), repr(read_products(client, "W0001").rows[0])]
        texts += [record.getMessage() for record in captured.records]
        texts += [str(request) for request in self.sandbox.requests]
        self.assertGreaterEqual(len(captured.records), 5)
        self.assertTrue(any("GET /Product/GetProducts" in r.getMessage() for r in captured.records))
        for text in texts:
            for secret in secrets:
                self.assertNotIn(secret, text)


#: 23:59:59 in Bangkok, one second before the quota resets
BEFORE_MIDNIGHT = datetime(2026, 3, 1, 16, 59, 59, tzinfo=timezone.utc)


@tagged("post_install", "-at_install")
class TestZortoutPages(SandboxCase, BaseCase):
    """fetch_page, the read a resumable sync calls page by page, and the sweep built on it."""

    @classmethod
    def sandbox_catalogue(cls):
        return Catalogue.generate(1201, seed=5)

    def pages_asked(self):
        return [call["query"]["page"] for call in self.calls_to()]

    def test_one_call_per_page_with_ids_count_and_last(self):
        client = self.make_client()
        self.assertEqual((client.page_limit, MAX_PAGE_LIMIT, SKULIST_LIMIT), (500, 500, 100))
        pages = [client.fetch_page("W0001", number) for number in (1, 2, 3)]
        self.assertEqual([(p.page, p.limit, p.count, p.served, len(p.rows), p.last, p.count_mismatch) for p in pages],
                         [(1, 500, 1201, 500, 500, False, 0), (2, 500, 1201, 500, 500, False, 0),
                          (3, 500, 1201, 201, 201, True, 0)])
        ids = sorted(product["id"] for product in self.sandbox.catalogue.products)
        self.assertEqual([row.zortout_id for page in pages for row in page.rows], ids)
        last = pages[2].rows[-1]
        self.assertEqual((last.stock, last.available_stock), self.sandbox.catalogue.stock_of(last.sku, "W0001"))
        self.assertEqual([(c["query"]["page"], c["query"]["limit"], c["query"]["warehousecode"])
                          for c in self.calls_to()],
                         [("1", "500", "W0001"), ("2", "500", "W0001"), ("3", "500", "W0001")])
        self.assertEqual((client.stats.calls, client.stats.pages, client.stats.retries), (3, 3, 0))

    def test_page_limit_is_capped_and_offsets_follow_it(self):
        client = self.make_client()
        small = client.fetch_page(page=3, limit=7)
        self.assertEqual((small.limit, small.served, small.last), (7, 7, False))
        self.assertEqual([row.sku for row in small.rows], [f"GEN-{i:06d}" for i in range(15, 22)])
        self.assertNotIn("warehousecode", self.calls_to()[0]["query"])
        big = client.fetch_page(limit=2000)
        self.assertEqual((big.limit, big.served), (500, 500))
        self.assertEqual(self.calls_to()[-1]["query"]["limit"], "500")
        with self.assertRaises(ValueError):
            client.fetch_page(page=0)

    def test_sku_list_page(self):
        client = self.make_client()
        page = client.fetch_page("W0002", sku_list=["GEN-000003", " GEN-000001 ", "GEN-000003", "UNKNOWN"])
        self.assertEqual(sorted(row.sku for row in page.rows), ["GEN-000001", "GEN-000003"])
        self.assertEqual((page.count, page.served, page.last), (2, 2, True))
        (call,) = self.calls_to()
        self.assertEqual(call["headers"]["skulist"], "GEN-000003,GEN-000001,UNKNOWN")
        self.assertNotIn("skulist", call["query"])
        # rows that merely contain a requested SKU are served but not kept
        self.sandbox.skulist_mode = "contains"
        loose = client.fetch_page("W0002", sku_list=["GEN-00000"])
        self.assertEqual((loose.rows, loose.served, loose.count, loose.last), ((), 9, 9, True))
        # more SKUs than a skulist holds, or none at all: nothing is sent
        with self.assertRaises(ValueError):
            client.fetch_page("W0002", sku_list=[f"GEN-{i:06d}" for i in range(1, 102)])
        empty = client.fetch_page("W0002", sku_list=["", "  "])
        self.assertEqual((empty.rows, empty.count, empty.served, empty.last), ((), 0, 0, True))
        self.assertEqual(len(self.sandbox.requests), 2)

    def test_empty_answers_are_empty_pages_in_every_shape(self):
        """resCode 200 with [] / null / no list, count 0 or none: an empty result, read once, no retry."""
        catalogue = self.use_catalogue(Catalogue.generate(3))
        for product in catalogue.products:
            catalogue.set_stock(product["sku"], "W0002", 0, available=0)
        for shape in EMPTY_LIST_SHAPES:
            with self.subTest(shape=shape):
                self.sandbox.empty_list = shape
                self.sandbox.clear_requests()
                client = self.make_client()
                page = client.fetch_page("W0002")
                self.assertEqual((page.rows, page.served, page.last, page.count_mismatch), ((), 0, True, 0))
                self.assertEqual(read_products(client, "W0002").rows, [])
                self.assertEqual(read_products(client, "W0001", ["NOPE"]).rows, [])
                self.assertEqual(client.count_products("W0002"), 0)
                self.assertEqual((client.stats.calls, client.stats.retries), (4, 0))
                self.assertEqual(len(self.calls_to()), 4)

    def test_a_missing_list_with_rows_counted_is_a_broken_answer(self):
        self.sandbox.faults.add(PRODUCTS, "no_list", page=1, times=10)
        client = self.make_client(max_retries=1)
        with self.assertRaises(ZortoutBadResponseError) as caught:
            client.fetch_page("W0001")
        self.assertIn("count 1201", str(caught.exception))
        self.assertEqual(self.pages_asked(), ["1", "1"])

    def test_overstated_count_ends_the_sweep_and_is_reported(self):
        """The last page stays short of count and the page after it is empty: the sweep is complete."""
        self.sandbox.count_overstated_by = 3
        client = self.make_client(rng=MaxJitter())
        sweep = read_products(client, "W0001")
        self.assertEqual(len(sweep.rows), 1201)
        self.assertEqual(len({row.zortout_id for row in sweep.rows}), 1201)
        self.assertEqual((sweep.pages, sweep.count_mismatch, sweep.count_changed), (3, 3, False))
        # page 3 read again up to max_retries (3) times with backoff, then one look at page 4
        self.assertEqual(self.pages_asked(), ["1", "2", "3", "3", "3", "3", "4"])
        self.assertEqual(self.sleeps, [0.5, 1.0, 2.0])
        self.assertEqual(len(read_products(client, "W0001").rows), 1201)
        # the same rule for one page
        last = client.fetch_page("W0001", 3)
        self.assertEqual((last.served, last.count, last.last, last.count_mismatch), (201, 1204, True, 3))

    def test_overstated_count_after_full_pages_or_on_an_empty_result(self):
        """An empty page that stays empty is the end itself: no look beyond it."""
        self.use_catalogue(Catalogue.generate(1000))
        self.sandbox.count_overstated_by = 2
        client = self.make_client()
        sweep = read_products(client, "W0001")
        self.assertEqual((len(sweep.rows), sweep.pages, sweep.count_mismatch), (1000, 3, 2))
        self.assertEqual(self.pages_asked(), ["1", "2", "3", "3", "3", "3"])
        self.sandbox.clear_requests()
        nothing = client.fetch_page("W0001", sku_list=["NOPE"])
        self.assertEqual((nothing.rows, nothing.count, nothing.last, nothing.count_mismatch), ((), 2, True, 2))
        self.assertEqual(len(self.calls_to()), 4)

    def test_a_short_last_page_that_fills_up_again_is_no_mismatch(self):
        self.sandbox.faults.add(PRODUCTS, "short_page", page=3, times=1)
        sweep = read_products(self.make_client(), "W0001")
        self.assertEqual((len(sweep.rows), sweep.count_mismatch), (1201, 0))
        self.assertEqual(self.pages_asked(), ["1", "2", "3", "3"])
        # a last row that never comes cannot be told from a count one too high
        self.reset_sandbox()
        self.sandbox.faults.add(PRODUCTS, "short_page", page=3, times=10)
        sweep = read_products(self.make_client(), "W0001")
        self.assertEqual((len(sweep.rows), sweep.count_mismatch), (1200, 1))

    def test_a_product_added_during_a_sweep_shifts_a_row_onto_the_next_page(self):
        shift = self.sandbox.drift.add(1, "insert")
        sweep = read_products(self.make_client(), "W0001")
        ids = [row.zortout_id for row in sweep.rows]
        self.assertEqual(len(ids), 1202)
        twice = sorted({i for i in ids if ids.count(i) > 1})
        self.assertEqual(twice, [5_000_500], "the last row of page 1 came again as the first of page 2")
        self.assertEqual([row.sku for row in sweep.rows if row.zortout_id == 5_000_500], ["GEN-000500"] * 2)
        (inserted,) = shift.played
        self.assertNotIn(inserted, {row.sku for row in sweep.rows}, "it came in before the offset: never served")
        self.assertEqual((sweep.count_changed, sweep.count_mismatch), (True, 0))
        self.assertEqual([call["query"]["page"] for call in self.calls_to()], ["1", "2", "3"])

    def test_a_product_removed_during_a_sweep_makes_a_row_go_unserved(self):
        shift = self.sandbox.drift.add(1, "remove")
        client = self.make_client()
        first = client.fetch_page("W0001", 1)
        self.assertEqual(shift.played, ["GEN-000001"])
        second = client.fetch_page("W0001", 2)
        self.assertEqual((first.count, second.count), (1201, 1200))
        self.assertEqual(second.rows[0].sku, "GEN-000502", "GEN-000501 moved onto page 1 after it was read")
        self.reset_sandbox()
        shift = self.sandbox.drift.add(1, "remove")
        sweep = read_products(self.make_client(), "W0001")
        skus = [row.sku for row in sweep.rows]
        self.assertEqual(len(skus), len(set(skus)))
        self.assertEqual(len(skus), 1200)
        self.assertNotIn("GEN-000501", skus)
        self.assertIn("GEN-000001", skus)
        self.assertEqual((sweep.count_changed, sweep.count_mismatch), (True, 0))

    def test_access_denied_for_an_unknown_code_on_a_page_read(self):
        self.sandbox.unknown_warehouse_mode = "access_denied"
        with self.assertRaises(ZortoutUnknownWarehouseError) as caught:
            self.make_client().fetch_page("W0404", 2)
        error = caught.exception
        self.assertEqual((error.code, error.valid_codes, error.res_desc), ("W0404", ["W0001", "W0002", "ODS001"],
                                                                           "Access Denied"))
        self.assertFalse(error.transient)
        self.assertEqual([r["route"] for r in self.sandbox.requests], [PRODUCTS, WAREHOUSES])
        # wrong credentials: GetWarehouses is refused as well, so the credentials are at fault
        self.sandbox.clear_requests()
        with self.assertRaises(ZortoutAuthError) as caught:
            self.make_client(api_key="wrong-key").fetch_page("W0404")
        self.assertNotIsInstance(caught.exception, ZortoutUnknownWarehouseError)
        self.assertEqual([r["route"] for r in self.sandbox.requests], [PRODUCTS, WAREHOUSES])

    def test_quantities_read_the_same_in_every_served_format(self):
        catalogue = self.sandbox.catalogue
        catalogue.set_stock("GEN-000002", "W0001", "2.5", available="2.5")
        whole = int(catalogue.stock_of("GEN-000001", "W0001")[0])
        read, raw = {}, {}
        for quantity_format in QUANTITY_FORMATS:
            self.sandbox.quantity_format = quantity_format
            page = self.make_client().fetch_page("W0001", limit=3)
            read[quantity_format] = [(row.stock, row.available_stock) for row in page.rows]
            raw[quantity_format] = [row.raw_stock for row in page.rows[:2]]
        self.assertEqual(read["decimal"], read["integer"])
        self.assertEqual(read["decimal"], read["number"])
        self.assertEqual(read["decimal"][1], (Decimal("2.5"), Decimal("2.5")))
        self.assertEqual(raw, {"decimal": [f"{whole}.00", "2.50"], "integer": [str(whole), "2.50"],
                               "number": [whole, 2.5]})
        self.assertIsInstance(raw["number"][0], int)


@tagged("post_install", "-at_install")
class TestZortoutQuota(SandboxCase, BaseCase):
    """The daily quota: a notice with rows is a success; with no rows the quota is spent."""

    @classmethod
    def sandbox_catalogue(cls):
        return Catalogue.generate(1201, seed=6)

    def test_the_quota_resets_at_midnight_in_bangkok(self):
        utc = timezone.utc
        cases = {
            BEFORE_MIDNIGHT: datetime(2026, 3, 1, 17, 0, tzinfo=utc),
            datetime(2026, 3, 1, 17, 0, tzinfo=utc): datetime(2026, 3, 2, 17, 0, tzinfo=utc),
            datetime(2026, 12, 31, 20, 0, tzinfo=utc): datetime(2027, 1, 1, 17, 0, tzinfo=utc),
            datetime(2026, 3, 2, 0, 30, tzinfo=ZORTOUT_TIMEZONE): datetime(2026, 3, 2, 17, 0, tzinfo=utc),
        }
        for now, reset in cases.items():
            with self.subTest(now=now):
                self.assertEqual(next_quota_reset(now), reset)
                self.assertEqual(next_quota_reset(now).utcoffset().total_seconds(), 0)
        with self.assertRaises(ValueError):
            next_quota_reset(datetime(2026, 3, 1, 12, 0))
        self.assertEqual(DAILY_REQUEST_LIMIT, 50_000)

    def test_quota_spent_mid_sweep_is_not_retried_and_says_when_it_resets(self):
        self.sandbox.daily_quota = 2
        client = self.make_client(clock=lambda: BEFORE_MIDNIGHT)
        with self.assertRaises(ZortoutQuotaExceededError) as caught:
            read_products(client, "W0001")
        error = caught.exception
        self.assertEqual([call["query"]["page"] for call in self.calls_to()], ["1", "2", "3"])
        self.assertEqual((client.stats.calls, client.stats.retries, self.sleeps), (3, 0, []))
        self.assertEqual(error.resets_at, datetime(2026, 3, 1, 17, 0, tzinfo=timezone.utc))
        self.assertEqual((error.daily_limit, error.res_code, error.res_desc), (50_000, "100", QUOTA_NOTICE))
        self.assertTrue(error.transient, "it passes by itself, at resets_at")
        self.assertNotIsInstance(error, ZortoutTransientError)
        self.assertIn("2026-03-02 00:00 Asia/Bangkok", str(error))
        # every call until the reset is refused, reads and writes alike, and never read as "nothing"
        for call in (lambda: client.fetch_page("W0001"), lambda: client.count_products("W0001"),
                     lambda: read_products(client, sku_list=["GEN-000001"]).rows, client.list_warehouses,
                     lambda: client.update_webhook(WebhookConfig(urls={QUANTITY_URL_KEY: "https://odoo.test/hook"}),
                                                   ("k1", "k2", "k3"))):
            with self.assertRaises(ZortoutQuotaExceededError):
                call()
        self.assertEqual(client.stats.calls, 8)
        self.assertIsNone(self.sandbox.webhook.config)
        # a new day
        self.sandbox.reset_quota()
        self.sandbox.daily_quota = 3
        self.assertEqual(len(read_products(client, "W0001").rows), 1201)

    def test_notice_with_rows_is_a_success_without_rows_the_quota_is_spent(self):
        self.sandbox.daily_quota, self.sandbox.quota_notice_margin = 4, 3
        client = self.make_client()
        self.assertEqual(len(read_products(client, "W0001").rows), 1201)
        self.assertEqual(client.stats.notices, [QUOTA_NOTICE, QUOTA_NOTICE], "calls 2 and 3 of 4 carried it")
        self.assertEqual(len(client.fetch_page("W0001", 3).rows), 201)
        self.assertEqual(len(client.stats.notices), 3)
        with self.assertRaises(ZortoutQuotaExceededError):
            client.fetch_page("W0001", 1)
        self.assertEqual(client.stats.calls, 5)
        # the refusal without any list (the sandbox's one-off fault)
        self.sandbox.daily_quota = None
        self.sandbox.faults.add(PRODUCTS, "quota_no_data", page=2)
        with self.assertRaises(ZortoutQuotaExceededError):
            read_products(client, "W0001")
        self.assertEqual(client.stats.calls, 7)
