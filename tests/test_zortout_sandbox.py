import contextlib
import io
import json
import os
import tempfile
import time

import requests

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.otd_marketplace_stock.zortout_sandbox import QUOTA_NOTICE, Catalogue, SandboxServer
from odoo.addons.otd_marketplace_stock.zortout_sandbox.__main__ import build_server, load_catalogue, parse_args

from .sandbox_case import PRODUCTS, WAREHOUSES, SandboxCase

DEMO_SKUS = {
    "DEMO-TSHIRT-S", "DEMO-TSHIRT-M", "DEMO-TSHIRT-L", "DEMO-MUG", "DEMO-CAP", "DEMO-BAG", "DEMO-BOTTLE",
    "DEMO-SOCKS", "DEMO-NOTEBOOK", "DEMO-PEN", "DEMO-GIFTWRAP", "DEMO-NOT-IN-ODOO",
}


@tagged("post_install", "-at_install")
class TestSandboxCatalogue(BaseCase):

    def test_demo_catalogue_has_the_demo_products(self):
        catalogue = Catalogue.demo()
        products = {p["sku"]: p for p in catalogue.products}
        self.assertEqual(set(products), DEMO_SKUS)
        self.assertEqual(catalogue.warehouse_codes(), ["W0001", "W0002", "ODS001"])
        self.assertTrue(all(any("\u0e00" <= ch <= "\u0e7f" for ch in w["name"]) for w in catalogue.warehouses))
        self.assertEqual(products["DEMO-GIFTWRAP"]["producttype"], 1)
        variation = {products[s]["variationid"] for s in ("DEMO-TSHIRT-S", "DEMO-TSHIRT-M", "DEMO-TSHIRT-L")}
        self.assertEqual(len(variation), 1)
        self.assertNotEqual(variation, {0})
        self.assertEqual(products["DEMO-TSHIRT-M"]["variant"][0]["variantname"], "M")
        for sku in DEMO_SKUS - {"DEMO-GIFTWRAP"}:
            stock, _available = catalogue.stock_of(sku)
            self.assertGreater(stock, 0, sku)

    def test_generated_catalogue_is_deterministic(self):
        first, again = Catalogue.generate(50, seed=4), Catalogue.generate(50, seed=4)
        other = Catalogue.generate(50, seed=5)
        self.assertEqual(first.products[0]["sku"], "GEN-000001")
        self.assertEqual(first.products[-1]["sku"], "GEN-000050")
        render = lambda c: [c.render(p, "W0002") for p in c.products]  # noqa: E731
        self.assertEqual(render(first), render(again))
        self.assertNotEqual(render(first), render(other))
        for row in render(first):
            self.assertIsInstance(row["stock"], str)
            self.assertLessEqual(float(row["availablestock"]), float(row["stock"]))
        # every generated product holds something in every warehouse, so warehouse sweeps list them all
        self.assertTrue(all(first.holds(p, code) for p in first.products for code in first.warehouse_codes()))

    def test_command_line_catalogue_choices(self):
        self.assertEqual(len(load_catalogue("demo").products), 12)
        generated = load_catalogue("generate:25:9")
        self.assertEqual(len(generated.products), 25)
        self.assertEqual(generated.render(generated.products[3]), Catalogue.generate(25, seed=9).render(
            Catalogue.generate(25, seed=9).products[3]))
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "store.json")
            with open(path, "w", encoding="utf-8") as handle:
                json.dump({"warehouses": [{"id": 1, "code": "KLD", "name": "คลัง KLD"}],
                           "products": [{"id": 7, "sku": "A-1", "name": "A", "stock": {"KLD": "5.00"}}]}, handle)
            loaded = load_catalogue(path)
        self.assertEqual(loaded.warehouse_codes(), ["KLD"])
        self.assertEqual(loaded.render(loaded.products[0], "KLD")["stock"], "5.00")
        with self.assertRaises(ValueError):
            load_catalogue("generate:1:2:3")


