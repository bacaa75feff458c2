import logging
import time
from decimal import Decimal

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.otd_marketplace_stock.zortout import (
    MISSING,
    UNREADABLE,
    ProductRow,
    QuantityProblem,
    ZortoutAuthError,
    ZortoutBadResponseError,
    ZortoutConnectionError,
    ZortoutError,
    ZortoutIncompleteSweepError,
    ZortoutPermanentError,
    ZortoutRateLimitError,
    ZortoutServerError,
    ZortoutTimeoutError,
    ZortoutUnknownWarehouseError,
    parse_quantity,
)
from odoo.addons.otd_marketplace_stock.zortout_sandbox import DROP, QUOTA_NOTICE, Catalogue

from .sandbox_case import PRODUCTS, WAREHOUSES, MaxJitter, SandboxCase

# what each fault turns into once the retries are used up
FAULT_ERRORS = {
    "http_500": ZortoutServerError,
    "res_500": ZortoutServerError,
    "reset": ZortoutConnectionError,
    "rate_limit": ZortoutRateLimitError,
    "quota_no_data": ZortoutRateLimitError,
    "not_json": ZortoutBadResponseError,
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


@tagged("post_install", "-at_install")
class TestZortoutReads(SandboxCase, BaseCase):

    def test_paging_reads_every_product_with_the_fewest_calls(self):
        for n in (0, 1, 499, 500, 501, 1234):
            with self.subTest(products=n):
                catalogue = self.use_catalogue(Catalogue.generate(n, seed=n))
                client = self.make_client()
                rows = client.fetch_products("W0001")
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
        self.assertEqual(len(client.fetch_products()), 30)
        self.assertEqual(self.calls_to()[0]["query"]["limit"], "500")
        small = self.make_client(page_limit=7)
        self.sandbox.clear_requests()
        self.assertEqual(len(small.fetch_products()), 30)
        self.assertEqual(len(self.calls_to()), 5)
        self.assertEqual(small.stats.pages, 5)

    def test_warehouse_quantities_and_store_totals(self):
        client = self.make_client()
        mugs = {code: client.fetch_products(code, ["DEMO-MUG"])[0] for code in ("W0001", "W0002", "ODS001")}
        self.assertEqual(mugs["W0001"].stock, Decimal("120.00"))
        self.assertEqual(mugs["W0001"].available_stock, Decimal("115.00"))
        self.assertEqual(mugs["ODS001"].stock, Decimal("60.00"))
        total = client.fetch_products(sku_list=["DEMO-MUG"])[0]
        self.assertEqual(total.stock, sum(m.stock for m in mugs.values()))
        self.assertEqual(total.available_stock, sum(m.available_stock for m in mugs.values()))
        queries = [c["query"] for c in self.calls_to()]
        self.assertEqual([q.get("warehousecode") for q in queries], ["W0001", "W0002", "ODS001", None])

    def test_services_variants_and_active_filter(self):
        client = self.make_client()
        rows = {row.sku: row for row in client.fetch_products()}
        self.assertTrue(rows["DEMO-GIFTWRAP"].is_service)
        self.assertFalse(rows["DEMO-MUG"].is_service)
        self.assertTrue({"DEMO-TSHIRT-S", "DEMO-TSHIRT-M", "DEMO-TSHIRT-L"} <= set(rows))
        self.sandbox.catalogue.update("DEMO-PEN", active=False)
        active = {row.sku for row in client.fetch_products("W0001", active_only=True)}
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
        rows = {row.sku: row for row in self.make_client().fetch_products("W0001")}
        self.assertIs(rows["DEMO-MUG"].available_stock, MISSING)
        self.assertIs(rows["DEMO-CAP"].available_stock, MISSING)
        self.assertIs(rows["DEMO-BAG"].available_stock, UNREADABLE)
        self.assertIs(rows["DEMO-PEN"].available_stock, MISSING)
        self.assertIs(rows["DEMO-SOCKS"].stock, UNREADABLE)
        self.assertEqual(rows["DEMO-SOCKS"].raw_stock, "1e12")
        self.assertEqual(rows["DEMO-MUG"].stock, Decimal("120.00"))

    def test_sku_list_goes_in_batches_through_the_skulist_header(self):
        self.use_catalogue(Catalogue.generate(300))
        wanted = [f"GEN-{i:06d}" for i in range(1, 251)]
        noisy = wanted + [f"  {wanted[0]} ", wanted[1], "", "UNKNOWN-SKU"]
        client = self.make_client(sku_batch_size=100)
        rows = client.fetch_products("W0002", noisy)
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
        self.assertEqual(client.fetch_products("W0001", []), [])
        self.assertEqual(client.fetch_products("W0001", ["", "  "]), [])
        self.assertEqual(self.sandbox.requests, [])

    def test_rows_that_only_contain_the_requested_sku_are_dropped(self):
        catalogue = self.sandbox.catalogue
        catalogue.add_product({"sku": "DEMO-MUG-XL", "name": "Big mug", "stock": {"W0001": 9}})
        catalogue.add_product({"sku": "XDEMO-MUG", "name": "Other mug", "stock": {"W0001": 4}})
        client = self.make_client()
        # a server treating the skulist as "contains"
        self.sandbox.skulist_mode = "contains"
        rows = client.fetch_products("W0001", ["DEMO-MUG"])
        self.assertEqual([row.sku for row in rows], ["DEMO-MUG"])
        self.assertEqual(rows[0].stock, Decimal("120.00"))
        self.assertGreaterEqual(len(self.sandbox.requests), 1)
        # the same answer injected as a one-off fault on an exact server
        self.sandbox.skulist_mode = "exact"
        self.sandbox.faults.add(PRODUCTS, "superset")
        rows = client.fetch_products("W0001", ["DEMO-MUG", "DEMO-CAP"])
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

    def test_product_detail(self):
        client = self.make_client()
        row = client.get_product_detail(4470904, "W0002")
        self.assertEqual((row.sku, row.stock), ("DEMO-MUG", Decimal("24.00")))
        self.sandbox.detail_envelope = "bare"
        self.assertEqual(client.get_product_detail(4470904).stock, Decimal("204.00"))
        with self.assertRaises(ZortoutPermanentError) as caught:
            client.get_product_detail(1)
        self.assertEqual(caught.exception.res_desc, "Invalid ID.")

    def test_every_call_sends_auth_headers_and_its_own_request_id(self):
        client = self.make_client()
        client.list_warehouses()
        client.fetch_products("W0001")
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
        self.assertEqual(len(client.fetch_products()), 1200)
        peers = {call["peer"] for call in self.calls_to()}
        self.assertEqual(len(self.calls_to()), 3)
        self.assertEqual(len(peers), 1, "every page should travel over the same kept-alive connection")


@tagged("post_install", "-at_install")
class TestZortoutWrites(SandboxCase, BaseCase):

    def test_update_stock_list_sets_absolute_quantities(self):
        client = self.make_client()
        answer = client.update_stock_list({"DEMO-MUG": Decimal("10"), "DEMO-CAP": 2.5}, "W0002")
        self.assertEqual(answer["resCode"], "200")
        call = self.sandbox.requests[-1]
        self.assertEqual((call["method"], call["route"]), ("POST", "/Product/UpdateProductStockList"))
        self.assertEqual(call["query"], {"warehousecode": "W0002"})
        self.assertEqual(call["body"], {"stocks": [{"sku": "DEMO-MUG", "stock": 10}, {"sku": "DEMO-CAP", "stock": 2.5}]})
        mug = client.fetch_products("W0002", ["DEMO-MUG"])[0]
        self.assertEqual(mug.stock, Decimal("10.00"))
        client.update_stock_list([("DEMO-MUG", 3)], "W0002", available=True)
        self.assertEqual(self.sandbox.requests[-1]["route"], "/Product/UpdateProductAvailableStockList")
        mug = client.fetch_products("W0002", ["DEMO-MUG"])[0]
        self.assertEqual(mug.available_stock, Decimal("3.00"))

    def test_update_stock_list_rejects_unknown_warehouse(self):
        client = self.make_client()
        with self.assertRaises(ZortoutUnknownWarehouseError) as caught:
            client.update_stock_list([{"sku": "DEMO-MUG", "stock": 1}], "W9999")
        self.assertEqual(caught.exception.code, "W9999")
        self.assertEqual(caught.exception.valid_codes, ["W0001", "W0002", "ODS001"])
        self.assertEqual(caught.exception.res_desc, "Invalid Warehouse/Branch")
        self.assertEqual(client.stats.calls, 2)
        self.assertEqual(client.update_stock_list({}, "W0001"), {})
        self.assertEqual(client.stats.calls, 2)

    def test_update_is_retried_after_a_server_error(self):
        self.sandbox.faults.add("/Product/UpdateProductStockList", "http_500")
        client = self.make_client()
        self.assertEqual(client.update_stock_list({"DEMO-PEN": 1}, "W0001")["resCode"], "200")
        self.assertEqual((client.stats.calls, client.stats.retries), (2, 1))
        self.assertEqual(self.sandbox.quantities("DEMO-PEN", "W0001")[0], "1.00")


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
                rows = client.fetch_products("W0001")
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
                    client.fetch_products("W0001")
                self.assertTrue(caught.exception.transient)
                self.assertEqual(caught.exception.endpoint, PRODUCTS)
                self.assertEqual(len(self.calls_to()), 4)
                self.assertEqual(client.stats.retries, 3)

    def test_a_failed_later_page_fails_the_whole_sweep(self):
        self.sandbox.faults.add(PRODUCTS, "http_500", page=3, times=10)
        client = self.make_client(max_retries=2)
        seen = []
        with self.assertRaises(ZortoutIncompleteSweepError) as caught:
            for row in client.iter_products("W0001"):
                seen.append(row)
        error = caught.exception
        self.assertIsInstance(error.cause, ZortoutServerError)
        self.assertEqual((error.page, error.rows_read, error.http_status), (3, 1000, 500))
        self.assertTrue(error.transient)
        self.assertIn("page 3", str(error))
        self.assertEqual(len(seen), 1000)
        with self.assertRaises(ZortoutIncompleteSweepError):
            self.reset_sandbox()
            self.sandbox.faults.add(PRODUCTS, "reset", page=2, times=10)
            result = self.make_client(max_retries=1).fetch_products("W0001")
            self.fail(f"a partial result came back: {len(result)} rows")

    def test_short_page_is_never_taken_for_the_last_page(self):
        self.sandbox.faults.add(PRODUCTS, "short_page", page=2, times=10)
        client = self.make_client(max_retries=2)
        with self.assertRaises(ZortoutIncompleteSweepError) as caught:
            client.fetch_products("W0001")
        error = caught.exception
        self.assertEqual((error.page, error.count, error.rows_read), (2, 1200, 999))
        self.assertIn("499 rows", str(error))
        self.assertEqual(len(self.calls_to()), 4)  # page 1, then page 2 three times

    def test_backoff_grows_exponentially_up_to_the_cap(self):
        self.sandbox.faults.add(PRODUCTS, "http_500", times=3)
        client = self.make_client(rng=MaxJitter(), backoff_base=0.5, backoff_cap=8.0)
        self.assertEqual(len(client.fetch_products("W0001")), 1200)
        self.assertEqual(self.sleeps, [0.5, 1.0, 2.0])

        self.sleeps.clear()
        self.sandbox.faults.add(PRODUCTS, "res_500", times=3)
        capped = self.make_client(rng=MaxJitter(), backoff_base=0.5, backoff_cap=0.75)
        capped.fetch_products("W0001")
        self.assertEqual(self.sleeps, [0.5, 0.75, 0.75])

        self.sleeps.clear()
        self.sandbox.faults.add(PRODUCTS, "not_json", times=3)
        jittered = self.make_client(backoff_base=0.5, backoff_cap=8.0)
        jittered.fetch_products("W0001")
        self.assertEqual(len(self.sleeps), 3)
        for attempt, delay in enumerate(self.sleeps):
            self.assertGreaterEqual(delay, 0)
            self.assertLessEqual(delay, 0.5 * 2 ** attempt)

    def test_retry_after_is_honoured_up_to_the_cap(self):
        self.sandbox.faults.add(PRODUCTS, "rate_limit", times=1, retry_after=7)
        self.sandbox.faults.add(PRODUCTS, "rate_limit", times=1, retry_after=120)
        client = self.make_client(retry_after_cap=30.0)
        self.assertEqual(len(client.fetch_products("W0001")), 1200)
        self.assertEqual(self.sleeps, [7.0, 30.0])
        self.assertEqual(client.stats.retries, 2)

        self.sandbox.faults.add(PRODUCTS, "rate_limit", times=10, retry_after=5)
        with self.assertRaises(ZortoutRateLimitError) as caught:
            self.make_client(max_retries=1).fetch_products("W0001")
        self.assertEqual((caught.exception.http_status, caught.exception.retry_after), (429, 5.0))

    def test_a_hang_times_out_and_is_retried(self):
        self.sandbox.faults.add(PRODUCTS, "hang", page=1, times=1, seconds=1)
        client = self.make_client(read_timeout=0.3)
        started = time.monotonic()
        self.assertEqual(len(client.fetch_products("W0001")), 1200)
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(client.stats.retries, 1)

        self.sandbox.faults.add(PRODUCTS, "hang", page=1, times=10, seconds=1)
        client = self.make_client(read_timeout=0.3, max_retries=2)
        started = time.monotonic()
        with self.assertRaises(ZortoutTimeoutError) as caught:
            client.fetch_products("W0001")
        self.assertLess(time.monotonic() - started, 3)
        self.assertTrue(caught.exception.transient)
        self.assertEqual(client.stats.calls, 3)

    def test_quota_notice_with_data_is_a_success(self):
        self.sandbox.faults.add(PRODUCTS, "quota_with_data", page=1)
        client = self.make_client()
        self.assertEqual(len(client.fetch_products("W0001")), 1200)
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
                    client.fetch_products("W0009")
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
        self.assertEqual(client.fetch_products("W0009"), [])
        self.assertEqual(client.stats.calls, 1)
        self.assertNotIn("W0009", [w.code for w in client.list_warehouses()])

    def test_access_denied_for_a_known_warehouse_stays_a_credentials_error(self):
        client = self.make_client(api_key="wrong-key")
        with self.assertRaises(ZortoutAuthError) as caught:
            client.fetch_products("W0001")
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
            self.assertEqual(len(client.fetch_products("W0001")), 11)  # all but the gift wrap, a service
            self.sandbox.faults.add(PRODUCTS, "http_500", times=5)
            with self.assertRaises(ZortoutError) as failed:
                client.fetch_products("W0001", ["DEMO-MUG"])
            texts += [str(failed.exception), repr(failed.exception)]
            self.sandbox.faults.clear()
            wrong = self.make_client(logger=logger, api_secret="SECRET-wrong-9e8d")
            with self.assertRaises(ZortoutAuthError) as denied:
                wrong.list_warehouses()
            texts += [str(denied.exception), repr(denied.exception), repr(client), repr(wrong)]
            texts += [repr(client.stats), repr(client.fetch_products("W0001")[0])]
        texts += [record.getMessage() for record in captured.records]
        texts += [str(request) for request in self.sandbox.requests]
        self.assertGreaterEqual(len(captured.records), 5)
        self.assertTrue(any("GET /Product/GetProducts" in r.getMessage() for r in captured.records))
        for text in texts:
            for secret in secrets:
                self.assertNotIn(secret, text)
