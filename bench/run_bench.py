"""Benchmark of the Zortout stock sync against Odoo's own inventory path.

Run with ``make bench`` (or ``python3 scripts/devenv.py bench -- --quick``):
the addon is installed in a throwaway database and this script is fed to
``odoo-bin shell``, which gives it ``env`` (superuser). Options arrive in
OTD_BENCH_ARGS:

    --quick                  sizes ten times smaller (smoke run; the time
                             targets are not judged)
    --scenario NAME          only this scenario (repeatable): 10k-unchanged,
                             10k-1k-changed, 50k-5k-changed, growth
    --runs N                 measured sync runs per scenario (median; default 3)
    --runs-without-lines N   extra sync runs with the change lines switched
                             off in this process, interleaved (default 2; 1 at
                             50k, where a run takes minutes)
    --growth-pulls N         real pulls measured for the table growth (default 3)
    --profile                profile every measured sync run and Odoo path
                             (cProfile, this process's main thread): the 25 costliest functions
                             with their callees and the 15 costliest on their
                             own printed, the whole profile kept in
                             bench/results/profile-<scenario>-<run>.pstats
    --webhook                the instant-sync benchmark instead (bench/webhook_bench.py)
    --scenario product-import   Create Products from Zortout: products created per
                             second by the job beside Odoo's own product.product
                             create of the same rows (bench/product_import_bench.py);
                             5,000 products (500 with --quick)

Every sync runs as production runs it: a pending job taken by the runner
(``marketplace.job._run_due_jobs``), which commits after each step. For each
run a fresh change set is written into the sandbox store (served from a
process of its own, as Zortout is a server of its own: bench/sandbox_process.py);
Odoo's own path (the
counted quantity set on each changed product's quant, then ``_apply_inventory``)
is measured on the same stock in a rolled-back savepoint, then the sync runs,
and Odoo's stock and the job's inventory moves are checked against the store.
The tables go to stdout and, as markdown, to bench/results/latest.md. The
production shape (multi-worker Odoo, a slow store) is bench/production_shape.py.
"""

import argparse
import contextlib
import cProfile
import io
import logging
import os
import pstats
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

from odoo.addons.otd_marketplace_stock.services import sync_engine  # noqa: E402
from odoo.addons.otd_marketplace_stock.services.sync_engine import SyncEngine  # noqa: E402
from odoo.addons.otd_marketplace_stock.zortout.client import ZortoutClient  # noqa: E402

import product_import_bench  # noqa: E402
from bench_data import (  # noqa: E402
    WAREHOUSE,
    apply_changes,
    build_catalogue,
    ensure_products,
    pick_changes,
    stock_location,
    sweep_targets,
)
from bench_growth import (  # noqa: E402
    DAYS,
    GROWTH_TABLES,
    PER_PRODUCT,
    PULLS_PER_DAY,
    check_cleanup,
    count_rows,
    extrapolate,
    row_bytes,
)
from bench_lines import line_count, line_timer, lines_switched_off  # noqa: E402
from bench_measure import MethodTimer, quiet_database, release_memory  # noqa: E402
from bench_paths import ApiTimer, StepCounter, job_moves, odoo_path, run_sync, setup_account  # noqa: E402
from bench_report import (  # noqa: E402
    breakdown_table,
    check_targets,
    growth_table,
    lines_table,
    render_markdown,
    render_text,
    speed_table,
)
from sandbox_process import SandboxProcess  # noqa: E402

#: key, SKUs, changed SKUs per run; run in this order (the Odoo store only grows, see main)
SCENARIOS = (
    ("10k-unchanged", 10_000, 0),
    ("10k-1k-changed", 10_000, 1_000),
    ("growth", 10_000, 100),
    ("50k-5k-changed", 50_000, 5_000),
)
#: Create Products from Zortout: products created by its job, beside Odoo's own create (run last)
PRODUCT_IMPORT = ("product-import", 5_000)


def say(message=""):
    print(message, flush=True)


