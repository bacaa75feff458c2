#!/usr/bin/env python3
"""The sync in production's shape: multi-worker Odoo, a slow store, one full sync across cron runs.

    make bench-production                 50,000 SKUs, 5,000 changed, every answer after 2 s
    make bench-production ARGS=--quick    5,000 SKUs, 500 changed, every answer after 0.5 s

1. A throwaway database with the addon (the set-up of scripts/devenv.py).
2. production_setup.py in ``odoo-bin shell``: the store's products in Odoo, the
   changed ones holding another quantity; the account.
3. The Zortout sandbox as its own process, every answer delayed (``--latency``),
   so that the fetch alone outlasts one cron run.
4. ``odoo-bin --workers 2 --max-cron-threads 1 --limit-time-real-cron 90`` on
   free ports.
5. production_queue.py: Pull Stock on the account queues the job; the clock starts.
6. Until the job is done: pg_stat_activity sampled every 0.5 s for the age of
   every open transaction (transaction_watch.py), the job's progress every 2 s.
7. production_check.py: every quantity against the store, one inventory move
   per changed product; the cron runs counted in Odoo's log; everything
   stopped, the database dropped.

Standard library only (runs before and beside the venv). Exit status 0 when
every check passes.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(BENCH))

import devenv  # noqa: E402 - the project's set-up: Odoo, venv, PostgreSQL
from transaction_watch import TransactionWatch  # noqa: E402

#: the performance target: no transaction over 10 s on these machines
TRANSACTION_LIMIT_S = 10.0
CRON_NAME = "Marketplace: run pending jobs"
#: the runner's scheduled actions: "Marketplace: run pending jobs", "... (2)" and any further one
RUNNER = r"Job '" + re.escape(CRON_NAME) + r"(?: \(\d+\))?' \(\d+\) "
CRON_START = re.compile(RUNNER + "starting")
CRON_END = re.compile(RUNNER + r"(.+?) \(#loop (\d+); done (\d+); "
                      r"remaining (\d+); duration ([\d.]+)s\)")
WORKER_KILLED = re.compile(r"WorkerCron \(\d+\) timeout after|Worker \(\d+\) CPU time limit")
PROGRESS_EVERY_S = 30


def say(message=""):
    print(f"[production-shape] {message}" if message else "", flush=True)


def parse_args():
    parser = argparse.ArgumentParser(prog="make bench-production", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="5,000 SKUs, 500 changed, 0.5 s per answer")
    parser.add_argument("--skus", type=int, help="SKUs in the store (default 50,000)")
    parser.add_argument("--changed", type=int, help="SKUs whose quantity differs in Odoo (default 10%%)")
    parser.add_argument("--latency", type=float, help="seconds before every sandbox answer (default 2)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait for the job (default 3600)")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    args.skus = args.skus or (5_000 if args.quick else 50_000)
    args.changed = args.changed if args.changed is not None else args.skus // 10
    args.latency = args.latency if args.latency is not None else (0.5 if args.quick else 2.0)
    return args


class Database:
    """psql on the throwaway database, for the driver's own reads."""

    def __init__(self, pg_options, name):
        options = dict(zip(pg_options[::2], pg_options[1::2]))
        host = options.get("--db_host", "")
        psql = devenv.find_pg_bin() / "psql" if Path(host).is_dir() else shutil.which("psql")
        self.command = [str(psql), "-h", host, "-p", options.get("--db_port", "5432"),
                        "-U", options.get("--db_user", os.environ.get("PGUSER", "odoo")), "-d", name]
        self.env = dict(os.environ, PGPASSWORD=options.get("--db_password", os.environ.get("PGPASSWORD", "")))
        self.name = name

    def row(self, sql):
        out = subprocess.run([*self.command, "-X", "-q", "-A", "-t", "-F", "\x1f", "-c", sql], env=self.env,
                             capture_output=True, text=True, check=True).stdout.rstrip("\n")
        return out.split("\x1f") if out else []


