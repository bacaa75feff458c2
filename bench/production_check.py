"""Production shape, in ``odoo-bin shell``: is every quantity right, is every adjustment there once?

Compares each product's on hand at the account's location with the sandbox
store (regenerated here from the same generator and seed) and counts the
job's inventory moves: exactly one per changed product, none for the others.
Prints ``RESULT {json}``.
"""

import json
import os
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

from bench_data import build_catalogue, pick_changes, stock_location, sweep_targets  # noqa: E402
from production_setup import CHANGE_KEY  # noqa: E402 - the same change set as the setup


def main(env):
    skus = int(os.environ["OTD_PRODUCTION_SKUS"])
    changed = int(os.environ["OTD_PRODUCTION_CHANGED"])
    job = env["marketplace.job"].browse(int(os.environ["OTD_PRODUCTION_JOB"]))
    catalogue = build_catalogue(skus)
    changed_skus = set(pick_changes(catalogue, skus, changed, CHANGE_KEY))
    location = stock_location(env)
    env.cr.execute("""
        SELECT p.default_code, COALESCE(SUM(q.quantity), 0)
          FROM product_product p
     LEFT JOIN stock_quant q ON q.product_id = p.id
               AND q.location_id IN (SELECT id FROM stock_location WHERE parent_path LIKE %s)
         WHERE p.default_code LIKE 'GEN-%%'
      GROUP BY p.default_code
    """, [location.parent_path + "%"])
    on_hand = dict(env.cr.fetchall())
    wrong = [sku for sku, quantity in sweep_targets(catalogue, skus)
             if abs(float(on_hand.get(sku, 0)) - float(quantity)) > 1e-6]
    env.cr.execute("""
        SELECT p.default_code, count(*) FROM stock_move m JOIN product_product p ON p.id = m.product_id
         WHERE m.reference = %s AND m.state = 'done' GROUP BY p.default_code
    """, [f"Zortout sync {job.reference}"])
    moves = dict(env.cr.fetchall())
    result = json.loads(job.result or "{}")
    print("RESULT " + json.dumps({
        "state": job.state, "error": job.error, "attempts": job.attempts,
        "started_at": str(job.started_at), "finished_at": str(job.finished_at),
        "fetched": result.get("fetched"), "updated": result.get("updated"), "unchanged": result.get("unchanged"),
        "api_calls": result.get("api_calls"), "pages": job.pages_fetched,
        "wrong_quantities": len(wrong), "wrong_samples": wrong[:5],
        "moves": sum(moves.values()), "moved_products": len(moves),
        "doubled": sorted(sku for sku, count in moves.items() if count > 1)[:5],
        "missing_moves": len(changed_skus - set(moves)), "unexpected_moves": len(set(moves) - changed_skus),
        "changed": len(changed_skus), "lines": len(job.line_ids),
    }), flush=True)


if __name__ == "__main__":  # run by production_shape.py through runpy, with the shell's env
    main(env)  # noqa: F821 - given by odoo-bin shell
