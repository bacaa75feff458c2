"""Data for the sync benchmark: Odoo products with stock, and the sandbox catalogue.

Odoo holds one storable product per sandbox SKU ("GEN-000001"...), with the
catalogue's quantity of warehouse ``WAREHOUSE`` already on hand at WH/Stock, so
that a sweep with nothing changed really finds every product unchanged.
"""

import logging
import random
import time
from decimal import Decimal

from odoo import models

from zortout_sandbox import Catalogue

_logger = logging.getLogger(__name__)

WAREHOUSE = "W0001"
SEED = 19
SKU_PREFIX = "GEN-"
CREATE_CHUNK = 2000

__all__ = ["WAREHOUSE", "build_catalogue", "catalogue_view", "ensure_products", "stock_location",
           "pick_changes", "apply_changes", "sweep_targets"]


def stock_location(env):
    return env.ref("stock.warehouse0").lot_stock_id


def build_catalogue(size):
    """The full catalogue, with an index so that changing 5,000 SKUs of 50,000 is not quadratic."""
    catalogue = Catalogue.generate(size, seed=SEED)
    index = {item["sku"]: item for item in catalogue.products}

    def product(sku):
        return index[sku]

    catalogue.product = product  # same contract as Catalogue.product: the item, or KeyError
    return catalogue


def catalogue_view(full, size):
    """A catalogue serving the first ``size`` products of ``full`` (same item objects)."""
    view = Catalogue(full.warehouses)
    view._lock = full._lock
    view.products = full.products[:size]
    view.product = full.product
    return view


def available(item):
    return item["_available"].get(WAREHOUSE, Decimal(0))


def ensure_products(env, catalogue, size, say=print):
    """Create the first ``size`` catalogue SKUs as storable products with their stock on hand.

    Returns {sku: product id}. Products are created in chunks through the ORM;
    the opening stock is written as plain quants (an opening balance, no
    moves) because 50,000 inventory adjustments would take longer than the
    benchmark itself. Committed chunk by chunk.
    """
    started = time.monotonic()
    Product = env["product.product"].with_context(
        tracking_disable=True, mail_create_nolog=True, mail_notrack=True, mail_create_nosubscribe=True)
    env.cr.execute("SELECT default_code, id FROM product_product WHERE default_code LIKE %s",
                   [SKU_PREFIX + "%"])
    ids = dict(env.cr.fetchall())
    items = catalogue.products[:size]
    missing = [item for item in items if item["sku"] not in ids]
    if not missing:
        return ids
    location = stock_location(env)
    uom = env.ref("uom.product_uom_unit")
    for start in range(0, len(missing), CREATE_CHUNK):
        chunk = missing[start:start + CREATE_CHUNK]
        products = Product.create([{
            "name": item["name"],
            "default_code": item["sku"],
            "type": "consu",
            "is_storable": True,
            "uom_id": uom.id,
            "list_price": float(item["sellprice"]),
        } for item in chunk])
        quant_vals = []
        for item, product in zip(chunk, products):
            ids[item["sku"]] = product.id
            quantity = float(available(item))
            if quantity:
                quant_vals.append({"product_id": product.id, "location_id": location.id,
                                   "quantity": quantity, "inventory_quantity_set": False})
        # models.Model.create: one batched INSERT (stock.quant.create inserts row by row); like
        # stock.quant.create outside inventory mode, the quants are not "being counted"
        models.Model.create(env["stock.quant"].sudo(), quant_vals)
        env.flush_all()
        env.cr.commit()
        env.invalidate_all()
        say(f"  products {len(ids):>6}/{size}  ({time.monotonic() - started:.0f} s)")
    return ids


def pick_changes(catalogue, size, count, run_key):
    """``count`` SKUs among the first ``size``, each with a new available quantity != the current one.

    Mixed increases and decreases, a few to zero; deterministic per ``run_key``.
    """
    if not count:
        return {}
    rng = random.Random(f"{SEED}-{run_key}")
    changes = {}
    for index in rng.sample(range(size), count):
        item = catalogue.products[index]
        current = int(available(item))
        roll = rng.random()
        if roll < 0.02 and current:
            new = 0
        elif roll < 0.5 and current > 1:
            new = current - rng.randint(1, min(current - 1, 40))
        else:
            new = current + rng.randint(1, 40)
        changes[item["sku"]] = Decimal(new)
    return changes


def apply_changes(catalogue, changes):
    """Change the sandbox store: Zortout now reports these available quantities."""
    for sku, quantity in changes.items():
        catalogue.set_available(sku, WAREHOUSE, quantity)


def sweep_targets(catalogue, size):
    """[(sku, available quantity)] as the sweep of the first ``size`` products reports them."""
    return [(item["sku"], available(item)) for item in catalogue.products[:size]]
