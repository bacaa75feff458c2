"""Benchmark of the Zortout stock sync against Odoo's own inventory path.

Run with ``make bench`` (or ``python3 scripts/devenv.py bench -- --quick``):
the addon is installed in a throwaway database and this script is fed to
``odoo-bin shell``, which gives it ``env`` (superuser). Options arrive in
OTD_BENCH_ARGS:

    --quick            scenarios ten times smaller (smoke run; time and memory
                       targets are not judged)
    --scenario NAME    only this scenario (repeatable): 10k-unchanged,
                       10k-1k-changed, 50k-10pct-changed
    --runs N           runs per path and scenario (median; default 3)
    --naive-runs N     runs of the naive per-SKU baseline (default: --runs, but
                       1 for 50k, the slowest part of the whole benchmark)
    --webhook          the instant-sync benchmark instead (bench/webhook_bench.py)
    --via button|runner
                       how the sync job is started: "button" presses Pull Stock
                       (action_pull_stock, runs in the request), "runner" queues a
                       pending job and calls the runner cron's method. Default:
                       button for the 10k scenarios, runner for 50k.

For each scenario and run a fresh change set is written into the sandbox
store; the baselines (Odoo's inventory-mode path for the change set, and a
naive loop that searches and adjusts one SKU of the change set at a time)
are measured on the same stock in a rolled-back savepoint, then the sync job
runs and is committed, and Odoo's stock is checked against the store. The table goes to stdout and, as
markdown, to bench/results/latest.md.
"""

import argparse
import logging
import os
import shlex
import sys
import time
from pathlib import Path


def _repo_dir():
    from odoo.modules.module import get_module_path

    path = get_module_path("otd_marketplace_stock", display_warning=False)
    if path:
        return Path(path).resolve()
    return Path(os.environ["OTD_BENCH_REPO"]).resolve()


REPO = _repo_dir()
for _path in (str(REPO / "bench"), str(REPO)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

if "--webhook" in shlex.split(os.environ.get("OTD_BENCH_ARGS", "")) and "env" in globals():
    # make bench ARGS=--webhook: the instant-sync benchmark (bench/webhook_bench.py)
    import webhook_bench  # noqa: E402

    sys.exit(webhook_bench.run(env))  # noqa: F821 - given by odoo-bin shell

from bench_data import (WAREHOUSE, apply_changes, build_catalogue, catalogue_view,  # noqa: E402
                        ensure_products, pick_changes, stock_location, sweep_targets)
from bench_measure import release_memory  # noqa: E402
from bench_paths import ApiTimer, naive_path, odoo_path, run_sync, setup_account  # noqa: E402
from bench_report import check_targets, median_row, render_markdown, render_text, table  # noqa: E402

from zortout_sandbox import SandboxServer  # noqa: E402

from odoo.addons.otd_marketplace_stock.services.stock_sync import StockSync  # noqa: E402

import odoo.sql_db  # noqa: E402

SCENARIOS = (
    # key, SKUs, changed, default way in
    ("10k-unchanged", 10_000, 0, "button"),
    ("10k-1k-changed", 10_000, 1_000, "button"),
    ("50k-10pct-changed", 50_000, 5_000, "runner"),
)


def say(message=""):
    print(message, flush=True)


def parse_args():
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--scenario", action="append", choices=[s[0] for s in SCENARIOS])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--naive-runs", type=int)
    parser.add_argument("--via", choices=("button", "runner"))
    args = parser.parse_args(shlex.split(os.environ.get("OTD_BENCH_ARGS", "")))
    return args


class CommitCounter:
    """Counts the COMMITs made while the sync itself (StockSync.run) is running: its batch commits."""

    def __init__(self, sync_class):
        self.count = 0
        self._sync_class = sync_class
        self._run = sync_class.run
        self._commit = odoo.sql_db.Cursor.commit
        self._inside = False

    def __enter__(self):
        counter, run, commit = self, self._run, self._commit

        def counting_commit(cursor):
            if counter._inside:
                counter.count += 1
            return commit(cursor)

        def watched_run(sync, *args, **kwargs):
            counter._inside = True
            try:
                return run(sync, *args, **kwargs)
            finally:
                counter._inside = False
        odoo.sql_db.Cursor.commit = counting_commit
        self._sync_class.run = watched_run
        return self

    def __exit__(self, *exc):
        odoo.sql_db.Cursor.commit = self._commit
        self._sync_class.run = self._run


