"""The three ways of bringing Odoo to Zortout's quantities that the benchmark compares.

* ``run_sync``: the addon's job (``marketplace.account.action_pull_stock``),
  sweep through the sandbox included, committed.
* ``odoo_path``: Odoo's own inventory-mode path for the change set alone,
  product ids known up front: counted quants created in inventory mode, then
  ``action_apply_inventory``.
* ``naive_path``: the same change set one SKU at a time: per SKU one product
  search by default_code, one quant search, and one counted quant applied
  through the same Odoo path.

The two baselines run inside a savepoint that is rolled back, so each run
measures all three from the same stock for the same change set.
"""

import functools
import json
import threading
import time

from bench_measure import Measure

__all__ = ["ApiTimer", "setup_account", "run_sync", "odoo_path", "naive_path"]


class ApiTimer:
    """Time spent inside the Zortout client's public calls (HTTP and parsing)."""

    METHODS = ("fetch_products", "list_warehouses", "count_products", "get_product_detail")

    def __init__(self):
        self.seconds = 0.0
        self._local = threading.local()
        self._patched = []

    def install(self, client_class):
        for name in self.METHODS:
            original = getattr(client_class, name, None)
            if original is not None:
                setattr(client_class, name, self._wrap(original))
                self._patched.append((client_class, name, original))
        return self

    def uninstall(self):
        for client_class, name, original in self._patched:
            setattr(client_class, name, original)
        self._patched.clear()

    def _wrap(self, method):
        timer = self

        @functools.wraps(method)
        def timed(*args, **kwargs):
            depth = getattr(timer._local, "depth", 0)
            timer._local.depth = depth + 1
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                timer._local.depth = depth
                if depth == 0:
                    timer.seconds += time.perf_counter() - started
        return timed


def setup_account(env, sandbox, location, warehouse_code):
    from zortout_sandbox import DEFAULT_API_KEY, DEFAULT_API_SECRET, DEFAULT_STORE_NAME

    env["ir.config_parameter"].sudo().set_param("otd_marketplace_stock.zortout_base_url", sandbox.base_url)
    account = env["marketplace.account"].create({
        "name": "Benchmark store",
        "store_name": DEFAULT_STORE_NAME,
        "api_key": DEFAULT_API_KEY,
        "api_secret": DEFAULT_API_SECRET,
        "stock_location_id": location.id,
        "zortout_warehouse_code": warehouse_code,
        "sync_enabled": True,
    })
    env.cr.commit()
    return account


def run_sync(env, account, sandbox, api_timer, start):
    """Run one sync job through ``start()`` and commit; returns (Measure, result dict, api seconds)."""
    api_timer.seconds = 0.0
    with Measure(sandbox) as measure:
        action = start()
        env.flush_all()
        env.cr.commit()
    job = env["marketplace.job"].browse(action["res_id"])
    if job.state != "done":
        raise RuntimeError(f"the sync job {job.display_name} ended {job.state}: {job.error}")
    result = json.loads(job.result)
    env.invalidate_all()
    return measure, result, api_timer.seconds


def _rolled_back(env, work):
    savepoint = env.cr.savepoint()
    try:
        with Measure() as measure:
            outcome = work()
            env.flush_all()
    finally:
        savepoint.close(rollback=True)
        env.invalidate_all()
    return measure, outcome


def odoo_path(env, location, targets_by_product):
    """Odoo's inventory-mode path for {product id: quantity}; rolled back afterwards."""
    def work():
        quants = env["stock.quant"].with_context(inventory_mode=True).create([
            {"product_id": product_id, "location_id": location.id, "inventory_quantity": float(quantity)}
            for product_id, quantity in targets_by_product.items()
        ])
        action = quants.action_apply_inventory()
        if isinstance(action, dict):  # stock.inventory.conflict wizard: nothing applied
            raise RuntimeError(f"Odoo's path returned the conflict wizard for {len(quants)} quants")
        return {"updated": len(quants)}
    return _rolled_back(env, work)


def naive_path(env, location, rows):
    """One SKU at a time over [(sku, quantity)]; rolled back afterwards."""
    def work():
        Product = env["product.product"]
        Quant = env["stock.quant"]
        counted = Quant.with_context(inventory_mode=True)
        outcome = {"updated": 0, "unchanged": 0, "not_in_odoo": 0}
        for sku, quantity in rows:
            product = Product.search([("default_code", "=", sku)], limit=1)
            if not product:
                outcome["not_in_odoo"] += 1
                continue
            quants = Quant.search([("product_id", "=", product.id), ("location_id", "child_of", location.id)])
            on_hand = sum(quants.mapped("quantity"))
            target = float(quantity)
            if product.uom_id.compare(on_hand, target) == 0:
                outcome["unchanged"] += 1
                continue
            quant = counted.create({"product_id": product.id, "location_id": location.id,
                                    "inventory_quantity": target})
            if isinstance(quant.action_apply_inventory(), dict):
                raise RuntimeError(f"the naive path met the conflict wizard for {sku}")
            outcome["updated"] += 1
        return outcome
    return _rolled_back(env, work)
