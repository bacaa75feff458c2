"""The batch path (one product search, one quant read and one Apply per batch
of SKUs) and the per-record path (the same steps one SKU at a time) must leave
the same stock and report the same result."""

import json

from odoo.tests import tagged

from odoo.addons.otd_marketplace_stock.services.stock_sync import StockSync
from odoo.addons.otd_marketplace_stock.zortout_sandbox.catalogue import Catalogue

from .common import SKIP_REASON_ROWS, MarketplaceCase


@tagged("post_install", "-at_install")
class TestSyncPaths(MarketplaceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make = cls.make_product
        cls.make_product("TWICE")
        make("AMBIG")
        make("AMBIG", name="Another AMBIG")
        make("SERVICE", type="service", is_storable=False)
        make("ZSERVICE")
        make("UNTRACKED", is_storable=False)
        make("LOT", tracking="lot")
        make("MISSING")
        make("GARBLED")
        counted = make("COUNTED")
        negative = make("NEGATIVE")
        make("UP-NEW")
        up = make("UP")
        down = make("DOWN-SHELF")
        same = make("SAME")
        quants = cls.env["stock.quant"]
        quants._update_available_quantity(counted, cls.stock, 2)
        quants._update_available_quantity(negative, cls.stock, 6)
        quants._update_available_quantity(up, cls.stock, 3)
        quants._update_available_quantity(up, cls.shelf, 2)
        quants._update_available_quantity(down, cls.stock, 2)
        quants._update_available_quantity(down, cls.shelf, 5)
        quants._update_available_quantity(same, cls.shelf, 4)
        quant = quants.search([("product_id", "=", counted.id), ("location_id", "=", cls.stock.id)])
        quant.with_context(inventory_mode=True).inventory_quantity = 9  # someone is counting it now

    def sync_with(self, **options):
        """Run one sync through ``StockSync`` with ``options``; return (stock, result), then undo it."""
        job = self.new_job()
        job._mark_running(0)
        with self.env.cr.savepoint(flush=True) as savepoint:
            with self.account._zortout_client() as client:
                result = StockSync(job, client, **options).run().as_dict()
            self.env.flush_all()
            self.env.cr.execute("""
                SELECT p.default_code, q.location_id, sum(q.quantity)
                  FROM stock_quant q JOIN product_product p ON p.id = q.product_id
                  JOIN stock_location l ON l.id = q.location_id
                 WHERE l.usage = 'internal'
                 GROUP BY p.default_code, q.location_id
                HAVING sum(q.quantity) <> 0
            """)
            stock = {(code, location): quantity for code, location, quantity in self.env.cr.fetchall()}
            moves = self.env["stock.move"].search_count([("reference", "=", f"Zortout sync {job.reference}")])
            savepoint.rollback()
        self.env.invalidate_all()
        for key in ("duration_s", "api_calls"):
            result.pop(key)
        return stock, result, moves

    def test_bulk_and_per_record_paths_agree(self):
        self.use_catalogue(Catalogue(products=[
            *SKIP_REASON_ROWS,
            {"sku": "NEGATIVE", "stock": {"W0001": -3}},
            {"sku": "UP-NEW", "stock": {"W0001": 7}},
            {"sku": "UP", "stock": {"W0001": 12}},
            {"sku": "DOWN-SHELF", "stock": {"W0001": 1}},
            {"sku": "SAME", "stock": {"W0001": 4}},
        ]))
        bulk_stock, bulk_result, bulk_moves = self.sync_with()
        record_stock, record_result, record_moves = self.sync_with(batch_size=1)

        self.assertEqual(bulk_stock, record_stock)
        self.assertEqual(json.dumps(bulk_result, sort_keys=True), json.dumps(record_result, sort_keys=True))
        self.assertEqual(bulk_moves, record_moves)
        self.assertEqual(bulk_moves, 5)  # Odoo's Apply makes one per quant: DOWN-SHELF takes from two
        # every skip reason is present in the data set, and the stock is Zortout's
        self.assertTrue(all(bulk_result["skipped"].values()), bulk_result["skipped"])
        self.assertEqual((bulk_result["updated"], bulk_result["unchanged"], bulk_result["negative_clamped"]),
                         (4, 1, 1))
        tree = {}
        for (code, _location), quantity in bulk_stock.items():
            tree[code] = tree.get(code, 0) + quantity
        self.assertEqual((tree.get("UP-NEW"), tree.get("UP"), tree.get("DOWN-SHELF"), tree.get("SAME")),
                         (7, 12, 1, 4))
        self.assertNotIn("NEGATIVE", tree)  # clamped to 0
        self.assertEqual(tree.get("COUNTED"), 2)  # being counted: left alone
        # the decrease took the target's own quant first, then the shelf
        self.assertEqual(bulk_stock.get(("DOWN-SHELF", self.shelf.id)), 1)
        self.assertNotIn(("DOWN-SHELF", self.stock.id), bulk_stock)

    def test_each_batch_is_applied_before_the_next_one_starts(self):
        """The runner commits after each batch: by then that batch's stock is in place."""
        self.use_catalogue(Catalogue(products=[
            {"sku": f"BATCH-{index}", "stock": {"W0001": 10 + index}} for index in range(5)]))
        products = [self.make_product(f"BATCH-{index}") for index in range(5)]
        seen = []

        def after_batch(count):
            seen.append((count, [self.on_hand(product) for product in products]))

        job = self.new_job()
        job._mark_running(0)
        with self.account._zortout_client() as client:
            StockSync(job, client, batch_size=2, on_batch_applied=after_batch).run()
        self.assertEqual(seen, [
            (2, [10, 11, 0, 0, 0]),
            (2, [10, 11, 12, 13, 0]),
            (1, [10, 11, 12, 13, 14]),
        ])