def start_job(env, account, via):
    """A callable that runs one sync job the chosen way and returns its action-like dict."""
    if via == "button":
        return account.action_pull_stock

    def through_runner():
        Job = env["marketplace.job"]
        job = Job.create({"name": "Benchmark sync", "job_type": "sync_stock_from_zortout",
                          "account_id": account.id, "payload": "{}", "state": "pending"})
        env.cr.commit()  # as a queued job would be
        Job._cron_run_jobs()
        return {"res_id": job.id}
    return through_runner


def on_hand_mismatches(env, location, catalogue, size, ids):
    env.flush_all()
    env.cr.execute("""
        SELECT q.product_id, SUM(q.quantity)
          FROM stock_quant q JOIN stock_location l ON l.id = q.location_id
         WHERE l.parent_path LIKE %s AND q.product_id = ANY(%s)
         GROUP BY q.product_id
    """, [location.parent_path + "%", [ids[item["sku"]] for item in catalogue.products[:size]]])
    on_hand = dict(env.cr.fetchall())
    return [sku for sku, quantity in sweep_targets(catalogue, size)
            if abs(float(on_hand.get(ids[sku], 0)) - float(quantity)) > 1e-6]


def run_scenario(env, admin_env, key, size, changed, via, full, sandbox, account, ids, location, api_timer, args,
                 label):
    runs = {"sync": [], "odoo": [], "naive": []}
    naive_runs = args.naive_runs if args.naive_runs is not None else (1 if key.startswith("50k") else args.runs)
    sandbox.catalogue = catalogue_view(full, size)
    for run in range(1, args.runs + 1):
        changes = pick_changes(full, size, changed, f"{key}-{run}")
        apply_changes(full, changes)
        if changes:
            measure, outcome = odoo_path(admin_env, location, {ids[sku]: qty for sku, qty in changes.items()})
            runs["odoo"].append(_figures(measure))
        if changes and run <= naive_runs:
            measure, outcome = naive_path(admin_env, location, sorted(changes.items()))
            if outcome["updated"] != len(changes):
                raise RuntimeError(f"naive path updated {outcome['updated']}, expected {len(changes)}")
            runs["naive"].append(_figures(measure))
        release_memory()
        with CommitCounter(StockSync) as commits:
            measure, result, api_seconds = run_sync(admin_env, account, sandbox, api_timer,
                                                    start_job(admin_env, account.with_env(admin_env), via))
        figures = _figures(measure, api_seconds)
        figures["commits"] = commits.count
        runs["sync"].append(figures)
        wrong = on_hand_mismatches(env, location, full, size, ids)
        expected = (size, size - changed, changed)
        got = (result["fetched"], result["unchanged"], result["updated"])
        say(f"  {label} run {run}: sync {measure.seconds:.2f} s ({api_seconds:.2f} s API), "
            f"{measure.queries} queries, {measure.api_calls} API calls, +{measure.rss_growth_mb:.0f} MB RSS; "
            + (f"odoo path {runs['odoo'][-1]['seconds']:.2f} s; " if changes else "")
            + (f"naive {runs['naive'][-1]['seconds']:.2f} s; " if changes and run <= naive_runs else "")
            + f"stock check {'OK' if not wrong else f'{len(wrong)} SKUs differ, e.g. {wrong[:3]}'}")
        if wrong or got != expected:
            raise RuntimeError(f"{label}: fetched/unchanged/updated = {got}, expected {expected} "
                               f"(skipped {result['skipped']}, samples {result.get('samples')}); "
                               f"{len(wrong)} SKUs differ from the store")
    return (median_row(label, f"sync ({via})", size, changed, runs["sync"], key),
            median_row(label, "Odoo inventory path", size, changed, runs["odoo"], key),
            median_row(label, "naive per-SKU loop", size, changed, runs["naive"], key))


def _figures(measure, api_seconds=0.0):
    return {"seconds": measure.seconds, "api_seconds": api_seconds, "queries": measure.queries,
            "api_calls": measure.api_calls, "rss_mb": measure.rss_growth_mb, "commits": 0,
            "api_routes": dict(measure.api_routes)}