def parse_args():
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--scenario", action="append", choices=[s[0] for s in SCENARIOS] + [PRODUCT_IMPORT[0]])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--runs-without-lines", type=int)
    parser.add_argument("--growth-pulls", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    return parser.parse_args(shlex.split(os.environ.get("OTD_BENCH_ARGS", "")))


class Bench:
    """What every scenario shares: data, sandbox, account and the instruments."""

    def __init__(self, env, full, ids, location, sandbox, account):
        self.env, self.full, self.ids, self.location = env, full, ids, location
        self.sandbox, self.account = sandbox, account
        self.api = ApiTimer().install(ZortoutClient)
        self.steps = StepCounter(SyncEngine).install()
        self.lines = line_timer(SyncEngine).install()
        # the engine's calls into services/inventory.py, for where the job's time goes
        self.odoo_apply = MethodTimer(sync_engine, ("apply_changes",)).install()
        self.quant_reads = MethodTimer(sync_engine, ("stock_levels", "read_quants")).install()
        self.last_job = None
        self.profile = False  # cProfile every measured sync (--profile)
        self.profiled = 0

    def close(self):
        self.quant_reads.uninstall()
        self.odoo_apply.uninstall()
        self.lines.uninstall()
        self.steps.uninstall()
        self.api.uninstall()

    def serve(self, size):
        self.sandbox.serve(size)

    def sync(self, size, changes, label, with_lines=True):
        """One measured pull of the store's first ``size`` SKUs, checked; returns its figures."""
        env = self.env
        lines_before = line_count(env)
        self.lines.seconds = self.odoo_apply.seconds = self.quant_reads.seconds = 0.0
        self.steps.seconds = {}
        release_memory()
        switch = contextlib.nullcontext() if with_lines else lines_switched_off(SyncEngine)
        profiler = cProfile.Profile() if self.profile and label != "warm-up" else None
        with switch, profiler or contextlib.nullcontext():
            measure, job, result, api_seconds, calls, steps = run_sync(env, self.account, self.sandbox, self.api,
                                                                       self.steps)
        if profiler:
            self.report_profile(profiler, label)
        self.last_job = job
        moves, moved_products = job_moves(env, job)
        wrong = on_hand_mismatches(env, self.location, self.full, size, self.ids)
        # a product that holds nothing in the warehouse, here or there, is not in the sweep: the
        # rows read may be fewer than ``size``; but every change is applied, and nothing skipped
        skipped = sum(result["skipped"].values()) + result.get("not_in_zortout", 0)
        if wrong or result["updated"] != len(changes) or skipped:
            raise RuntimeError(f"{label}: updated {result['updated']} of {len(changes)} changes, skipped "
                               f"{result['skipped']} (samples {result.get('samples')}); "
                               f"{len(wrong)} SKUs differ from the store, e.g. {wrong[:3]}")
        return {"seconds": measure.seconds, "api_seconds": api_seconds,
                "odoo_seconds": measure.seconds - api_seconds, "queries": measure.queries,
                "api_calls": measure.api_calls, "rss_mb": measure.rss_growth_mb, "runner_calls": calls,
                "steps": steps, "lines_seconds": self.lines.seconds if with_lines else 0.0,
                "apply_seconds": self.odoo_apply.seconds, "read_seconds": self.quant_reads.seconds,
                "phase_seconds": dict(self.steps.seconds), "lines_added": line_count(env) - lines_before,
                "moves": moves, "moved_products": moved_products,
                "changed": len(changes)}

    def report_profile(self, profiler, label):
        self.profiled += 1
        results_dir = REPO / "bench" / "results"
        results_dir.mkdir(exist_ok=True)
        path = results_dir / f"profile-{label}-{self.profiled}.pstats"
        profiler.dump_stats(path)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(25)
        stats.sort_stats("tottime").print_stats(15)
        say(out.getvalue())
        say(f"  profile kept in {path}")

    def warm_up(self, size):
        """One pull with nothing changed, not measured: caches warm, the account's first sweep done."""
        self.sync(size, {}, "warm-up")


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


def run_plan(with_lines, without_lines):
    """Runs with and without lines, interleaved so that drift of the machine's load hits both."""
    plan = []
    while with_lines or without_lines:
        if with_lines:
            plan.append(True)
            with_lines -= 1
        if without_lines:
            plan.append(False)
            without_lines -= 1
    return plan


def measure_odoo_path(bench, changes, label):
    """Odoo's own path for ``changes`` (rolled back), on a quiet database."""
    quiet_database(bench.env)
    profiler = cProfile.Profile() if bench.profile else None
    with profiler or contextlib.nullcontext():
        measure, apply_seconds = odoo_path(bench.env, bench.location,
                                           {bench.ids[sku]: qty for sku, qty in changes.items()})
    if profiler:
        bench.report_profile(profiler, f"{label}-odoo-path")
    return {"seconds": measure.seconds, "apply_seconds": apply_seconds, "queries": measure.queries,
            "rss_mb": measure.rss_growth_mb}


def close_ratio(label, run, figures, before, after):
    """A sync run's ratio: its Odoo-side seconds over the mean of Odoo's path measured just
    before it and the next one measured after it (A-B-A), so that the machine's load drifting
    during the run weighs on both sides of the comparison."""
    figures["ratio"] = figures["odoo_seconds"] / ((before["seconds"] + after["seconds"]) / 2)
    say(f"  {label} run {run}: ratio {figures['ratio']:.2f} (Odoo-side {figures['odoo_seconds']:.2f} s; Odoo path "
        f"{before['seconds']:.2f} s before it, {after['seconds']:.2f} s after it)")


def run_scenario(bench, key, size, changed, label, args):
    res = {"label": label, "size": size, "changed": changed, "sync": [], "sync_without_lines": [], "odoo": [],
           "all_runs": []}
    bench.serve(size)
    bench.warm_up(size)
    without_lines = args.runs_without_lines
    if without_lines is None:
        without_lines = 1 if size > 10_000 else 2  # at 50k, a run takes minutes
    waiting = None  # (run, figures, Odoo path before it) of the last sync run awaiting its ratio
    for run, with_lines in enumerate(run_plan(args.runs, without_lines), 1):
        changes = pick_changes(bench.full, size, changed, f"{key}-{run}")
        apply_changes(bench.full, changes)
        bench.sandbox.apply_changes(changes)
        odoo, odoo_note = None, ""
        if changes and with_lines:
            odoo = measure_odoo_path(bench, changes, label)
            res["odoo"].append(odoo)
            odoo_note = f"; Odoo path {odoo['seconds']:.2f} s ({odoo['apply_seconds']:.2f} s in _apply_inventory)"
            if waiting:
                close_ratio(label, *waiting, odoo)
        quiet_database(bench.env)
        figures = bench.sync(size, changes, label, with_lines)
        if odoo:
            waiting = (run, figures, odoo)
        res["sync" if with_lines else "sync_without_lines"].append(figures)
        res["all_runs"].append(figures)
        say(f"  {label} run {run} ({'with' if with_lines else 'WITHOUT'} lines): "
            f"job {figures['seconds']:.2f} s ({figures['api_seconds']:.2f} s API, "
            f"{figures['apply_seconds']:.2f} s in Odoo's count + Apply, "
            f"{figures['lines_seconds']:.3f} s in line code), {figures['runner_calls']} runner calls, "
            f"{figures['steps']} steps, {figures['queries']} queries, {figures['api_calls']} API calls, "
            f"+{figures['rss_mb']:.0f} MB RSS, {figures['lines_added']} lines, {figures['moves']} moves; steps by "
            f"phase: {', '.join(f'{phase} {seconds:.2f} s' for phase, seconds in figures['phase_seconds'].items())}"
            f"{odoo_note}; stock OK")
    if waiting:
        # the last run's "after": a change set of its own, rolled back like every Odoo path
        odoo = measure_odoo_path(bench, pick_changes(bench.full, size, changed, f"{key}-after"), label)
        res["odoo"].append(odoo)
        close_ratio(label, *waiting, odoo)
    return res


def run_growth(bench, key, size, changed, label, args):
    """Real scheduled-pull-like runs; the rows each adds per table."""
    env = bench.env
    bench.serve(size)
    bench.warm_up(size)
    deltas, jobs = [], env["marketplace.job"]
    for pull in range(1, args.growth_pulls + 1):
        changes = pick_changes(bench.full, size, changed, f"{key}-{pull}")
        apply_changes(bench.full, changes)
        bench.sandbox.apply_changes(changes)
        before = count_rows(env)
        figures = bench.sync(size, changes, label)
        after = count_rows(env)
        deltas.append({table: after[table] - before[table] for table in GROWTH_TABLES})
        jobs |= bench.last_job
        say(f"  {label} pull {pull}: job {figures['seconds']:.2f} s; rows added: "
            + ", ".join(f"{table} {count}" for table, count in deltas[-1].items() if count))
    per_pull = {table: sum(delta[table] for delta in deltas) / len(deltas) for table in GROWTH_TABLES}
    env.cr.execute("ANALYZE")
    bytes_per_row = {table: row_bytes(env, table) for table in GROWTH_TABLES}
    cleanup = check_cleanup(env, jobs)
    return {"label": label, "size": size, "changed": changed, "pulls": len(deltas), "per_pull": per_pull,
            "projected": extrapolate(per_pull, size), "bytes_per_row": bytes_per_row, "cleanup": cleanup}


def growth_lines(growth):
    headers, rows = growth_table(growth["per_pull"], growth["projected"], GROWTH_TABLES, growth["bytes_per_row"],
                                 PER_PRODUCT)
    cleanup = growth["cleanup"]
    notes = [
        f"{growth['label']}: {growth['size']:,} SKUs, {growth['changed']} changed per pull, mean of "
        f"{growth['pulls']} real pulls; 30 days = {PULLS_PER_DAY * DAYS:,} pulls ({PULLS_PER_DAY} a day).",
        "stock_quant: an inventory adjustment creates a quant at the inventory-loss location the first time it"
        f" moves a product, so these rows stop at one per product ({growth['size']:,}).",
        "bytes/row: average pg_column_size of the table's rows (TOASTed values as stored), indexes not counted.",
        f"Cleanup checked on the measured jobs (aged in a rolled-back savepoint): kept pages "
        f"{cleanup['pages_after_1_day'][0]} -> {cleanup['pages_after_1_day'][1]} a day after the jobs finished "
        f"(jobs {cleanup['jobs_after_1_day'][0]} -> {cleanup['jobs_after_1_day'][1]}); after {DAYS} days jobs "
        f"{cleanup['jobs_after_30_days'][0]} -> {cleanup['jobs_after_30_days'][1]}, lines "
        f"{cleanup['lines_after_30_days'][0]} -> {cleanup['lines_after_30_days'][1]}.",
    ]
    return headers, rows, notes


def main(env):
    args = parse_args()
    started = time.monotonic()
    load_start = "/".join(f"{value:.1f}" for value in os.getloadavg())
    logging.getLogger("odoo.addons.otd_marketplace_stock").setLevel(logging.WARNING)
    factor = 10 if args.quick else 1
    chosen = [s for s in SCENARIOS if not args.scenario or s[0] in args.scenario]
    location = stock_location(env)
    size_max = max([size for _key, size, _changed in chosen] or [1000]) // factor
    product_import = None
    without = "2 (1 at 50k)" if args.runs_without_lines is None else args.runs_without_lines
    say(f"Zortout stock sync benchmark: {', '.join(key for key, *_rest in chosen)}; {args.runs} run(s) with lines"
        f" and {without} without per scenario" + (", --quick (sizes / 10)" if args.quick else ""))
    full = build_catalogue(size_max)
    sandbox = SandboxProcess(full, size_max)  # Zortout is a server of its own: see bench/sandbox_process.py
    results, growth, build_seconds = [], None, 0.0
    bench = None
    try:
        account = setup_account(env, sandbox, location, WAREHOUSE)
        ids = {}
        for key, size, changed in chosen:
            size, changed = size // factor, changed // factor
            label = key if not args.quick else f"quick-{key}"
            # Odoo holds exactly the served SKUs: products with stock that the sweep does not list
            # would be re-read one by one (settle step), which is not what a scenario measures
            build = time.monotonic()
            say(f"Odoo store: {size:,} storable products with stock at {location.complete_name}")
            ids = ensure_products(env, full, size, say=say)
            build_seconds += time.monotonic() - build
            bench = bench or Bench(env, full, ids, location, sandbox, account)
            bench.profile = args.profile
            bench.ids = ids
            say(f"Scenario {label}: {size:,} SKUs, {changed:,} changed per run")
            runner = run_growth if key == "growth" else run_scenario
            outcome = runner(bench, key, size, changed, label, args)
            if key == "growth":
                growth = outcome
            else:
                results.append(outcome)
        if not args.scenario or PRODUCT_IMPORT[0] in args.scenario:
            product_import = product_import_bench.measure(env, account, PRODUCT_IMPORT[1] // factor, say=say)
    finally:
        if bench:
            bench.close()
        sandbox.stop()

    total = time.monotonic() - started
    load = "/".join(f"{value:.1f}" for value in os.getloadavg())
    checks = check_targets(results, full_size=not args.quick)
    sections = []
    if results:
        sections.append(("Speed", *speed_table(results), [
            "seconds: the whole job, from queuing it to done (runner calls, sweep from the sandbox on 127.0.0.1, served"
            " from a process of its own as Zortout is,"
            " every step committed). API s: time inside the Zortout client. Odoo-side s = seconds - API s.",
            "ms/changed SKU: Odoo-side seconds of the whole job / changed SKUs (the unchanged SKUs' share"
            " included); for Odoo's path: counted quantity set on each changed product's quant, then"
            " _apply_inventory, same stock and change set, in a rolled-back savepoint. vs Odoo path: each run's"
            " sync Odoo-side seconds / the mean of Odoo's path measured just before the run (its change set) and"
            " the next one measured after it (A-B-A, one extra Odoo path after the last run), median and range of"
            " the runs. Every measured path starts on a quiet database (VACUUM ANALYZE, CHECKPOINT).",
            "peak RSS MB: highest RSS (sampled every 5 ms) minus RSS at the start, after gc and malloc_trim."
            " Medians of the runs with lines.",
        ]))
        sections.append(("Where the sync job's time goes", *breakdown_table(results), [
            "Odoo's count + Apply: services/inventory.apply_changes (counted quantities set, then _apply_inventory),"
            " called once per apply step that has changes (a step applies several kept pages, up to"
            " apply_step_changes changes); the Odoo path column does the same changes in one call.",
            "quant reads: services/inventory.stock_levels (a kept page's levels, unlocked) and read_quants (the quants"
            " of the products that may change, locked FOR NO KEY UPDATE). the rest:"
            " the sweep kept as pages, matching, the steps' bookkeeping and commits, the runner.",
        ]))
        sections.append(("Change lines", *lines_table(results), [
            "in line code: time inside the engine's methods that exist only for the lines (_write_lines,"
            " _last_move_id, _moves_since), same runs; lines add = that time / (Odoo-side s - that time).",
            "with vs without: median Odoo-side seconds of the runs with lines against runs (interleaved) in"
            " which those methods are replaced by no-ops in the benchmark process; noisier, shown as a cross-check.",
        ]))
    if growth:
        sections.append(("Table growth: 30 days of 5-minute pulls", *growth_lines(growth)))
    if product_import:
        figures = product_import
        sections.append(("Create Products from Zortout", ["path", "products", "seconds", "products/s"], [
            ["the job (runner, committed steps)", f"{figures['rows']:,}", f"{figures['job_s']:.2f}",
             f"{figures['job_per_s']:.0f}"],
            ["Odoo's product.product create, one call", f"{figures['rows']:,}", f"{figures['odoo_s']:.2f}",
             f"{figures['odoo_per_s']:.0f}"],
        ], [
            "the same planned rows (bench/product_import_bench.py), one category, no chatter message per product on"
            " either path; Odoo's path: the mean of a run before and a run after the job (A-B-A), rolled back.",
            f"ratio job / Odoo: {figures['ratio']:.2f}x.",
        ]))
        checks.append((f"product creation <= {product_import_bench.TARGET_RATIO}x Odoo's own create of the same rows",
                       f"{figures['job_per_s']:.0f}/s vs {figures['odoo_per_s']:.0f}/s, ratio {figures['ratio']:.2f}x",
                       "PASS" if figures["ratio"] <= product_import_bench.TARGET_RATIO
                       else ("FAIL" if not args.quick else "not judged")))

    say()
    for title, headers, rows, notes in sections:
        say(f"== {title}")
        say(render_text(headers, rows))
        for note in notes:
            say(f"  - {note}")
        say()
    for target, measured, verdict in checks:
        say(f"{verdict:>13}  {target}: {measured}")
    say()
    say(f"Benchmark finished in {total:.0f} s (data build {build_seconds:.0f} s); "
        f"load average at the start {load_start}, at the end {load}")

    results_dir = REPO / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    bench_args = os.environ.get("OTD_BENCH_ARGS")
    with open(results_dir / "latest.md", "w") as handle:
        handle.write(f"Measured with `make bench{' ARGS=' + repr(bench_args) if bench_args else ''}`"
                     f" ({os.cpu_count()} CPUs, sandbox on 127.0.0.1 in its own process, medians of {args.runs} runs"
                     " with lines,"
                     f" {total:.0f} s in all; load average {load_start} at the start, {load} at the end).\n\n")
        for title, headers, rows, notes in sections:
            handle.write(f"**{title}**\n\n{render_markdown(headers, rows)}\n\n")
            handle.writelines(f"- {note}\n" for note in notes)
            handle.write("\n")
        if checks:
            handle.write("| target | measured | verdict |\n|---|---|---|\n")
            handle.writelines(f"| {t} | {m} | {v} |\n" for t, m, v in checks)
    say(f"Markdown written to {results_dir / 'latest.md'}")
    return 0 if all(verdict != "FAIL" for _t, _m, verdict in checks) else 1


if "env" in globals():
    _code = main(env)  # noqa: F821 - given by odoo-bin shell
    sys.exit(_code)
else:
    sys.exit("Run this through `make bench` (odoo-bin shell feeds it the environment).")
