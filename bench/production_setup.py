"""Production shape, in ``odoo-bin shell``: the store's products in Odoo and the account.

Run by bench/production_shape.py (``env`` given by the shell). Odoo gets
OTD_PRODUCTION_SKUS storable products "GEN-000001"... whose stock is what the
sandbox store (``--catalogue generate:N:19``, the same generator and seed)
holds in warehouse W0001, except for OTD_PRODUCTION_CHANGED of them, which hold
another quantity: those are the changes the sync must bring over. The account
points at OTD_PRODUCTION_SANDBOX_URL and says its last full pull read N SKUs,
so that Pull Stock queues the job for the runner as it does for a big store.
"""

import json
import os
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

from bench_data import WAREHOUSE, apply_changes, build_catalogue, ensure_products, pick_changes, stock_location  # noqa: E402
from zortout_sandbox import DEFAULT_API_KEY, DEFAULT_API_SECRET, DEFAULT_STORE_NAME  # noqa: E402

CHANGE_KEY = "production"


def main(env):
    skus = int(os.environ["OTD_PRODUCTION_SKUS"])
    changed = int(os.environ["OTD_PRODUCTION_CHANGED"])
    catalogue = build_catalogue(skus)
    # Odoo holds the "other" quantity for the changed SKUs; the sandbox serves the generated one
    apply_changes(catalogue, pick_changes(catalogue, skus, changed, CHANGE_KEY))
    ensure_products(env, catalogue, skus, say=lambda message: print(message, flush=True))
    env["ir.config_parameter"].sudo().set_param("otd_marketplace_stock.zortout_base_url",
                                                os.environ["OTD_PRODUCTION_SANDBOX_URL"])
    account = env["marketplace.account"].create({
        "name": "Production-shape store",
        "store_name": DEFAULT_STORE_NAME,
        "api_key": DEFAULT_API_KEY,
        "api_secret": DEFAULT_API_SECRET,
        "stock_location_id": stock_location(env).id,
        "zortout_warehouse_code": WAREHOUSE,
    })
    account._record_sync_outcome("done", account.create_date, swept=skus, calls=skus // 500 + 1)
    env.cr.commit()
    print("RESULT " + json.dumps({"account_id": account.id, "products": skus, "changed": changed}), flush=True)


if __name__ == "__main__":  # run by production_shape.py through runpy, with the shell's env
    main(env)  # noqa: F821 - given by odoo-bin shell
