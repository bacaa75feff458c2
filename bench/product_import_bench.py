"""Create Products from Zortout: products created per second by the job, beside Odoo's own
``product.product`` create of the same rows in one call.

The rows are the sandbox onboarding catalogue's bulk products ("BULK-000001"...), planned
as the wizard plans them (services/product_import_plan.py: unit, prices, weight, type),
all in one category (the wizard's "one category for all", so that both paths write the
same values). Odoo's path: one ``product.product.create`` of every row, with the job's
context (no chatter message, no follower per product), in a savepoint rolled back after.
The job: queued as the wizard's Create queues it, run by the runner
(``marketplace.job._run_due_jobs``) step by step, each step committed, from queuing to
done; its products are removed after. Measured A-B-A: Odoo's path, the job, Odoo's path;
the ratio is the job's seconds over the mean of the two Odoo paths.
"""

import json
import time

from odoo.addons.otd_marketplace_stock.services.product_import import CREATE_CONTEXT, product_values
from odoo.addons.otd_marketplace_stock.services.product_import_odoo import unit_names
from odoo.addons.otd_marketplace_stock.services.product_import_plan import plan_row
from odoo.addons.otd_marketplace_stock.wizards.zortout_product_import import _pages
from odoo.addons.otd_marketplace_stock.zortout import CatalogueRow
from odoo.addons.otd_marketplace_stock.zortout_sandbox import Catalogue

__all__ = ["measure", "TARGET_RATIO"]

#: the job may take at most this many times Odoo's own create of the same rows
TARGET_RATIO = 1.3


def planned_rows(env, size):
    catalogue = Catalogue.onboarding(bulk=size)
    names = unit_names(env)
    rows = [CatalogueRow.from_api(catalogue.render(item)) for item in catalogue.products]
    return [dict(plan_row(row, names), group=None) for row in rows if row.sku.startswith("BULK-")]


def odoo_path(env, entries, category):
    """Seconds of Odoo's own create of ``entries`` in one call (rolled back)."""
    Product = env["product.product"].with_context(**CREATE_CONTEXT)
    values = [product_values(entry, category.id) for entry in entries]
    env.flush_all()
    with env.cr.savepoint(flush=False) as savepoint:
        started = time.monotonic()
        Product.create(values)
        env.flush_all()
        seconds = time.monotonic() - started
        savepoint.rollback()
    env.invalidate_all()
    return seconds


def job_path(env, account, entries, category):
    """Seconds of the job from queuing to done (the runner, every step committed); its result."""
    env.cr.commit()
    started = time.monotonic()
    job = env["marketplace.job"]._new_import_job(account, _pages(entries), {
        "category_mode": "fixed", "category_id": category.id, "images": False}, env.uid)
    env.cr.commit()
    while job.state != "done":
        ran = env["marketplace.job"]._run_due_jobs(commit=True)
        job.invalidate_recordset()
        if not ran and job.state != "done":
            raise RuntimeError(f"the import job stopped: {job.state} {job.error}")
    seconds = time.monotonic() - started
    result = json.loads(job.result)
    created = env["marketplace.job.line"].search([("job_id", "=", job.id), ("decision", "=", "created")])
    products = created.product_id
    templates = products.product_tmpl_id
    job.unlink()
    templates.unlink()
    env.cr.commit()
    return seconds, result


def measure(env, account, size, say=print):
    """{"rows", "odoo_s", "job_s", "ratio", "odoo_per_s", "job_per_s"} for ``size`` products."""
    entries = planned_rows(env, size)
    category = env.ref("product.product_category_goods", raise_if_not_found=False) or \
        env["product.category"].search([], limit=1)
    say(f"Product creation: {len(entries):,} products, job (runner, committed steps) vs product.product.create")
    before = odoo_path(env, entries, category)
    job_seconds, result = job_path(env, account, entries, category)
    after = odoo_path(env, entries, category)
    if result.get("created") != len(entries):
        raise RuntimeError(f"the job created {result.get('created')} of {len(entries)} products")
    odoo_seconds = (before + after) / 2
    figures = {"rows": len(entries), "odoo_s": odoo_seconds, "job_s": job_seconds,
               "ratio": job_seconds / odoo_seconds, "odoo_per_s": len(entries) / odoo_seconds,
               "job_per_s": len(entries) / job_seconds, "odoo_runs": (before, after)}
    say(f"  products created per second: job {figures['job_per_s']:.0f}/s ({job_seconds:.2f} s), Odoo's own "
        f"create {figures['odoo_per_s']:.0f}/s ({odoo_seconds:.2f} s, runs {before:.2f} and {after:.2f}); "
        f"ratio {figures['ratio']:.2f}x (target <= {TARGET_RATIO}x)")
    return figures