@tagged("post_install", "-at_install")
class TestSandboxServer(SandboxCase, BaseCase):

    def get(self, route, params=None, headers=None, auth=True, method="GET", **kwargs):
        sent = dict(headers or {})
        if auth:
            sent.update(storename=self.sandbox.store_name, apikey=self.sandbox.api_key,
                        apisecret=self.sandbox.api_secret)
        response = requests.request(method, self.sandbox.base_url + route, params=params, headers=sent,
                                    timeout=kwargs.pop("timeout", 30), **kwargs)
        self.addCleanup(response.close)
        return response

    def test_products_envelope_and_string_numbers(self):
        response = self.get(PRODUCTS, {"warehousecode": "W0001", "limit": 5})
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["res"], {"resCode": "200", "resDesc": "Success"})
        self.assertEqual(body["count"], 11)  # the gift wrap, a service, holds nothing in W0001
        self.assertEqual(len(body["list"]), 5)
        first = body["list"][0]
        self.assertEqual((first["sku"], first["stock"], first["availablestock"]), ("DEMO-TSHIRT-S", "40.00", "38.00"))
        self.assertIsInstance(first["id"], int)
        self.assertIs(first["active"], True)

    def test_limit_is_capped_at_500_and_pages_follow(self):
        self.use_catalogue(Catalogue.generate(620))
        body = self.get(PRODUCTS, {"limit": 1000}).json()
        self.assertEqual((len(body["list"]), body["count"]), (500, 620))
        body = self.get(PRODUCTS, {"limit": 500, "page": 2}).json()
        self.assertEqual(len(body["list"]), 120)
        self.assertEqual(body["list"][0]["sku"], "GEN-000501")
        self.assertEqual(self.get(PRODUCTS, {"limit": 500, "page": 3}).json()["list"], [])

    def skus(self, params=None, headers=None):
        return sorted(p["sku"] for p in self.get(PRODUCTS, dict(params or {}, limit=500), headers).json()["list"])

    def test_warehouse_listing_variants(self):
        # held (the default): no CAP, no NOT-IN-ODOO (none there), no NOTEBOOK (0.00 there), no GIFTWRAP (a service)
        held = self.skus({"warehousecode": "ODS001"})
        self.assertEqual(len(held), 8)
        self.assertFalse({"DEMO-CAP", "DEMO-NOT-IN-ODOO", "DEMO-NOTEBOOK", "DEMO-GIFTWRAP"} & set(held))
        self.sandbox.warehouse_filter = "recorded"
        self.assertEqual(set(self.skus({"warehousecode": "ODS001"})) - set(held), {"DEMO-NOTEBOOK", "DEMO-GIFTWRAP"})
        self.sandbox.warehouse_filter = "all"
        body = self.get(PRODUCTS, {"warehousecode": "ODS001", "limit": 500}).json()
        self.assertEqual(body["count"], 12)
        cap = next(p for p in body["list"] if p["sku"] == "DEMO-CAP")
        self.assertEqual(cap["stock"], "0.00")

    def test_a_product_leaves_the_warehouse_sweep_when_its_last_unit_sells(self):
        self.assertIn("DEMO-BAG", self.skus({"warehousecode": "W0001"}))
        self.sandbox.catalogue.set_stock("DEMO-BAG", "W0001", 0, available=0)
        self.assertNotIn("DEMO-BAG", self.skus({"warehousecode": "W0001"}))
        self.assertIn("DEMO-BAG", self.skus({"warehousecode": "ODS001"}))
        # a skulist read in that warehouse leaves it out too; a store-wide one finds it
        self.assertEqual(self.skus({"warehousecode": "W0001"}, {"skulist": "DEMO-BAG,DEMO-MUG"}), ["DEMO-MUG"])
        self.assertEqual(self.skus(headers={"skulist": "DEMO-BAG,DEMO-MUG"}), ["DEMO-BAG", "DEMO-MUG"])
        # the other variant: the skulist read lists it with 0, the sweep still leaves it out
        self.sandbox.skulist_in_warehouse = "zero"
        body = self.get(PRODUCTS, {"warehousecode": "W0001"}, {"skulist": "DEMO-BAG,DEMO-CAP"}).json()
        self.assertEqual([(p["sku"], p["stock"]) for p in body["list"]], [("DEMO-CAP", "35.00"), ("DEMO-BAG", "0.00")])
        self.assertNotIn("DEMO-BAG", self.skus({"warehousecode": "W0001"}))
        self.assertEqual(self.skus({"warehousecode": "W0002"}, {"skulist": "DEMO-BAG"}), ["DEMO-BAG"])

    def test_empty_answer_shapes(self):
        expected = {
            "empty": {"res": {"resCode": "200", "resDesc": "Success"}, "list": [], "count": 0},
            "null": {"res": {"resCode": "200", "resDesc": "Success"}, "list": None, "count": 0},
            "missing": {"res": {"resCode": "200", "resDesc": "Success"}, "count": 0},
            "bare": {"res": {"resCode": "200", "resDesc": "Success"}},
        }
        for shape, body in expected.items():
            with self.subTest(shape=shape):
                self.sandbox.empty_list = shape
                self.assertEqual(self.get(PRODUCTS, headers={"skulist": "NOPE"}).json(), body)
                self.assertEqual(self.get(PRODUCTS, {"warehousecode": "W0002", "keyword": "zz"}).json(), body)
                # answers with rows, and pages past the end of a listing that has rows, keep their list
                self.assertEqual(len(self.get(PRODUCTS).json()["list"]), 12)
                self.assertEqual(self.get(PRODUCTS, {"page": 9}).json()["list"], [])
        with self.assertRaises(ValueError):
            SandboxServer(Catalogue(), empty_list="nothing")

    def test_overstated_count(self):
        self.sandbox.count_overstated_by = 3
        body = self.get(PRODUCTS, {"limit": 500}).json()
        self.assertEqual((len(body["list"]), body["count"]), (12, 15))
        body = self.get(PRODUCTS, {"limit": 500, "page": 2}).json()
        self.assertEqual((body["list"], body["count"]), ([], 15))
        self.assertEqual(self.get(PRODUCTS, headers={"skulist": "DEMO-MUG"}).json()["count"], 4)

    def test_daily_quota(self):
        sandbox = self.sandbox
        sandbox.daily_quota, sandbox.quota_notice_margin = 3, 2
        first = self.get(PRODUCTS, {"limit": 2}).json()
        self.assertEqual(first["res"], {"resCode": "200", "resDesc": "Success"})
        near = self.get(WAREHOUSES).json()
        self.assertEqual((near["res"]["resCode"], near["res"]["resDesc"], len(near["list"])), ("100", QUOTA_NOTICE, 3))
        empty = self.get(PRODUCTS, headers={"skulist": "NOPE"}).json()
        self.assertEqual(empty["res"]["resCode"], "200", "the notice rides only on answers that carry rows")
        self.assertEqual(self.get(PRODUCTS).json(), {"res": {"resCode": "100", "resDesc": QUOTA_NOTICE},
                                                     "list": [], "count": 0})
        write = self.get("/Product/UpdateProductStockList", {"warehousecode": "W0001"}, method="POST",
                         json={"stocks": [{"sku": "DEMO-BAG", "stock": 1}]})
        self.assertEqual(write.json(), {"resCode": "100", "resDesc": QUOTA_NOTICE})
        self.assertEqual(sandbox.quantities("DEMO-BAG", "W0001")[0], "80.00", "a refused write changes nothing")
        self.assertEqual(sandbox.quota_used, 5)
        # bad credentials are refused as such, spent quota or not
        denied = self.get(PRODUCTS, headers={"storename": sandbox.store_name, "apikey": "x", "apisecret": "y"},
                          auth=False)
        self.assertEqual(denied.json()["res"]["resDesc"], "Access Denied")
        sandbox.reset_quota()
        self.assertEqual(self.get(PRODUCTS).json()["res"]["resCode"], "200")
        self.assertEqual(sandbox.quota_used, 1)

    def test_quantity_formats(self):
        expected = {"decimal": ("120.00", "115.00"), "integer": ("120", "115"), "number": (120, 115)}
        for quantity_format, quantities in expected.items():
            with self.subTest(quantity_format=quantity_format):
                self.sandbox.quantity_format = quantity_format
                (mug,) = self.get(PRODUCTS, {"warehousecode": "W0001"}, {"skulist": "DEMO-MUG"}).json()["list"]
                self.assertEqual((mug["stock"], mug["availablestock"]), quantities)
                self.assertEqual(type(mug["stock"]), type(quantities[0]))
                detail = self.get("/Product/GetProductDetail", {"id": 4470904, "warehousecode": "W0001"}).json()
                self.assertEqual(detail["stock"], quantities[0])
        self.sandbox.catalogue.set_stock("DEMO-MUG", "W0001", "2.5", available="2.5")
        (mug,) = self.get(PRODUCTS, {"warehousecode": "W0001"}, {"skulist": "DEMO-MUG"}).json()["list"]
        self.assertEqual(mug["stock"], 2.5)
        with self.assertRaises(ValueError):
            SandboxServer(Catalogue(), quantity_format="roman")

    def test_drift_inserts_or_removes_at_the_front_after_a_page(self):
        self.use_catalogue(Catalogue.generate(10))
        shift = self.sandbox.drift.add(1, "insert")
        page = lambda n: self.get(PRODUCTS, {"limit": 4, "page": n}).json()  # noqa: E731
        first = page(1)
        self.assertEqual(([p["sku"] for p in first["list"]], first["count"]),
                         (["GEN-000001", "GEN-000002", "GEN-000003", "GEN-000004"], 10))
        (inserted,) = shift.played
        second = page(2)
        self.assertEqual(([p["sku"] for p in second["list"]], second["count"]),
                         (["GEN-000004", "GEN-000005", "GEN-000006", "GEN-000007"], 11))
        self.assertEqual(page(1)["list"][0]["sku"], inserted, "the new product comes first")
        self.assertEqual(shift.played, [inserted], "played once")
        self.assertEqual(self.sandbox.drift.pending, [])

        self.reset_sandbox()
        self.use_catalogue(Catalogue.generate(10))
        shift = self.sandbox.drift.add(2, "remove", times=None)
        page(1)
        self.assertEqual(shift.played, [])
        page(2)
        page(2)
        self.assertEqual(shift.played, ["GEN-000001", "GEN-000002"])
        self.assertEqual(page(3)["count"], 8)
        with self.assertRaises(ValueError):
            self.sandbox.drift.add(1, "shuffle")

    def test_search_filters(self):
        skus = lambda body: sorted(p["sku"] for p in body["list"])  # noqa: E731
        self.assertEqual(skus(self.get(PRODUCTS, {"searchsku": "tshirt"}).json()),
                         ["DEMO-TSHIRT-L", "DEMO-TSHIRT-M", "DEMO-TSHIRT-S"])
        self.assertEqual(self.get(PRODUCTS, {"keyword": "mu"}).json()["count"], 0)
        self.assertEqual(skus(self.get(PRODUCTS, {"keyword": "mug"}).json()), ["DEMO-MUG"])
        self.assertEqual(skus(self.get(PRODUCTS, headers={"skulist": "DEMO-PEN, DEMO-CAP,NOPE"}).json()),
                         ["DEMO-CAP", "DEMO-PEN"])
        self.assertEqual(skus(self.get(PRODUCTS, headers={"productidlist": "4470904"}).json()), ["DEMO-MUG"])

    def test_credentials_are_checked_like_zortout(self):
        denied = self.get(PRODUCTS, headers={"storename": self.sandbox.store_name, "apikey": "x", "apisecret": "y"},
                          auth=False)
        self.assertEqual(denied.status_code, 200)
        self.assertEqual(denied.json(), {"res": {"resCode": "100", "resDesc": "Access Denied"}})
        missing = self.get("/Warehouse/GetWarehouses", auth=False)
        self.assertEqual(missing.json()["res"]["resDesc"], "Invalid API")
        write = self.get("/Product/UpdateProductStockList", {"warehousecode": "W0001"}, auth=False, method="POST",
                         json={"stocks": []})
        self.assertEqual(write.json(), {"resCode": "100", "resDesc": "Invalid API"})

    def test_unknown_route_and_wrong_method(self):
        self.assertEqual(self.get("/Product/AdjustInventory").status_code, 404)
        self.assertEqual(self.get("/Product/GetProducts", method="POST", json={}).status_code, 405)
        self.assertEqual(self.get("/Product/UpdateProductStockList").status_code, 405)

    def test_stock_writes(self):
        url = "/Product/UpdateProductStockList"
        ok = self.get(url, {"warehousecode": "W0002"}, method="POST",
                      json={"stocks": [{"sku": "DEMO-BAG", "stock": 11}, {"sku": "NOPE", "stock": 1}]})
        self.assertEqual(ok.json(), {"resCode": "200", "resDesc": "Success"})
        self.assertEqual(self.sandbox.quantities("DEMO-BAG", "W0002"), ("11.00", "11.00"))
        wrong_shape = self.get(url, {"warehousecode": "W0002"}, method="POST",
                               json={"list": [{"sku": "DEMO-BAG", "number": 1}]})
        self.assertEqual(wrong_shape.json(), {"resCode": "100", "resDesc": "Invalid Warehouse/Branch"})
        no_code = self.get(url, method="POST", json={"stocks": [{"sku": "DEMO-BAG", "stock": 1}]})
        self.assertEqual(no_code.json()["resDesc"], "Invalid Warehouse/Branch")
        self.assertEqual(self.sandbox.quantities("DEMO-BAG", "W0002"), ("11.00", "11.00"))
        self.get("/Product/UpdateProductAvailableStockList", {"warehousecode": "W0001"}, method="POST",
                 json={"stocks": [{"sku": "DEMO-BAG", "stock": 70}]})
        self.assertEqual(self.sandbox.quantities("DEMO-BAG", "W0001"), ("72.00", "70.00"))

    def test_unknown_warehouse_modes(self):
        expected = {
            "invalid_warehouse": {"res": {"resCode": "100", "resDesc": "Invalid Warehouse/Branch"}},
            "access_denied": {"res": {"resCode": "100", "resDesc": "Access Denied"}},
            "empty": {"res": {"resCode": "200", "resDesc": "Success"}, "list": [], "count": 0},
        }
        for mode, body in expected.items():
            with self.subTest(mode=mode):
                self.sandbox.unknown_warehouse_mode = mode
                self.assertEqual(self.get(PRODUCTS, {"warehousecode": "W0404"}).json(), body)
        with self.assertRaises(ValueError):
            SandboxServer(Catalogue(), unknown_warehouse_mode="maybe")

    def test_product_detail_and_warehouses(self):
        body = self.get("/Product/GetProductDetail", {"id": 4470906, "warehousecode": "ODS001"}).json()
        self.assertEqual((body["sku"], body["stock"], body["res"]["resCode"]), ("DEMO-BAG", "45.00", "200"))
        self.assertEqual(self.get("/Product/GetProductDetail", {"id": 42}).json()["res"]["resDesc"], "Invalid ID.")
        warehouses = self.get("/Warehouse/GetWarehouses", {"limit": 2, "page": 2}).json()
        self.assertEqual(warehouses["count"], 3)
        self.assertEqual(warehouses["list"], [{"id": 129823, "code": "ODS001", "name": "คลังออนไลน์ ODS"}])

    def test_faults_fire_per_route_page_and_times(self):
        faults = self.sandbox.faults
        faults.add(PRODUCTS, "http_500", page=2, times=2)
        self.assertEqual(self.get(PRODUCTS, {"page": 1}).status_code, 200)
        self.assertEqual(self.get("/Warehouse/GetWarehouses", {"page": 2}).status_code, 200)
        self.assertEqual(self.get(PRODUCTS, {"page": 2}).status_code, 500)
        self.assertEqual(self.get(PRODUCTS, {"page": 2}).status_code, 500)
        self.assertEqual(self.get(PRODUCTS, {"page": 2}).status_code, 200)
        self.assertEqual(faults.pending, [])

        faults.add("/v4/Product/GetProducts", "rate_limit", retry_after=3)
        limited = self.get(PRODUCTS)
        self.assertEqual((limited.status_code, limited.headers["Retry-After"]), (429, "3"))
        faults.add(PRODUCTS, "not_json")
        self.assertRaises(ValueError, self.get(PRODUCTS).json)
        faults.add(PRODUCTS, "quota_no_data")
        self.assertEqual(self.get(PRODUCTS).json(),
                         {"res": {"resCode": "100", "resDesc": "API Request Limits (50000 requests/day)"}})
        faults.add(PRODUCTS, "quota_with_data")
        body = self.get(PRODUCTS, {"limit": 500}).json()
        self.assertEqual((body["res"]["resCode"], len(body["list"]), body["count"]), ("100", 12, 12))
        faults.add(PRODUCTS, "short_page")
        body = self.get(PRODUCTS, {"limit": 500}).json()
        self.assertEqual((len(body["list"]), body["count"]), (11, 12))
        faults.add(PRODUCTS, "res_500")
        self.assertEqual(self.get(PRODUCTS).json()["res"]["resCode"], "500")
        faults.add(PRODUCTS, "no_list")
        self.assertEqual(self.get(PRODUCTS).json(), {"res": {"resCode": "200", "resDesc": "Success"}, "count": 12})
        faults.add("*", "reset")
        with self.assertRaises(requests.ConnectionError):
            self.get("/Warehouse/GetWarehouses")
        faults.add(PRODUCTS, "hang", seconds=1)
        started = time.monotonic()
        self.assertEqual(self.get(PRODUCTS).status_code, 200)
        self.assertGreaterEqual(time.monotonic() - started, 0.9)
        with self.assertRaises(ValueError):
            faults.add(PRODUCTS, "gremlins")

    def test_request_log_masks_secrets(self):
        self.get(PRODUCTS, {"warehousecode": "W0001"}, headers={"skulist": "DEMO-MUG"})
        (recorded,) = self.sandbox.requests
        self.assertEqual((recorded["method"], recorded["path"], recorded["route"]), ("GET", "/v4" + PRODUCTS, PRODUCTS))
        self.assertEqual(recorded["query"], {"warehousecode": "W0001"})
        self.assertEqual(recorded["headers"]["skulist"], "DEMO-MUG")
        self.assertEqual((recorded["headers"]["apikey"], recorded["headers"]["apisecret"]), ("***", "***"))
        self.assertNotIn(self.sandbox.api_secret, json.dumps(self.sandbox.requests, default=str))
        self.sandbox.clear_requests()
        self.assertEqual(self.sandbox.requests, [])


