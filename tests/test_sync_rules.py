from odoo.tests import tagged

from odoo.addons.otd_marketplace_stock.zortout_sandbox.catalogue import Catalogue

from .common import SKIP_REASON_ROWS, MarketplaceCase


@tagged("post_install", "-at_install")
class TestSyncRules(MarketplaceCase):
    def catalogue(self, *products):
        return self.use_catalogue(Catalogue(products=products))

    def test_every_skip_reason_is_reported_and_left_alone(self):
        self.catalogue(*SKIP_REASON_ROWS, {"sku": "GOOD", "stock": {"W0001": 5}})
        twice = self.make_product("TWICE")
        self.make_product("AMBIG")
        self.make_product("AMBIG", name="Another AMBIG")
        service = self.make_product("SERVICE", type="service", is_storable=False)
        zservice = self.make_product("ZSERVICE")
        untracked = self.make_product("UNTRACKED", is_storable=False)
        lot = self.make_product("LOT", tracking="lot")
        missing = self.make_product("MISSING")
        garbled = self.make_product("GARBLED")
        counted = self.make_product("COUNTED")
        good = self.make_product("GOOD")
        for product in (twice, zservice, missing, garbled, counted):
            self.set_on_hand(product, 2)
        quant = self.env["stock.quant"].search([("product_id", "=", counted.id), ("location_id", "=", self.stock.id)])
        quant.with_context(inventory_mode=True).inventory_quantity = 9  # someone is counting it now

        job = self.run_job()
        self.assertEqual(job.state, "done", job.error)
        result = self.result(job)
        self.assertEqual(result["skipped"], {
            "no_sku": 1, "duplicate_in_zortout": 2, "ambiguous_in_odoo": 1, "not_in_odoo": 1, "service": 2,
            "not_tracked": 1, "tracked_by_lot": 1, "bad_quantity": 2, "being_counted": 1, "kit": 0,
            "superseded_by_newer": 0, "apply_failed": 0,
        })
        self.assertEqual(result["fetched"], 13)
        self.assertEqual(result["matched"], 8)  # service x2, untracked, lot, bad x2, counted, good
        self.assertEqual(result["updated"], 1)
        self.assertEqual(result["samples"]["duplicate_in_zortout"], ["TWICE"], "a sample names a SKU once")
        self.assertEqual(sorted(result["samples"]["bad_quantity"]), ["GARBLED", "MISSING"])
        self.assertEqual(result["samples"]["being_counted"], ["COUNTED"])
        # left alone: stock unchanged, counting kept, product settings unchanged
        for product in (twice, zservice, missing, garbled, counted):
            self.assertEqual(self.on_hand(product), 2, product.default_code)
        self.assertTrue(quant.inventory_quantity_set)
        self.assertEqual(quant.inventory_quantity, 9)
        self.assertEqual(self.on_hand(good), 5)
        self.assertEqual((service.type, untracked.is_storable, lot.tracking), ("service", False, "lot"))
        self.assertIn("Being counted in Odoo", job.result_summary)
        self.assertIn("COUNTED", job.result_summary)

    def test_negative_quantity_counts_as_zero(self):
        self.catalogue({"sku": "NEG", "stock": {"W0001": -4}})
        product = self.make_product("NEG")
        self.set_on_hand(product, 6)
        job = self.run_job()
        result = self.result(job)
        self.assertEqual(self.on_hand(product), 0)
        self.assertEqual(result["negative_clamped"], 1)
        self.assertEqual(result["samples"]["negative_clamped"], ["NEG"])
        self.assertEqual(result["updated"], 1)

    def test_sku_match_is_exact_on_stripped_codes_within_the_company(self):
        self.catalogue(
            {"sku": "PAD-1", "stock": {"W0001": 7}},
            {"sku": "pad-1", "stock": {"W0001": 8}},
            {"sku": "OTHERCO", "stock": {"W0001": 9}},
            {"sku": "ARCHIVED", "stock": {"W0001": 9}},
            {"sku": "SHARED", "stock": {"W0001": 3}},
        )
        padded = self.make_product("  PAD-1 ")
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.make_product("OTHERCO", company_id=other_company.id)
        self.make_product("ARCHIVED", active=False)
        shared = self.make_product("SHARED", company_id=False)
        result = self.result(self.run_job())
        self.assertEqual(self.on_hand(padded), 7)
        self.assertEqual(self.on_hand(shared), 3)
        self.assertEqual(result["skipped"]["not_in_odoo"], 3)
        self.assertEqual(sorted(result["samples"]["not_in_odoo"]), ["ARCHIVED", "OTHERCO", "pad-1"])

    def test_children_included_on_hand_equals_zortout(self):
        """Stock spread over the location and its children ends equal to Zortout's figure, both ways."""
        self.catalogue({"sku": "UP", "stock": {"W0001": 10}}, {"sku": "DOWN", "stock": {"W0001": 1}})
        up, down = self.make_product("UP"), self.make_product("DOWN")
        self.set_on_hand(up, 4, self.shelf)
        self.set_on_hand(down, 2)
        self.set_on_hand(down, 5, self.shelf)
        self.run_job()
        self.assertEqual(self.on_hand(up), 10)
        self.assertEqual(self.on_hand(up, self.shelf), 4, "an increase goes to the stock location itself")
        self.assertEqual(self.on_hand(down), 1)
        quants = self.env["stock.quant"].search([("product_id", "=", down.id),
                                                 ("location_id", "child_of", self.stock.id)])
        self.assertTrue(all(q.quantity >= 0 for q in quants), "no negative quant is made")

    def test_products_outside_the_sweep_are_untouched(self):
        outside = self.make_product("NOT-IN-ZORTOUT")
        self.set_on_hand(outside, 12)
        job = self.run_job({"sku_list": ["DEMO-MUG", "DEMO-PEN"]})
        result = self.result(job)
        self.assertEqual(result["fetched"], 2)
        self.assertEqual(self.on_hand(self.products["DEMO-MUG"]), self.zortout_quantity("DEMO-MUG"))
        self.assertEqual(self.on_hand(self.products["DEMO-CAP"]), 0, "not in the SKU list")
        self.assertEqual(self.on_hand(outside), 12)

    def test_zero_guard_stops_a_full_sweep_that_would_empty_the_stock(self):
        products = {f"Z{i:02d}": self.make_product(f"Z{i:02d}") for i in range(12)}
        for product in products.values():
            self.set_on_hand(product, 5)
        self.catalogue(*({"sku": sku, "stock": {"W0001": 0}} for sku in products))
        with self.expect_failure_logs():
            job = self.run_job()
        self.assertEqual(job.state, "failed")
        self.assertIn("zero stock for 12 of the 12", job.error)
        self.assertIn('"force": true', job.error)
        self.assertTrue(all(self.on_hand(product) == 5 for product in products.values()))
        self.assertFalse(self.inventory_moves(job))

        forced = self.run_job({"force": True})
        self.assertEqual(forced.state, "done", forced.error)
        self.assertTrue(all(self.on_hand(product) == 0 for product in products.values()))

    def test_zero_guard_counts_listed_zeros_and_left_out_products_alike(self):
        # six products listed with nothing sellable, six that the warehouse no longer lists
        listed = {f"L{i:02d}": self.make_product(f"L{i:02d}") for i in range(6)}
        left_out = {f"O{i:02d}": self.make_product(f"O{i:02d}") for i in range(6)}
        kept = self.make_product("KEPT")
        for product in (*listed.values(), *left_out.values(), kept):
            self.set_on_hand(product, 5)
        self.catalogue(*({"sku": sku, "stock": {"W0001": 3}, "availablestock": {"W0001": 0}} for sku in listed),
                       *({"sku": sku, "stock": {"W0001": 0}} for sku in left_out),
                       {"sku": "KEPT", "stock": {"W0001": 5}})
        with self.expect_failure_logs():
            job = self.run_job()
        self.assertEqual(job.state, "failed")
        self.assertIn("zero stock for 12 of the 13", job.error)
        self.assertIn("L00, L01, L02, L03, L04", job.error, "the samples come in order")
        self.assertTrue(all(self.on_hand(product) == 5 for product in (*listed.values(), *left_out.values())))

    def test_zero_guard_lets_a_few_zeros_through(self):
        products = [self.make_product(f"F{i:02d}") for i in range(10)]
        for product in products:
            self.set_on_hand(product, 5)
        self.catalogue(*({"sku": product.default_code, "stock": {"W0001": 0}} for product in products))
        job = self.run_job()
        self.assertEqual(job.state, "done", "10 products to zero is not more than 10")
        self.assertEqual(self.on_hand(products[0]), 0)

    def test_sku_list_is_not_guarded(self):
        products = [self.make_product(f"S{i:02d}") for i in range(12)]
        for product in products:
            self.set_on_hand(product, 5)
        self.catalogue(*({"sku": product.default_code, "stock": {"W0001": 0}} for product in products))
        job = self.run_job({"sku_list": [product.default_code for product in products]})
        self.assertEqual(job.state, "done", job.error)