def odoo_shell_script(base, database, script, env, log_path):
    """Run one of the production_*.py scripts in ``odoo-bin shell``; returns its RESULT json."""
    runner = (f"import runpy\nrunpy.run_path({str(BENCH / script)!r}, init_globals={{'env': env}}, "
              "run_name='__main__')\n")
    with open(log_path, "a") as log:
        done = subprocess.run([*devenv.odoo_shell(base), "-d", database, "--no-http", "--log-level", "warn"],
                              input=runner, text=True, env=env, stdout=subprocess.PIPE, stderr=log)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
        print(f"    {line}", flush=True)
    raise SystemExit(f"{script} failed (exit {done.returncode}); see {log_path}")


def start_sandbox(python, args, log_path):
    port = devenv.free_port()
    command = [str(python), "-m", "zortout_sandbox", "--port", str(port), "--catalogue", f"generate:{args.skus}:19",
               "--latency", str(args.latency)]
    log = open(log_path, "a")
    process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=devenv.sandbox_env())
    for _attempt in range(600):
        if not devenv.port_is_free(port):
            return process, f"http://127.0.0.1:{port}/v4"
        if process.poll() is not None:
            raise SystemExit(f"the sandbox did not start; see {log_path}")
        time.sleep(0.1)
    raise SystemExit("the sandbox did not open its port in 60 s")