@tagged("post_install", "-at_install")
class TestSandboxCommandLine(BaseCase):

    def test_every_behaviour_has_an_option(self):
        _parser, args = parse_args([
            "--unknown-warehouse-mode", "access_denied", "--warehouse-filter", "recorded",
            "--skulist-in-warehouse", "zero", "--skulist-mode", "contains", "--detail-envelope", "bare",
            "--empty-list", "null", "--quantity-format", "integer", "--count-overstated-by", "2",
            "--daily-quota", "100", "--quota-notice-margin", "10", "--drift", "insert:1", "--drift", "remove:3",
            "--port", "0"])
        server = build_server(args, Catalogue())
        settings = {name: getattr(server, name) for name in (
            "unknown_warehouse_mode", "warehouse_filter", "skulist_in_warehouse", "skulist_mode", "detail_envelope",
            "empty_list", "quantity_format", "count_overstated_by", "daily_quota", "quota_notice_margin")}
        self.assertEqual(settings, {
            "unknown_warehouse_mode": "access_denied", "warehouse_filter": "recorded", "skulist_in_warehouse": "zero",
            "skulist_mode": "contains", "detail_envelope": "bare", "empty_list": "null", "quantity_format": "integer",
            "count_overstated_by": 2, "daily_quota": 100, "quota_notice_margin": 10})
        self.assertEqual([(s.after_page, s.action, s.times) for s in server.drift.pending],
                         [(1, "insert", None), (3, "remove", None)])

    def test_defaults_play_the_live_service(self):
        _parser, args = parse_args([])
        server = build_server(args, Catalogue())
        self.assertEqual((server.warehouse_filter, server.skulist_in_warehouse, server.empty_list,
                          server.quantity_format, server.count_overstated_by, server.daily_quota),
                         ("held", "omitted", "empty", "decimal", 0, None))
        self.assertEqual(server.drift.pending, [])

    def test_bad_drift_option_is_refused(self):
        for value in ("insert", "shuffle:1", "remove:0", "insert:x"):
            with self.subTest(value=value), self.assertRaises(SystemExit), contextlib.redirect_stderr(io.StringIO()):
                parse_args(["--drift", value])
