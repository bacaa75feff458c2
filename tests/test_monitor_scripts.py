"""The two monitor scripts, run with bash on log files like Odoo writes them."""

import contextlib
import importlib.util
import json
import logging
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import tempfile
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path

from odoo.tests import tagged
from odoo.tools import config

from .common import DEMO_GOODS, JOB_LOGGER, MarketplaceCase
from .sandbox_case import PRODUCTS

ADDON_DIR = Path(__file__).resolve().parent.parent
SIMPLE = ADDON_DIR / "monitor_stock_sync.sh"
DETAILED = ADDON_DIR / "monitor_stock_sync_detailed.sh"
DEVENV = ADDON_DIR / "scripts" / "devenv.py"
#: the awk Debian installs by default, which buffers a pipe unless told not to
MAWK = "/usr/bin/mawk"

FAILING_LOG = textwrap.dedent("""\
    2026-11-28 01:03:38,001 5697 INFO shop werkzeug: 127.0.0.1 - - [28/Nov/2026 01:03:38] "POST /web/dataset/call_kw HTTP/1.1" 200 - 12 0.010 0.020
    2026-11-28 01:03:39,030 5697 INFO shop odoo.addons.otd_marketplace_stock.models.marketplace_job: zortout-sync job=JOB/0042 account=3 event=start warehouse=W0001 location="WH/Stock" source=availablestock mode=full 
    2026-11-28 01:03:39,100 5697 DEBUG shop odoo.addons.otd_marketplace_stock.zortout: zortout-sync job=JOB/0042 account=3 event=http detail="Zortout GET /Product/GetProducts?warehousecode=W0001&page=1&limit=500 -> 500 in 85 ms (attempt 1)" 
    2026-11-28 01:03:39,101 5697 DEBUG shop odoo.addons.otd_marketplace_stock.zortout: zortout-sync job=JOB/0042 account=3 event=http detail="Zortout /Product/GetProducts: retry 1 in 0.50 s" 
    2026-11-28 01:03:40,200 5697 WARNING shop odoo.addons.otd_marketplace_stock.models.marketplace_job: zortout-sync job=JOB/0042 account=3 event=retry error="Zortout had a server error on /Product/GetProducts (HTTP 500)" attempt=1/3 next_run_at="2026-11-28 01:08:40" 
    2026-11-28 01:03:41,000 5697 INFO shop odoo.addons.sale.models.sale_order: zortout-sync job=OTHER/1 account=1 event=start 
    2026-11-28 01:08:40,030 5697 INFO shop odoo.addons.otd_marketplace_stock.models.marketplace_job: zortout-sync job=JOB/0042 account=3 event=start warehouse=W0001 location="WH/Stock" source=availablestock mode=full 
    2026-11-28 01:08:40,300 5697 DEBUG shop odoo.addons.otd_marketplace_stock.zortout.client: Zortout GET /Product/GetProducts?warehousecode=W0001&page=1&limit=500 -> 401 in 40 ms (attempt 1) 
    2026-11-28 01:08:40,310 5697 ERROR shop odoo.addons.otd_marketplace_stock.models.marketplace_job: zortout-sync job=JOB/0042 account=3 event=failed error="Zortout rejected the credentials (HTTP 401) on /Product/GetProducts" attempt=3/3 
    Traceback (most recent call last):
      File "/opt/odoo/addons/otd_marketplace_stock/models/marketplace_job.py", line 210, in _run_one
        result = self._run_stock_pull()
    odoo.addons.otd_marketplace_stock.zortout.errors.ZortoutAuthError: Zortout rejected the credentials (HTTP 401) on /Product/GetProducts
    2026-11-28 01:08:41,000 5697 INFO shop odoo.modules.registry: Caches invalidated 
    2026-11-28 01:09:00,000 5697 ERROR shop odoo.addons.otd_marketplace_stock.models.marketplace_job: zortout-sync job=JOB/0043 account=3 event=failed error="Unexpected error: KeyError 'qty'" attempt=1/5 
    2026-11-28 01:09:00,001 5697 WARNING shop odoo.addons.otd_marketplace_stock.models.marketplace_job: zortout-sync job=JOB/0043 account=3 event=traceback 
    Traceback (most recent call last):
      File "/opt/odoo/addons/otd_marketplace_stock/services/stock_sync.py", line 80, in run
    KeyError: 'qty'
    """)