def start_odoo(base, database, log_path):
    http_port = devenv.free_port()
    command = [*base, "-d", database, "--db-filter", f"^{database}$", "--workers", "2", "--max-cron-threads", "1",
               "--limit-time-real-cron", "90", "--http-port", str(http_port), "--gevent-port", str(devenv.free_port()),
               "--logfile", str(log_path), "--log-level", "info"]
    # a process group of its own: stopping the group stops its workers too, and only them
    process = subprocess.Popen(command, env=devenv.sandbox_env(), preexec_fn=os.setpgrp,  # noqa: PLW1509
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _attempt in range(600):
        if not devenv.port_is_free(http_port):
            return process
        if process.poll() is not None:
            raise SystemExit(f"odoo-bin --workers 2 stopped at start (exit {process.returncode}); see {log_path}")
        time.sleep(0.1)
    raise SystemExit("odoo-bin did not open its HTTP port in 60 s")


def stop(process, with_workers=False):
    """Stop a process started here (``with_workers``: its whole process group, the workers it forked too)."""
    if process is None or process.poll() is not None:
        return
    send = (lambda sig: os.killpg(process.pid, sig)) if with_workers else process.send_signal
    try:
        send(signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        process.wait()


def wait_for_job(db, job_id, timeout):
    """Poll the job until it is done or failed; returns (state, seconds)."""
    started = time.monotonic()
    last_report = 0.0
    while True:
        state, phase, pages, pages_total, skus, skus_total, attempts, error = db.row(
            "SELECT state, sync_phase, pages_fetched, pages_total, skus_done, skus_total, attempts,"
            f" coalesce(error, '') FROM marketplace_job WHERE id = {int(job_id)}")
        elapsed = time.monotonic() - started
        if state in ("done", "failed", "cancelled") or elapsed > timeout:
            return state, elapsed
        if elapsed - last_report >= PROGRESS_EVERY_S:
            last_report = elapsed
            say(f"  {elapsed:5.0f} s: {state}, step {phase}, pages {pages}/{pages_total}, SKUs applied "
                f"{skus}/{skus_total}, attempt {attempts}" + (f", error: {error}" if error else ""))
        time.sleep(2)


def cron_runs(log_path, since_line, reference):
    """What Odoo's log says of the job's life after ``since_line``: the runner cron's runs up to the
    one that finished the job (started, and [(status, loops, seconds)] of those ended), the job's
    postponements and retries, and worker kills. ``finished``: that last run has ended."""
    lines = Path(log_path).read_text(errors="replace").splitlines()[since_line:]
    out = {"started": 0, "ended": [], "postponed": 0, "retries": 0, "stale": 0, "kills": [], "finished": False}
    job_done = False
    for line in lines:
        if WORKER_KILLED.search(line):
            out["kills"].append(line)
        if f"job={reference} " in line:
            for event in ("postponed", "retry", "stale"):
                if f"event={event} " in line or line.endswith(f"event={event}"):
                    out["retries" if event == "retry" else event] += 1
            job_done = job_done or "event=done " in line
        if CRON_START.search(line) and not job_done:
            out["started"] += 1
        elif match := CRON_END.search(line):
            out["ended"].append((match.group(1), int(match.group(2)), float(match.group(5))))
            if job_done:
                out["finished"] = True
                break
    return out


def wait_for_cron_end(log_path, since_line, reference, timeout=120):
    """cron_runs() once the run that finished the job has logged its end."""
    deadline = time.monotonic() + timeout
    while True:
        runs = cron_runs(log_path, since_line, reference)
        if runs["finished"] or time.monotonic() > deadline:
            return runs
        time.sleep(1)


def log_length(log_path):
    path = Path(log_path)
    return len(path.read_text(errors="replace").splitlines()) if path.exists() else 0


def ensure_gevent_runs(python):
    """Odoo's gevent process (started with --workers) imports pkg_resources, gone from setuptools 81."""
    probe = subprocess.run([str(python), "-c", "import pkg_resources"], capture_output=True)
    if probe.returncode:
        say("installing setuptools<81 in the venv (Odoo's gevent process needs pkg_resources)")
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-U", "setuptools<81"], check=True)


def report(args, check, wall, runs, watch):
    started, ended, kills = runs["started"], runs["ended"], runs["kills"]
    work = watch.longest(cron_bookkeeping=False, count=3)
    cron = watch.longest(cron_bookkeeping=True, count=1)
    longest_work = work[0].age if work else 0.0
    rows = [
        ("store", f"{args.skus:,} SKUs, {check['changed']:,} changed, every sandbox answer after {args.latency:g} s"),
        ("Odoo", "--workers 2 --max-cron-threads 1 --limit-time-real-cron 90"),
        ("job", f"{check['state']}; postponed {runs['postponed']} times (time up), {runs['retries']} retries, "
                f"{runs['stale']} recovered from a dead worker; {check['pages']} pages, "
                f"{check['api_calls']} API calls, {check['fetched']:,} rows, {check['updated']:,} updated, "
                f"{check['unchanged']:,} unchanged, {check['lines']:,} change lines"),
        ("wall time", f"{wall:.0f} s from Pull Stock to done"),
        ("cron runs", f"{started} runs of '{CRON_NAME}' (any of its scheduled actions) until the job was done, "
                      f"{runs['postponed'] + runs['retries'] + 1} of them working on it (each ends it postponed, "
                      "retried or done); each run's seconds: "
                      + ", ".join(f"{seconds:.1f}" for _status, _loops, seconds in ended)),
        ("workers killed", f"{len(kills)}" + (f": {kills[0]}" if kills else "")),
        ("quantities", f"{check['wrong_quantities']} of {args.skus:,} differ from the store"
                       + (f", e.g. {check['wrong_samples']}" if check["wrong_quantities"] else "")),
        ("adjustments", f"{check['moves']:,} inventory moves for {check['moved_products']:,} products; "
                        f"{check['missing_moves']} changed products without one, {check['unexpected_moves']} "
                        f"unchanged products with one, {len(check['doubled'])} with two or more"),
        ("longest transaction", f"{longest_work:.1f} s (pg_stat_activity sampled every 0.5 s: {watch.samples} "
                                f"samples, {len(watch.transactions)} transactions); the three longest:"),
        *((f"  {transaction.age:.1f} s", f"pid {transaction.pid}, {len(transaction.statements)} statements seen, "
                                         f"latest: {transaction.statements[-1][:110]}") for transaction in work),
        ("Odoo's cron lock", (f"{cron[0].age:.1f} s: ir.cron keeps the ir_cron row locked in a transaction of "
                              f"its own for a whole cron run (no other lock, no work in it)") if cron else "not seen"),
    ]
    width = max(len(name) for name, _value in rows)
    say()
    for name, value in rows:
        say(f"{name.ljust(width)}  {value}")
    checks = [
        ("the job is done", check["state"] == "done"),
        ("it took more than one cron run", started > 1),
        ("no worker was killed", not kills),
        ("every quantity is right", check["wrong_quantities"] == 0),
        ("one inventory move per changed product, none for the others",
         check["moves"] == check["moved_products"] == check["changed"] and not check["missing_moves"]
         and not check["unexpected_moves"]),
        (f"no transaction of the sync over {TRANSACTION_LIMIT_S:g} s", longest_work <= TRANSACTION_LIMIT_S),
    ]
    say()
    for name, ok in checks:
        say(f"{'PASS' if ok else 'FAIL':>4}  {name}")
    return all(ok for _name, ok in checks)


def main():
    args = parse_args()
    _odoo, python, pg_options, base = devenv.prepare()
    ensure_gevent_runs(python)
    database = f"otd_prodshape_{int(time.time())}_{os.getpid()}"
    logs = devenv.LOCAL / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    odoo_log, setup_log, sandbox_log = (logs / f"production-{stamp}-{name}.log" for name in ("odoo", "setup",
                                                                                             "sandbox"))
    shell_env = dict(devenv.sandbox_env(), OTD_PRODUCTION_SKUS=str(args.skus),
                     OTD_PRODUCTION_CHANGED=str(args.changed))
    sandbox = odoo = watch = None
    try:
        say(f"database {database}: installing the addon; logs in {logs}/production-{stamp}-*.log")
        with open(setup_log, "a") as log:
            subprocess.run([*base, "-d", database, "-i", devenv.ADDON_NAME, "--stop-after-init", "--no-http",
                            "--log-level", "warn"], check=True, stderr=log)
        sandbox, sandbox_url = start_sandbox(python, args, sandbox_log)
        say(f"sandbox {sandbox_url}: generate:{args.skus}:19, {args.latency:g} s per answer")
        setup_started = time.monotonic()
        setup = odoo_shell_script(base, database, "production_setup.py",
                                  dict(shell_env, OTD_PRODUCTION_SANDBOX_URL=sandbox_url), setup_log)
        say(f"{setup['products']:,} products in Odoo, {setup['changed']:,} holding another quantity "
            f"({time.monotonic() - setup_started:.0f} s)")
        odoo = start_odoo(base, database, odoo_log)
        say("odoo-bin --workers 2 --max-cron-threads 1 --limit-time-real-cron 90 is up")
        db = Database(pg_options, database)
        watch = TransactionWatch(db.command, database).start()
        log_start = log_length(odoo_log)
        queued = odoo_shell_script(base, database, "production_queue.py",
                                   dict(shell_env, OTD_PRODUCTION_ACCOUNT=str(setup["account_id"])), setup_log)
        say(f"queued {queued['reference']} ({queued['way']}); waiting for the runner")
        state, wall = wait_for_job(db, queued["job_id"], args.timeout)
        watch.stop()
        runs = wait_for_cron_end(odoo_log, log_start, queued["reference"])
        stop(odoo, with_workers=True)
        check = odoo_shell_script(base, database, "production_check.py",
                                  dict(shell_env, OTD_PRODUCTION_JOB=str(queued["job_id"])), setup_log)
        ok = report(args, check, wall, runs, watch)
        return 0 if ok and state == "done" else 1
    finally:
        if watch:
            watch.stop()
        stop(odoo, with_workers=True)
        stop(sandbox)
        if not args.keep_db:
            devenv.drop_database(pg_options, database)


if __name__ == "__main__":
    sys.exit(main())