def main(env):
    args = parse_args()
    started = time.monotonic()
    load_start = "/".join(f"{value:.1f}" for value in os.getloadavg())
    logging.getLogger("odoo.addons.otd_marketplace_stock").setLevel(logging.WARNING)
    factor = 10 if args.quick else 1
    chosen = [s for s in SCENARIOS if not args.scenario or s[0] in args.scenario]
    size_max = max(size for _key, size, _changed, _via in chosen) // factor
    admin_env = env(user=env.ref("base.user_admin"), context=dict(env.context, tz="UTC"))
    location = stock_location(env)

    say(f"Zortout stock sync benchmark: {len(chosen)} scenario(s), {args.runs} run(s) each"
        + (", --quick (sizes / 10)" if args.quick else ""))
    full = build_catalogue(size_max)
    say(f"Building {size_max:,} storable products with stock at {location.complete_name}")
    ids = ensure_products(env, full, size_max, say=say)
    build_seconds = time.monotonic() - started
    say(f"Data ready in {build_seconds:.0f} s")

    from odoo.addons.otd_marketplace_stock.zortout.client import ZortoutClient

    api_timer = ApiTimer().install(ZortoutClient)
    sandbox = SandboxServer(catalogue=catalogue_view(full, size_max)).start()
    groups = []
    try:
        account = setup_account(env, sandbox, location, WAREHOUSE)
        for key, size, changed, via in chosen:
            size, changed = size // factor, changed // factor
            label = key if not args.quick else f"quick {size // 1000 or size}{'k' if size >= 1000 else ''}" \
                                               f"/{changed} changed"
            say(f"Scenario {key}: {size:,} SKUs, {changed:,} changed")
            groups.append(run_scenario(env, admin_env, key, size, changed, args.via or via, full, sandbox,
                                       account, ids, location, api_timer, args, label))
    finally:
        sandbox.stop()
        api_timer.uninstall()

    lines = table(groups)
    checks = check_targets(groups, full_size=not args.quick)
    total = time.monotonic() - started
    notes = [
        "seconds: the whole job (sweep from the sandbox on 127.0.0.1, matching, adjustments, commit) for the sync;"
        " the Odoo-side work only for the baselines. API s: time inside the Zortout client.",
        "ms/changed SKU and the ratios use Odoo-side time (sync seconds minus API s), the sync's planning of the"
        " unchanged SKUs included; ratio < 1 means the sync is faster.",
        "Odoo inventory path: counted quants created in inventory mode for the change set (product ids given),"
        " then action_apply_inventory. Naive: per SKU of the change set, search by default_code, read its quants,"
        " apply the new quantity through the same Odoo path. Both run on the same stock as the sync, in a"
        " rolled-back savepoint, and measure Odoo-side work only.",
        "peak RSS MB: highest RSS (psutil, sampled every 5 ms) minus RSS at the start, after gc and malloc_trim."
        " Median of the runs; SQL queries counted by odoo.sql_db.sql_counter.",
    ]
    say()
    say(render_text(lines))
    say()
    for target, measured, verdict in checks:
        say(f"{verdict:>13}  {target}: {measured}")
    say()
    load = "/".join(f"{value:.1f}" for value in os.getloadavg())
    say(f"Benchmark finished in {total:.0f} s (data build {build_seconds:.0f} s); "
        f"load average at the start {load_start}, at the end {load}")

    results = REPO / "bench" / "results"
    results.mkdir(exist_ok=True)
    with open(results / "latest.md", "w") as handle:
        handle.write(f"Measured with `make bench{' ARGS=' + repr(os.environ.get('OTD_BENCH_ARGS')) if os.environ.get('OTD_BENCH_ARGS') else ''}`"
                     f" ({os.cpu_count()} CPUs, sandbox on 127.0.0.1, median of {args.runs} runs,"
                     f" {total:.0f} s in all; load average {load_start} at the start, {load} at the end).\n\n")
        handle.write(render_markdown(lines) + "\n\n")
        handle.write("| target | measured | verdict |\n|---|---|---|\n")
        handle.writelines(f"| {t} | {m} | {v} |\n" for t, m, v in checks)
        handle.write("\n" + "\n".join(f"- {note}" for note in notes) + "\n")
    say(f"Markdown table written to {results / 'latest.md'}")
    return 0 if all(verdict != "FAIL" for _t, _m, verdict in checks) else 1


if "env" in globals():
    _code = main(env)  # noqa: F821 - given by odoo-bin shell
    sys.exit(_code)
else:
    sys.exit("Run this through `make bench` (odoo-bin shell feeds it the environment).")