#: Odoo's log line format (odoo/netsvc.py; perf_info is empty outside HTTP request logs)
ODOO_LOG_FORMAT = "%(asctime)s %(process)s %(levelname)s %(dbname)s %(name)s: %(message)s "


class _DbName(logging.Filter):
    def filter(self, record):
        if not getattr(record, "dbname", None):
            record.dbname = "shop"
        return True


@tagged("post_install", "-at_install")
class TestMonitorScripts(MarketplaceCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not shutil.which("bash"):
            raise AssertionError("bash is needed to run the monitor scripts")
        cls.tmp = Path(tempfile.mkdtemp(prefix="otd_monitor_test_"))
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)

    # -- helpers -------------------------------------------------------------

    def monitor_env(self, env=None):
        """The environment of a monitor: none of the caller's database, colour or zone settings, and a
        data folder without make run's set-up (no jobs table), then ``env`` (None removes a variable)."""
        environment = dict(os.environ, OTD_DATA_DIR=str(self.tmp / "no_data_dir"))
        for name in ("PGDATABASE", "PGHOST", "OTD_DB", "NO_COLOR", "ODOO_RC", "MONITOR_TZ"):
            environment.pop(name, None)
        for name, value in (env or {}).items():
            if value is None:
                environment.pop(name, None)
            else:
                environment[name] = value
        return environment

    def run_script(self, script, *args, env=None):
        return subprocess.run(["bash", str(script), *args], capture_output=True, text=True, timeout=60,
                              env=self.monitor_env(env), stdin=subprocess.DEVNULL, check=False)

    def read_log(self, script, log_path, *args, tz="UTC"):
        """What ``script --once --no-color --tz TZ LOG`` prints; it must succeed. The times are
        shown as logged (UTC) unless told otherwise."""
        done = self.run_script(script, "--once", "--no-color", "--tz", tz, *args, str(log_path))
        self.assertEqual(done.returncode, 0, f"{script.name} failed:\n{done.stderr}")
        self.assertEqual(done.stderr, "")
        return done.stdout.splitlines()

    def write_log(self, name, text):
        path = self.tmp / name
        path.write_text(text)
        return path

    def lines_with(self, lines, *words):
        return [line for line in lines if all(word in line for word in words)]

    @contextmanager
    def odoo_log(self, path):
        """Write what the addon logs, DEBUG included, to ``path`` as Odoo's log file would."""
        logger = logging.getLogger(JOB_LOGGER)
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter(ODOO_LOG_FORMAT))
        handler.addFilter(_DbName())
        level, propagate = logger.level, logger.propagate
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False  # keep the DEBUG lines out of the test run's own log
        try:
            yield
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate
            handler.close()

    def stop(self, process):
        """Stop a monitor started in its own session as a kill would (it stops tail and awk itself), then
        anything left in that session."""
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    @contextmanager
    def following(self, script, log_path, *args, awk=MAWK):
        """Start ``script`` following ``log_path`` with ``awk``; yield a function that returns its next
        line of output, or None when none came before a deadline. The script is stopped afterwards."""
        environment = self.monitor_env({"AWK": awk})
        # its own session: the script, tail and awk can be stopped together whatever happens
        process = subprocess.Popen(["bash", str(script), "--no-color", *args, str(log_path)], env=environment,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   start_new_session=True)
        pending = bytearray()

        def next_line(seconds):
            deadline = time.monotonic() + seconds
            while b"\n" not in pending:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([process.stdout], [], [], left)[0]:
                    return None
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    return None  # the script ended
                pending.extend(chunk)
            line, _newline, rest = bytes(pending).partition(b"\n")
            pending[:] = rest
            return line.decode()

        try:
            yield next_line
        finally:
            self.stop(process)
            errors = process.stderr.read().decode()
            process.stdout.close()
            process.stderr.close()
        self.assertEqual(errors, "", f"{script.name} wrote on its standard error")

    # -- a real sync --------------------------------------------------------------

    def test_log_of_a_real_sync(self):
        """Pull stock from the sandbox (with one rate-limited page), then read its log with both scripts."""
        self.account.zortout_warehouse_code = "W0001"
        self.sandbox.faults.add(PRODUCTS, "rate_limit", page=1, times=1, retry_after=0)
        log = self.tmp / "real_sync.log"
        with self.odoo_log(log):
            action = self.account.action_pull_stock()
        job = self.env["marketplace.job"].browse(action["res_id"])
        self.assertEqual(job.state, "done", job.error)
        result = json.loads(job.result)
        skipped = sum(result["skipped"].values())
        ref = job.reference
        self.assertTrue(ref and ref != "/")
        raw = log.read_text()
        self.assertRegex(raw, r" DEBUG \S+ odoo\.addons\.otd_marketplace_stock\.\S+: zortout-sync job=\S+ account=\d+ "
                              r"event=decision ", "the DEBUG lines were captured")

        simple = self.read_log(SIMPLE, log)
        stamp = r"\d\d:\d\d:\d\d "
        events = [re.match(stamp + re.escape(ref) + r" (\w+)", line) for line in simple]
        self.assertTrue(all(events), f"every line is an event of {ref}:\n" + "\n".join(simple))
        self.assertEqual([event.group(1) for event in events], ["start", "fetched", "applied", "done"])
        start, fetched, applied, done = simple
        self.assertIn(f" start account={self.account.id} warehouse=W0001 ", start)
        self.assertIn(f'location="{self.stock.complete_name}"' if " " in self.stock.complete_name
                      else f"location={self.stock.complete_name}", start)
        self.assertIn(f"rows={result['fetched']} ", fetched)
        self.assertIn(" retries=1 ", fetched, "the rate-limited page was asked again")
        self.assertIn(f"updated={result['updated']} unchanged={result['unchanged']} skipped={skipped} ", applied)
        self.assertIn(f" done fetched={result['fetched']} matched={result['matched']} updated={result['updated']} "
                      f"unchanged={result['unchanged']} skipped={skipped} duration_s=", done)
        self.assertEqual(result["updated"], len(DEMO_GOODS))
        self.assertNotIn("decision", "\n".join(simple))
        self.assertNotIn("http", "\n".join(simple))

        detailed = self.read_log(DETAILED, log)
        text = "\n".join(detailed)
        for line in simple:
            self.assertIn(line, detailed, "the detailed script shows every event too")
        # one decision line per SKU, with the quantities
        for sku in DEMO_GOODS:
            quantity = self.zortout_quantity(sku, "W0001")
            wanted = f" {ref}   decision sku={sku} decision=updated from=0 to={quantity:g}"
            self.assertTrue(any(line.endswith(wanted) for line in detailed), f"{wanted!r} not in:\n{text}")
        for sku in result["samples"]["not_in_odoo"]:
            self.assertIn(f" {ref}   decision sku={sku} decision=not_in_odoo", text)
        # the HTTP calls, their time, the rate-limited one and its retry
        products = [line for line in detailed if "   http GET /Product/GetProducts?" in line]
        self.assertEqual(len(products), len(self.calls_to(PRODUCTS)))
        self.assertTrue(all(re.search(r"-> \d{3} in \d+ ms \(attempt \d\)$", line) for line in products), products)
        self.assertRegex(products[0], rf"^{stamp}{re.escape(ref)}   http GET /Product/GetProducts\?warehousecode=W0001&"
                                      r"page=1&limit=\d+ -> 429 in \d+ ms \(attempt 1\)$")
        self.assertRegex(products[1], r"page=1&limit=\d+ -> 200 in \d+ ms \(attempt 2\)$")
        self.assertTrue(self.lines_with(detailed, ref, "http /Product/GetProducts: retry 1 in 0.00 s"), text)
        self.assertTrue(self.lines_with(detailed, "http GET /Warehouse/GetWarehouses?", "-> 200 in"), text)
        # events and decisions in the order they happened
        order = [next(i for i, line in enumerate(detailed) if f" {ref} {event}" in line)
                 for event in ("start", "fetched", "applied", "done")]
        self.assertEqual(order, sorted(order))
        first_decision = next(i for i, line in enumerate(detailed) if "   decision " in line)
        self.assertLess(order[1], first_decision)
        self.assertLess(first_decision, order[2])

    # -- a failing sync ---------------------------------------------------------

    def test_failing_sync_simple(self):
        log = self.write_log("failing.log", FAILING_LOG)
        lines = self.read_log(SIMPLE, log)
        self.assertEqual(lines, [
            '01:03:39 JOB/0042 start account=3 warehouse=W0001 location="WH/Stock" source=availablestock mode=full',
            '01:03:40 JOB/0042 retry error="Zortout had a server error on /Product/GetProducts (HTTP 500)" '
            'attempt=1/3 next_run_at="2026-11-28 01:08:40"',
            '01:08:40 JOB/0042 start account=3 warehouse=W0001 location="WH/Stock" source=availablestock mode=full',
            '01:08:40 JOB/0042 failed error="Zortout rejected the credentials (HTTP 401) on /Product/GetProducts" '
            'attempt=3/3',
            '01:09:00 JOB/0043 failed error="Unexpected error: KeyError \'qty\'" attempt=1/5',
            '01:09:00 JOB/0043 traceback',
        ])

    def test_failing_sync_detailed(self):
        log = self.write_log("failing.log", FAILING_LOG)
        lines = self.read_log(DETAILED, log)
        text = "\n".join(lines)
        # the HTTP calls, with the job they belong to, the status and the time
        self.assertIn("01:03:39 JOB/0042   http GET /Product/GetProducts?warehousecode=W0001&page=1&limit=500 "
                      "-> 500 in 85 ms (attempt 1)", lines)
        self.assertIn("01:03:39 JOB/0042   http /Product/GetProducts: retry 1 in 0.50 s", lines)
        self.assertIn("-> 401 in 40 ms", text)
        # the failure and its traceback right under it
        failed = lines.index('01:08:40 JOB/0042 failed error="Zortout rejected the credentials (HTTP 401) '
                             'on /Product/GetProducts" attempt=3/3')
        self.assertEqual(lines[failed + 1], "    Traceback (most recent call last):")
        self.assertEqual(lines[failed + 4].strip(), "odoo.addons.otd_marketplace_stock.zortout.errors.ZortoutAuthError: "
                         "Zortout rejected the credentials (HTTP 401) on /Product/GetProducts")
        self.assertTrue(lines[failed + 5].startswith("01:09:00 JOB/0043 failed "),
                        "the traceback stops at the next record, which is not ours")
        # the traceback of an unexpected error, logged on its own line after the failure
        self.assertEqual(lines[failed + 6:], [
            "01:09:00 JOB/0043 traceback",
            "    Traceback (most recent call last):",
            '      File "/opt/odoo/addons/otd_marketplace_stock/services/stock_sync.py", line 80, in run',
            "    KeyError: 'qty'",
        ])
        # other loggers stay out
        self.assertNotIn("OTHER/1", text)
        self.assertNotIn("werkzeug", text)
        self.assertNotIn("Caches invalidated", text)

    def test_colours_only_on_a_terminal(self):
        log = self.write_log("failing.log", FAILING_LOG)
        # stdout is a pipe here: no colour even without --no-color
        done = self.run_script(SIMPLE, "--once", str(log))
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertNotIn("\x1b[", done.stdout)
        self.assertIn("JOB/0042 failed", done.stdout)

    def test_coloured_odoo_log_is_read(self):
        """Odoo colours its level names on a terminal; those lines are understood too."""
        coloured = FAILING_LOG.replace(" ERROR shop", " \x1b[1;31m\x1b[1;49mERROR\x1b[0m shop")
        log = self.write_log("coloured.log", coloured)
        lines = self.read_log(SIMPLE, log)
        self.assertTrue(self.lines_with(lines, "JOB/0042 failed", "attempt=3/3"), lines)

    def test_tracebacks_of_other_loggers_through_the_addon(self):
        log = self.write_log("http_error.log", textwrap.dedent("""\
            2026-11-28 02:00:00,000 77 ERROR shop odoo.http: Exception during request handling.
            Traceback (most recent call last):
              File "/opt/odoo/addons/otd_marketplace_stock/models/marketplace_account.py", line 90, in action_pull_stock
                raise KeyError("warehouse")
            KeyError: 'warehouse'
            2026-11-28 02:00:01,000 77 ERROR shop odoo.http: Exception during request handling.
            Traceback (most recent call last):
              File "/opt/odoo/addons/sale/models/sale_order.py", line 10, in action_confirm
            ValueError: not ours
            """))
        simple = self.read_log(SIMPLE, log)
        self.assertEqual(simple, ["02:00:00 ERROR odoo.http: Exception during request handling. -- KeyError: 'warehouse'"])
        detailed = self.read_log(DETAILED, log)
        self.assertEqual(detailed[0], "02:00:00 ERROR odoo.http: Exception during request handling.")
        self.assertIn("    KeyError: 'warehouse'", detailed)
        self.assertNotIn("not ours", "\n".join(detailed))

    def test_last_lines_only(self):
        log = self.write_log("failing.log", FAILING_LOG)
        lines = self.read_log(SIMPLE, log, "-n", "5")
        self.assertEqual(lines, ['01:09:00 JOB/0043 failed error="Unexpected error: KeyError \'qty\'" attempt=1/5',
                                 "01:09:00 JOB/0043 traceback"])

    # -- following the log -------------------------------------------------------

    def test_following_shows_each_line_at_once(self):
        """A line added to the log is shown within a second, with Debian's default awk (mawk, which reads
        a pipe in blocks unless told otherwise) and with the other awks that are installed."""
        self.assertTrue(os.access(MAWK, os.X_OK),
                        f"{MAWK} is missing: install Debian's default awk (apt-get install mawk)")
        awks = [MAWK] + [awk for awk in ("gawk", "busybox awk", "original-awk") if shutil.which(awk.split()[0])]
        start = next(line for line in FAILING_LOG.splitlines() if " event=start " in line)
        added = {job: start.replace("JOB/0042", job) for job in ("JOB/0050", "JOB/0051")}
        for awk in awks:
            for script in (SIMPLE, DETAILED):
                with self.subTest(awk=awk, script=script.name):
                    log = self.write_log("followed.log", start + "\n")
                    # -n 1 shows the line already there: once it is out, tail has the log open
                    with self.following(script, log, "-n", "1", awk=awk) as next_line:
                        self.assertIn(" JOB/0042 start ", next_line(10) or "")
                        for job, line in added.items():
                            with log.open("a") as stream:
                                stream.write(line + "\n")
                            shown = next_line(1)
                            self.assertIsNotNone(shown, f"nothing shown within a second of:\n{line}")
                            self.assertIn(f" {job} start ", shown)

    # -- times --------------------------------------------------------------------

    def test_times_in_bangkok_by_default(self):
        """Odoo logs in UTC; the monitors show Bangkok time (UTC+7), dates of events included."""
        log = self.write_log("failing.log", FAILING_LOG)
        for script in (SIMPLE, DETAILED):
            with self.subTest(script=script.name):
                done = self.run_script(script, "--once", "--no-color", str(log))
                self.assertEqual(done.returncode, 0, done.stderr)
                lines = done.stdout.splitlines()
                self.assertEqual(lines[0], '08:03:39 JOB/0042 start account=3 warehouse=W0001 location="WH/Stock" '
                                           'source=availablestock mode=full')
                self.assertIn('08:03:40 JOB/0042 retry error="Zortout had a server error on /Product/GetProducts '
                              '(HTTP 500)" attempt=1/3 next_run_at="2026-11-28 08:08:40"', lines)
        # the same through MONITOR_TZ, and back to UTC with --tz
        done = self.run_script(SIMPLE, "--once", "--no-color", str(log), env={"MONITOR_TZ": "Asia/Tokyo"})
        self.assertTrue(done.stdout.startswith("10:03:39 JOB/0042 start "), done.stdout + done.stderr)
        done = self.run_script(SIMPLE, "--once", "--no-color", "--tz=UTC", str(log), env={"MONITOR_TZ": "Asia/Tokyo"})
        self.assertTrue(done.stdout.startswith("01:03:39 JOB/0042 start "), done.stdout + done.stderr)

    def test_times_across_midnight(self):
        """A shift that changes the day moves the dates too: end of a month, of a year, a leap day."""
        event = ("{} 5697 WARNING shop odoo.addons.otd_marketplace_stock.models.marketplace_job: zortout-sync "
                 'job=JOB/0007 account=3 event=retry error="HTTP 500" attempt=1/3 next_run_at="{}" \n')
        log = self.write_log("midnight.log", event.format("2026-12-31 20:15:00,000", "2026-12-31 23:59:59")
                                             + event.format("2028-03-01 02:00:00,000", "2028-03-01 00:30:00"))
        self.assertEqual(self.read_log(SIMPLE, log, tz="Asia/Bangkok"), [
            '03:15:00 JOB/0007 retry error="HTTP 500" attempt=1/3 next_run_at="2027-01-01 06:59:59"',
            '09:00:00 JOB/0007 retry error="HTTP 500" attempt=1/3 next_run_at="2028-03-01 07:30:00"',
        ])
        # west of UTC (Etc/GMT+5 is UTC-5): back to the day before, 29 February in a leap year
        self.assertEqual(self.read_log(SIMPLE, log, tz="Etc/GMT+5"), [
            '15:15:00 JOB/0007 retry error="HTTP 500" attempt=1/3 next_run_at="2026-12-31 18:59:59"',
            '21:00:00 JOB/0007 retry error="HTTP 500" attempt=1/3 next_run_at="2028-02-29 19:30:00"',
        ])

    def test_unknown_time_zone(self):
        log = self.write_log("failing.log", FAILING_LOG)
        for script in (SIMPLE, DETAILED):
            with self.subTest(script=script.name):
                done = self.run_script(script, "--once", "--tz", "Mars/Olympus_Mons", str(log))
                self.assertEqual(done.returncode, 2)
                self.assertIn("unknown time zone 'Mars/Olympus_Mons'", done.stderr)
                self.assertEqual(done.stdout, "")

    def header(self, script, *args, env=None):
        """The first line ``script`` writes on its standard error when that is a terminal."""
        environment = self.monitor_env(env)
        main, terminal = pty.openpty()
        process = subprocess.Popen(["bash", str(script), "--no-color", *args], env=environment,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=terminal,
                                   start_new_session=True)
        os.close(terminal)
        text = b""
        deadline = time.monotonic() + 10
        try:
            while b"\n" not in text and time.monotonic() < deadline:
                if select.select([main], [], [], deadline - time.monotonic())[0]:
                    try:
                        text += os.read(main, 4096)
                    except OSError:  # EIO: the script ended and closed the terminal
                        break
        finally:
            self.stop(process)
            os.close(main)
        return text.decode().split("\r\n")[0].split("\n")[0]

    def test_header_names_the_time_zone(self):
        log = self.write_log("failing.log", FAILING_LOG)
        self.assertEqual(self.header(SIMPLE, "--once", str(log)),
                         f"Reading {log} (given as argument); times in Asia/Bangkok (UTC+07:00).")
        self.assertEqual(self.header(DETAILED, "--tz", "Etc/GMT+5", str(log)),
                         f"Following {log} (given as argument); times in Etc/GMT+5 (UTC-05:00); Ctrl+C to stop.")

    # -- the jobs table of make run's database ---------------------------------------

    def fake_psql(self):
        """A folder with a stand-in psql that prints how it was called, for PATH."""
        folder = self.tmp / "fake_bin"
        folder.mkdir(exist_ok=True)
        psql = folder / "psql"
        psql.write_text(textwrap.dedent("""\
            #!/bin/sh
            # stands for psql in a test: prints the connection it was given
            while [ $# -gt 0 ]; do
                case "$1" in
                    -h|-p|-U|-d) printf '%s=%s\\n' "$1" "$2"; shift 2 ;;
                    *) shift ;;
                esac
            done
            """))
        psql.chmod(0o755)
        return f"{folder}{os.pathsep}{os.environ['PATH']}"

    def devenv(self, data_dir):
        """scripts/devenv.py as a module, its data folder set to ``data_dir``: the truth to compare with."""
        spec = importlib.util.spec_from_file_location("otd_devenv_for_test", DEVENV)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.LOCAL = Path(data_dir).resolve()
        return module

    def table_connection(self, *args, env=None):
        """The connection the detailed monitor gave psql for its jobs table; {} when it showed none."""
        log = self.write_log("failing.log", FAILING_LOG)
        done = self.run_script(DETAILED, "--once", "--no-color", *args, str(log),
                               env={"PATH": self.fake_psql(), **(env or {})})
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stderr, "")
        lines = done.stdout.splitlines()
        if not any(line.startswith("-- latest jobs in database ") for line in lines):
            return {}
        return dict(line.split("=", 1) for line in lines if re.match(r"-[hpUd]=", line))

    def test_jobs_table_of_make_run(self):
        """Without a database option, the table is read from make run's database on the cluster that
        scripts/devenv.py set up in its data folder (its socket folder, port and role)."""
        for name in ("data dir", "ข้อมูล ทดสอบ" * 4):  # the second makes the socket path too long
            with self.subTest(data_dir=name):
                data = self.tmp / name
                (data / "pg").mkdir(parents=True, exist_ok=True)
                (data / "pg" / "port").write_text("54321\n")
                devenv = self.devenv(data)
                socket = devenv.socket_dir(devenv.cluster_dir(None))
                self.assertEqual(socket == data / "pg" / "run", name == "data dir")
                wanted = {"-d": "otd_marketplace", "-h": str(socket), "-p": "54321", "-U": devenv.PG_ROLE}
                self.assertEqual(self.table_connection(env={"OTD_DATA_DIR": str(data)}), wanted)
                self.assertEqual(self.table_connection(env={"OTD_DATA_DIR": str(data), "OTD_DB": "shop"}),
                                 dict(wanted, **{"-d": "shop"}))
                # asked for no table, or for another database or server: not make run's
                self.assertEqual(self.table_connection("--no-table", env={"OTD_DATA_DIR": str(data)}), {})
                self.assertEqual(self.table_connection("-d", "prod", env={"OTD_DATA_DIR": str(data)}), {"-d": "prod"})
                self.assertEqual(self.table_connection("--db-host", "db.example", env={"OTD_DATA_DIR": str(data)}), {})
        # make run on a server given by PGHOST: that server, once make run has written its log
        data = self.tmp / "data on a server"
        env = {"OTD_DATA_DIR": str(data), "PGHOST": "/var/run/postgresql"}
        self.assertEqual(self.table_connection(env=env), {})
        (data / "logs").mkdir(parents=True)
        (data / "logs" / "odoo.log").write_text("")
        self.assertEqual(self.table_connection(env=env), {"-d": "otd_marketplace", "-h": "/var/run/postgresql"})
        # no set-up at all: no table
        self.assertEqual(self.table_connection(), {})

    def test_jobs_table_of_this_test_run(self):
        """The detailed monitor finds the PostgreSQL server devenv.py started for this very test run by
        itself, and reads the jobs table of this test database (named by OTD_DB) with the real psql.
        On a server given by PGHOST (no private cluster to find) it is named with the --db options."""
        self.assertTrue(shutil.which("psql"), "the jobs table needs psql, PostgreSQL's client: install it")
        log = self.write_log("failing.log", FAILING_LOG)
        database = self.env.cr.dbname
        if os.path.isdir(config.get("db_host") or ""):
            # the data folder of this run, as devenv.py was given it
            options, env = (), {"OTD_DATA_DIR": os.environ.get("OTD_DATA_DIR"), "OTD_DB": database}
        else:
            options = ["-d", database]
            for option in ("host", "port", "user"):
                if config.get(f"db_{option}"):
                    options += [f"--db-{option}", str(config[f"db_{option}"])]
            env = {"PGPASSWORD": config.get("db_password") or ""}
        done = self.run_script(DETAILED, "--once", "--no-color", *options, str(log), env=env)
        self.assertEqual(done.returncode, 0, done.stderr)
        lines = done.stdout.splitlines()
        header = next((i for i, line in enumerate(lines) if line.startswith("-- latest jobs in database ")), None)
        self.assertIsNotNone(header, done.stdout)
        self.assertRegex(lines[header], rf"^-- latest jobs in database {re.escape(database)} at \d\d:\d\d:\d\d --$")
        self.assertRegex(lines[header + 1], r"^ *job *\| *account *\| *state *\| *attempts *\|", done.stdout)

    # -- choosing the log -------------------------------------------------------

    def test_missing_log(self):
        missing = self.tmp / "no such dir" / "odoo.log"
        for script in (SIMPLE, DETAILED):
            with self.subTest(script=script.name):
                done = self.run_script(script, "--once", "--no-color", str(missing))
                self.assertEqual(done.returncode, 2)
                self.assertIn(str(missing), done.stderr)
                self.assertIn("does not exist", done.stderr)
                self.assertIn("-c", done.stderr)
                self.assertEqual(done.stdout, "")

    def test_unreadable_log(self):
        if os.geteuid() == 0:
            # root reads any file: a directory stands for an unreadable log
            target = self.tmp / "a_directory"
            target.mkdir(exist_ok=True)
        else:
            target = self.write_log("secret.log", FAILING_LOG)
            target.chmod(0)
        done = self.run_script(SIMPLE, "--once", str(target))
        self.assertEqual(done.returncode, 2)
        self.assertIn(str(target), done.stderr)

    def test_log_from_the_odoo_config_file(self):
        log = self.write_log("from_config.log", FAILING_LOG)
        config = self.write_log("odoo.conf", f"[options]\ndb_name = shop\nlogfile = {log}\n")
        for how in (["-c", str(config)], ["--config", str(config)]):
            with self.subTest(how=how):
                done = self.run_script(SIMPLE, "--once", "--no-color", *how)
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertIn("JOB/0042 failed", done.stdout)
        done = self.run_script(SIMPLE, "--once", "--no-color", env={"ODOO_RC": str(config)})
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("JOB/0042 failed", done.stdout)
        # a config file without logfile: Odoo logs to stderr, the message says what to do
        bare = self.write_log("bare.conf", "[options]\nlogfile = False\n")
        done = self.run_script(SIMPLE, "--once", "-c", str(bare))
        self.assertEqual(done.returncode, 2)
        self.assertIn(str(bare), done.stderr)
        done = self.run_script(SIMPLE, "--once", "-c", str(self.tmp / "absent.conf"))
        self.assertEqual(done.returncode, 2)
        self.assertIn("absent.conf", done.stderr)

    def test_standard_input(self):
        done = subprocess.run(["bash", str(SIMPLE), "--once", "--no-color", "-"], input=FAILING_LOG,
                              capture_output=True, text=True, timeout=60, check=False)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("JOB/0042 failed", done.stdout)

    def test_help(self):
        for script in (SIMPLE, DETAILED):
            with self.subTest(script=script.name):
                for option in ("-h", "--help"):
                    done = self.run_script(script, option)
                    self.assertEqual(done.returncode, 0)
                    self.assertIn("Usage:", done.stdout)
                    self.assertIn("--once", done.stdout)
                    self.assertIn("--log-handler odoo.addons.otd_marketplace_stock:DEBUG", done.stdout)
                    self.assertIn("Examples:", done.stdout)
        self.assertIn("--interval", self.run_script(DETAILED, "--help").stdout)

    def test_wrong_option(self):
        for script in (SIMPLE, DETAILED):
            with self.subTest(script=script.name):
                done = self.run_script(script, "--bogus")
                self.assertEqual(done.returncode, 2)
                self.assertIn("--bogus", done.stderr)
        done = self.run_script(SIMPLE, "-d", "shop")
        self.assertEqual(done.returncode, 2, "the table is the detailed script's")
        done = self.run_script(DETAILED, "--interval", "soon")
        self.assertEqual(done.returncode, 2)

    def test_scripts_are_executable(self):
        for script in (SIMPLE, DETAILED):
            self.assertTrue(os.access(script, os.X_OK), f"{script.name} is not executable")
