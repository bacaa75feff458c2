"""The two ways of bringing Odoo to Zortout's quantities that the benchmark compares.

* ``run_sync``: the addon's job as production runs it: a pending sync job taken
  by the runner (``marketplace.job._run_due_jobs``, what the cron calls), which
  commits after every step and postpones the job when its time budget is spent;
  the runner is called again until the job is done, as the cron comes back at
  once for a postponed job. Sweep through the sandbox included.
* ``odoo_path``: Odoo's own inventory mode for the change set alone, product
  ids known up front: the counted quantity set on each product's quant, then
  ``_apply_inventory``. It runs inside a savepoint that is rolled back, so each
  run measures both paths from the same stock for the same change set.
"""

import functools
import json
import threading
import time

from bench_measure import Measure

__all__ = ["ApiTimer", "StepCounter", "setup_account", "run_sync", "odoo_path", "job_moves"]

#: runner calls after which a job that is still not done counts as stuck
MAX_RUNNER_CALLS = 500


class ApiTimer:
    """Time spent inside the Zortout client's public calls (HTTP and parsing)."""

    METHODS = ("fetch_page", "list_warehouses", "count_products")

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
            # a public call made inside another one (list_warehouses inside a sweep) counts once
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


class StepCounter:
    """Counts the sync engine's steps (each one is committed by the runner) and adds up
    the seconds spent in the steps of each phase (``seconds``: {phase: seconds})."""

    def __init__(self, engine_class):
        self.count = 0
        self.seconds = {}
        self._engine_class = engine_class
        self._step = engine_class.step

    def install(self):
        counter, step = self, self._step

        @functools.wraps(step)
        def counted(engine):
            counter.count += 1
            phase = engine.job.sync_phase or "start"
            started = time.perf_counter()
            try:
                return step(engine)
            finally:
                counter.seconds[phase] = counter.seconds.get(phase, 0.0) + time.perf_counter() - started
        self._engine_class.step = counted
        return self

    def uninstall(self):
        self._engine_class.step = self._step


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


def run_sync(env, account, sandbox, api_timer, steps):
    """Queue one sync job and run the runner until it is done; everything is committed.

    Returns (Measure, job, result dict, api seconds, runner calls, steps).
    """
    Job = env["marketplace.job"]
    api_timer.seconds = 0.0
    steps_before = steps.count
    calls = 0
    with Measure(sandbox) as measure:
        job = account._new_sync_job()
        env.cr.commit()  # as the scheduled pull's cron commits the job it queues
        while True:
            Job._run_due_jobs(commit=True)
            calls += 1
            job.invalidate_recordset()
            if job.state == "done":
                break
            if job.state == "failed" or (job.state == "pending" and job.error) or calls >= MAX_RUNNER_CALLS:
                raise RuntimeError(f"the sync job {job.display_name} is {job.state} after {calls} runner calls: "
                                   f"{job.error}")
    result = json.loads(job.result)
    env.invalidate_all()
    return measure, job, result, api_timer.seconds, calls, steps.count - steps_before


def job_moves(env, job):
    """(inventory moves the job made, products they moved): equal when no adjustment is doubled."""
    env.cr.execute("SELECT count(*), count(DISTINCT product_id) FROM stock_move WHERE reference = %s",
                   [f"Zortout sync {job.reference}"])
    return env.cr.fetchone()


def odoo_path(env, location, targets_by_product):
    """Odoo's inventory mode for {product id: quantity}, rolled back afterwards.

    Returns (Measure of the whole path, seconds spent in ``_apply_inventory`` alone).
    """
    Quant = env["stock.quant"].with_context(inventory_mode=True)
    savepoint = env.cr.savepoint()
    try:
        with Measure() as measure:
            quants = Quant.search([("product_id", "in", list(targets_by_product)),
                                   ("location_id", "=", location.id)])
            found = set()
            for quant in quants:
                quant.inventory_quantity = float(targets_by_product[quant.product_id.id])
                found.add(quant.product_id.id)
            # a product with no stock yet has no quant: counting it creates one, as in the UI
            missing = [{"product_id": product_id, "location_id": location.id, "inventory_quantity": float(quantity)}
                       for product_id, quantity in targets_by_product.items() if product_id not in found]
            if missing:
                quants |= Quant.create(missing)
            env.flush_all()
            started = time.perf_counter()
            quants._apply_inventory()
            env.flush_all()
            apply_seconds = time.perf_counter() - started
        if len(quants) != len(targets_by_product):
            raise RuntimeError(f"Odoo's path counted {len(quants)} quants for {len(targets_by_product)} products")
    finally:
        savepoint.close(rollback=True)
        env.invalidate_all()
    return measure, apply_seconds
