"""Every sync rule in one sweep, applied in one Odoo Apply per page or product by
product after a refusal: both leave the same stock and report the same result;
and a refused product (a kit) is that product's problem only."""

import json

from odoo.tests import tagged

from odoo.addons.otd_marketplace_stock.services.inventory import QuantState, apply_changes, read_quants
from odoo.addons.otd_marketplace_stock.zortout_sandbox.catalogue import Catalogue

from .common import SKIP_REASON_ROWS, MarketplaceCase

RULE_ROWS = (
    *SKIP_REASON_ROWS,
    {"sku": "NEGATIVE", "stock": {"W0001": -3}},
    {"sku": "UP-NEW", "stock": {"W0001": 7}},
    {"sku": "UP", "stock": {"W0001": 12}},
    {"sku": "DOWN-SHELF", "stock": {"W0001": 1}},
    {"sku": "SAME", "stock": {"W0001": 4}},
)


@tagged("post_install", "-at_install")
class TestSyncPaths(MarketplaceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        make = cls.make_product
        make("TWICE")
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

    def make_kit(self, sku):
        """A kit of Manufacturing (a phantom bill of materials): Odoo refuses a count on it."""
        kit = self.make_product(sku)
        component = self.make_product(f"{sku}-PART")
        self.env["mrp.bom"].create({
            "product_tmpl_id": kit.product_tmpl_id.id, "type": "phantom",
            "bom_line_ids": [(0, 0, {"product_id": component.id, "product_qty": 2})]})
        return kit

    def stock_by_location(self):
        self.env.flush_all()
        self.env.cr.execute("""
            SELECT p.default_code, q.location_id, sum(q.quantity)
              FROM stock_quant q JOIN product_product p ON p.id = q.product_id
              JOIN stock_location l ON l.id = q.location_id
             WHERE l.usage = 'internal'
             GROUP BY p.default_code, q.location_id
            HAVING sum(q.quantity) <> 0
        """)
        return {(code, location): quantity for code, location, quantity in self.env.cr.fetchall()}

    def test_every_rule_in_one_sweep(self):
        self.use_catalogue(Catalogue(products=RULE_ROWS))
        job = self.run_job()
        self.assertEqual(job.state, "done", job.error)
        result = self.result(job)
        stock = self.stock_by_location()
        self.assertEqual(len(self.inventory_moves(job)), 5)  # Odoo's Apply makes one per quant: DOWN-SHELF two
        # every skip reason of the data set is present, and the stock is Zortout's
        for reason in ("no_sku", "duplicate_in_zortout", "ambiguous_in_odoo", "not_in_odoo", "service",
                       "not_tracked", "tracked_by_lot", "bad_quantity", "being_counted"):
            self.assertTrue(result["skipped"][reason], reason)
        self.assertEqual((result["updated"], result["unchanged"], result["negative_clamped"]), (4, 1, 1))
        tree = {}
        for (code, _location), quantity in stock.items():
            tree[code] = tree.get(code, 0) + quantity
        self.assertEqual((tree.get("UP-NEW"), tree.get("UP"), tree.get("DOWN-SHELF"), tree.get("SAME")),
                         (7, 12, 1, 4))
        self.assertNotIn("NEGATIVE", tree)  # clamped to 0
        self.assertEqual(tree.get("COUNTED"), 2)  # being counted: left alone
        # the decrease took the target's own quant first, then the shelf
        self.assertEqual(stock.get(("DOWN-SHELF", self.shelf.id)), 1)
        self.assertNotIn(("DOWN-SHELF", self.stock.id), stock)

    def test_product_by_product_after_a_refusal_leaves_the_same_stock(self):
        """Odoo refuses a batch with a kit in it: the batch is redone product by
        product, the kit is reported with Odoo's message and the rest is applied
        exactly as an Apply of the whole batch would have."""
        kit = self.make_kit("KIT-HIDDEN")
        products = self.env["product.product"].search([("default_code", "in", ("UP", "UP-NEW", "DOWN-SHELF"))])
        targets = {"UP": 12.0, "UP-NEW": 7.0, "DOWN-SHELF": 1.0}

        def apply(with_kit):
            batch = products | kit if with_kit else products
            states = read_quants(self.env, self.stock, batch.ids)
            changes = [(product.id, targets.get(product.default_code, 5.0), states.get(product.id, QuantState()),
                        product.uom_id.rounding) for product in batch]
            with self.env.cr.savepoint(flush=True) as savepoint:
                refused = apply_changes(self.env, changes, self.stock, "Zortout sync TEST")
                stock = self.stock_by_location()
                savepoint.rollback()
            self.env.invalidate_all()
            return refused, stock

        whole_refused, whole_stock = apply(with_kit=False)
        split_refused, split_stock = apply(with_kit=True)
        self.assertEqual(whole_refused, {})
        self.assertEqual(list(split_refused), [kit.id])
        self.assertIn("kit", split_refused[kit.id].lower())
        self.assertEqual(whole_stock, split_stock)
        self.assertEqual(split_stock[("UP-NEW", self.stock.id)], 7)

    def test_a_kit_is_skipped_up_front_and_the_others_apply(self):
        self.make_kit("BUNDLE")
        self.use_catalogue(Catalogue(products=[
            {"sku": "BUNDLE", "stock": {"W0001": 3}},
            {"sku": "UP", "stock": {"W0001": 12}},
        ]))
        job = self.run_job()
        self.assertEqual(job.state, "done", job.error)
        result = self.result(job)
        self.assertEqual((result["skipped"]["kit"], result["updated"]), (1, 1))
        self.assertEqual(self.on_hand(self.env["product.product"].search([("default_code", "=", "UP")])), 12)
        line = job.line_ids.filtered(lambda line: line.sku == "BUNDLE")
        self.assertEqual(line.decision, "kit")
        self.assertIn("BUNDLE", json.dumps(result["samples"]["kit"]))
