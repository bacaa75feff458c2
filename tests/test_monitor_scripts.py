"""The two monitor scripts, run with bash on log files like Odoo writes them."""

import os
import shutil
import subprocess
import tempfile
import textwrap
from pathlib import Path

from odoo.tests import tagged
from odoo.tests.common import TransactionCase

ADDON_DIR = Path(__file__).resolve().parent.parent
SIMPLE = ADDON_DIR / "monitor_stock_sync.sh"
DETAILED = ADDON_DIR / "monitor_stock_sync_detailed.sh"

FAILING_LOG = textwrap.dedent("""\
    2026-11-28 01:03:38,001 5697 INFO shop werkzeug: 127.0.0.1 - - [28/Nov/2026 01:03:38] "POST /web/dataset/call_kw HTTP/1.1" 200 - 12 0.010 0.020
    2026-11-28 01:03:39,030 5697 INFO shop odoo.addons.otd_marketplace_stock.models.marketplace_job: zortout-sync job=JOB/0042 account=3 event=start warehouse=W0001 location="WH/Stock" source=availablestock mode=full 
    2026-11-28 01:03:39,100 5697 DEBUG shop odoo.addons.otd_marketplace_stock.zortout.client: Zortout GET /Product/GetProducts?warehousecode=W0001&page=1&limit=500 -> 500 in 85 ms (attempt 1) 
    2026-11-28 01:03:39,101 5697 DEBUG shop odoo.addons.otd_marketplace_stock.zortout.client: Zortout /Product/GetProducts: retry 1 in 0.50 s 
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
    """)


@tagged("post_install", "-at_install")
class TestMonitorScripts(TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not shutil.which("bash"):
            raise AssertionError("bash is needed to run the monitor scripts")
        cls.tmp = Path(tempfile.mkdtemp(prefix="otd_monitor_test_"))
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)

    # -- helpers -------------------------------------------------------------

    def run_script(self, script, *args, env=None):
        environment = dict(os.environ)
        for name in ("PGDATABASE", "NO_COLOR", "ODOO_RC"):
            environment.pop(name, None)
        environment.update(env or {})
        return subprocess.run(["bash", str(script), *args], capture_output=True, text=True, timeout=60,
                              env=environment, stdin=subprocess.DEVNULL, check=False)

    def read_log(self, script, log_path, *args):
        """What ``script --once --no-color LOG`` prints; it must succeed."""
        done = self.run_script(script, "--once", "--no-color", *args, str(log_path))
        self.assertEqual(done.returncode, 0, f"{script.name} failed:\n{done.stderr}")
        self.assertEqual(done.stderr, "")
        return done.stdout.splitlines()

    def write_log(self, name, text):
        path = self.tmp / name
        path.write_text(text)
        return path

    def lines_with(self, lines, *words):
        return [line for line in lines if all(word in line for word in words)]

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
        self.assertEqual(len(lines), failed + 5, "nothing after the traceback: the next record is not ours")
        # other loggers stay out
        self.assertNotIn("OTHER/1", text)
        self.assertNotIn("werkzeug", text)
        self.assertNotIn("Caches invalidated", text)

    def test_colours_only_when_asked_and_on_a_terminal(self):
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
        lines = self.read_log(SIMPLE, log, "-n", "6")
        self.assertEqual(len(lines), 1)
        self.assertIn("JOB/0042 failed", lines[0])

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
