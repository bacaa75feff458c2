"""Tests that run real Odoo processes (tests/odoo_worker.py) on committed data.

:class:`WorkerCase` points the database at the class's sandbox for the whole class
(and puts the base URL back after), gives each class a folder for its workers'
specs and logs, and starts workers the way a cron worker or a web request runs.
The data a class commits is its own to remove (``remove_data``).
"""

import json
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests.common import BaseCase, get_db_name
from odoo.tools import config

from odoo.addons.otd_marketplace_stock.const import PARAM_BASE_URL

from .sandbox_case import SandboxCase

WORKER = Path(__file__).with_name("odoo_worker.py")


class WorkerCase(SandboxCase, BaseCase):
    #: the prefix of the class's folder for its workers' files
    worker_folder_prefix = "otd-workers-"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.tmp = tempfile.TemporaryDirectory(prefix=cls.worker_folder_prefix)
        cls.addClassCleanup(cls.tmp.cleanup)
        with cls.cursor_env() as env:
            Param = env["ir.config_parameter"]
            old_base_url = Param.get_param(PARAM_BASE_URL)
            Param.set_param(PARAM_BASE_URL, cls.sandbox.base_url)
        cls.addClassCleanup(cls.restore_base_url, old_base_url)

    @classmethod
    def restore_base_url(cls, old_base_url):
        with cls.cursor_env() as env:
            env["ir.config_parameter"].set_param(PARAM_BASE_URL, old_base_url or False)

    @classmethod
    @contextmanager
    def cursor_env(cls):
        """A committed transaction of its own (as a separate request would have)."""
        with cls.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    def spawn(self, name, go_file=None, call=None, exit_after_commits=None, options=(), **spec):
        """Start a worker process; ``options`` are more Odoo command-line options, ``spec`` more
        keys of its spec (see tests/odoo_worker.py)."""
        folder = Path(self.tmp.name)
        args = ["-d", get_db_name(), "--addons-path", ",".join(config["addons_path"]),
                "--data-dir", config["data_dir"], "--log-level", "info", "--logfile", str(folder / f"{name}.log"),
                "--max-cron-threads", "0", *options]
        for option in ("db_host", "db_port", "db_user", "db_password"):
            if config[option]:
                args += [f"--{option}", str(config[option])]
        spec = {"odoo_root": str(Path(odoo.__path__[0]).parent), "args": args,
                "ready_file": str(folder / f"{name}.ready"), "go_file": go_file,
                "result_file": str(folder / f"{name}.json"), "call": call,
                "exit_after_commits": exit_after_commits, **spec}
        spec_path = folder / f"{name}.spec.json"
        spec_path.write_text(json.dumps(spec))
        output = open(folder / f"{name}.out", "w")  # noqa: SIM115 - closed by the cleanup
        self.addCleanup(output.close)
        process = subprocess.Popen([sys.executable, str(WORKER), str(spec_path)], stdout=output,
                                   stderr=subprocess.STDOUT)
        self.addCleanup(lambda: process.poll() is None and process.kill())
        process.name = name
        return process

    def worker_output(self, process):
        folder = Path(self.tmp.name)
        texts = [(folder / f"{process.name}{ext}") for ext in (".out", ".log")]
        return "\n".join(path.read_text()[-3000:] for path in texts if path.exists())

    def wait_for(self, condition, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.05)
        self.fail(f"timed out waiting for {what}")
