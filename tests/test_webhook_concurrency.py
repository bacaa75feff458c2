"""Deliveries at the same moment, for real: threads posting to Odoo's HTTP server,
each request in its own committed transaction, with and without runners claiming
the instant jobs meanwhile.

These tests commit: their account is removed again when the class ends.
"""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from unittest.mock import patch

import requests

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import tagged
from odoo.tests.common import BaseCase, get_db_name

from odoo.addons.otd_marketplace_stock.const import (
    INSTANT_JOB_TYPE,
    PARAM_BASE_URL,
    PARAM_WEBHOOK_WINDOW,
    WEBHOOK_ROUTE,
)
from odoo.addons.otd_marketplace_stock.zortout_sandbox.catalogue import Catalogue

from .sandbox_case import PRODUCTS, SandboxCase

KEYS = ("concurrency-key-one", "concurrency-key-two", "concurrency-key-three")
TOKEN = "concurrency-token-0123456789abcdefghijklmnopqrstuvwxyz"
SKUS = tuple(f"GEN-{number:06d}" for number in range(1, 301))


@tagged("post_install", "-at_install")
class TestWebhookConcurrency(SandboxCase, BaseCase):

    @classmethod
    def sandbox_catalogue(cls):
        return Catalogue.generate(len(SKUS))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        server = odoo.service.server.server
        if server is None or not getattr(server, "httpd", None):
            raise AssertionError("these tests post to Odoo's HTTP server, which is not running")
        cls.endpoint = f"http://127.0.0.1:{server.httpd.server_port}{WEBHOOK_ROUTE}/{TOKEN}"
        # the test runner holds the registry lock while the tests run; the HTTP threads wait for it
        # before serving a database, so it is lifted as HttpCase does (no module is loaded meanwhile)
        lifted = patch.object(Registry, "_lock", DummyRLock())
        lifted.start()
        cls.addClassCleanup(lifted.stop)
        with cls.cursor_env() as env:
            Param = env["ir.config_parameter"]
            cls.old_params = {key: Param.get_param(key) for key in (PARAM_BASE_URL, PARAM_WEBHOOK_WINDOW)}
            Param.set_param(PARAM_BASE_URL, cls.sandbox.base_url)
            cls.account_id = env["marketplace.account"].create({
                "name": "Zortout Webhook Concurrency", "store_name": cls.sandbox.store_name,
                "api_key": cls.sandbox.api_key, "api_secret": cls.sandbox.api_secret,
                "zortout_warehouse_code": "W0001",  # no Pull Interval: no scheduled pull meanwhile
                "webhook_token": TOKEN, "webhook_key1": KEYS[0], "webhook_key2": KEYS[1], "webhook_key3": KEYS[2],
                "webhook_enabled": True,
            }).id
        cls.addClassCleanup(cls.remove_data)

    @classmethod
    def remove_data(cls):
        with cls.cursor_env() as env:
            env["marketplace.job"].search([("account_id", "=", cls.account_id)]).unlink()
            env["marketplace.account"].browse(cls.account_id).unlink()
            for key, value in cls.old_params.items():
                env["ir.config_parameter"].set_param(key, value or False)

    @classmethod
    def cursor_env(cls):
        return _CommittedEnv(cls.registry)

    def setUp(self):
        super().setUp()
        with self.cursor_env() as env:
            env["marketplace.job"].search([("account_id", "=", self.account_id)]).unlink()
            env["marketplace.webhook.day"].search([("account_id", "=", self.account_id)]).unlink()

    # -- posting and reading ------------------------------------------------------

    def set_window(self, seconds):
        with self.cursor_env() as env:
            env["ir.config_parameter"].set_param(PARAM_WEBHOOK_WINDOW, str(seconds))

    def deliver_all(self, skus, threads=8):
        """Post one delivery per SKU from ``threads`` threads started together; returns
        {sku: (time sent, HTTP status)}."""
        barrier = threading.Barrier(threads)
        headers = {"Authorization": f"Basic {KEYS[0]}", "key1": KEYS[0], "key2": KEYS[1], "key3": KEYS[2],
                   "Content-Type": "application/json"}
        shares = [skus[index::threads] for index in range(threads)]

        def post(share):
            outcome = {}
            with requests.Session() as session:
                barrier.wait(timeout=30)
                for sku in share:
                    sent = time.time()
                    body = json.dumps({"id": 1, "sku": sku, "stock": "1.00", "availablestock": "1.00"})
                    response = session.post(self.endpoint, data=body, headers=headers, timeout=30)
                    outcome[sku] = (sent, response.status_code)
            return outcome

        with ThreadPoolExecutor(threads) as pool:
            results = list(pool.map(post, shares))
        return {sku: value for result in results for sku, value in result.items()}

    def jobs(self, env):
        return env["marketplace.job"].search([("account_id", "=", self.account_id),
                                              ("job_type", "=", INSTANT_JOB_TYPE)], order="id")

    # -- tests --------------------------------------------------------------------

    def test_deliveries_at_once_make_one_job_and_lose_no_sku(self):
        """Eight clients post 300 different SKUs at once, three rounds: each round ends with one pending
        job holding every SKU once, and every delivery counted."""
        self.set_window(600)
        for round_number in range(3):
            with self.subTest(round=round_number):
                with self.cursor_env() as env:
                    self.jobs(env).unlink()
                    env["marketplace.webhook.day"].search([("account_id", "=", self.account_id)]).unlink()
                outcome = self.deliver_all(list(SKUS))
                self.assertEqual({status for _sent, status in outcome.values()}, {200})
                with self.cursor_env() as env:
                    job = self.jobs(env)
                    self.assertEqual(len(job), 1, "one pending job gathers the deliveries")
                    queued = json.loads(job.payload)["sku_list"]
                    self.assertEqual(len(queued), len(SKUS), "no SKU twice")
                    self.assertEqual(set(queued), set(SKUS), "no SKU lost")
                    days = env["marketplace.webhook.day"].search([("account_id", "=", self.account_id)])
                    self.assertEqual(sum(days.mapped("accepted")), len(SKUS), "every delivery counted once")

    def test_deliveries_racing_the_runners(self):
        """Deliveries keep coming while two runners claim and run the instant jobs: every delivered SKU
        is read from Zortout again after its delivery was sent, and no job is left behind."""
        self.set_window(0)
        stop = threading.Event()
        errors = []

        def runner():
            while not stop.is_set():
                try:
                    with self.cursor_env() as env:
                        env["marketplace.job"]._run_due_jobs(commit=True, time_budget=5)
                except Exception as exc:  # noqa: BLE001 - reported by the test
                    errors.append(repr(exc))
                time.sleep(0.02)

        runners = [threading.Thread(target=runner, name=f"otd-test-runner-{number}") for number in range(2)]
        for thread in runners:
            thread.start()
        try:
            outcome = self.deliver_all(list(SKUS), threads=6)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with self.cursor_env() as env:
                    if not self.jobs(env).filtered(lambda job: job.state in ("pending", "running")):
                        break
                time.sleep(0.2)
        finally:
            stop.set()
            for thread in runners:
                thread.join(timeout=60)
        self.assertEqual(errors, [])
        self.assertEqual({status for _sent, status in outcome.values()}, {200})
        with self.cursor_env() as env:
            jobs = self.jobs(env)
            self.assertEqual(set(jobs.mapped("state")), {"done"}, jobs.mapped("error"))
            self.assertGreater(len(jobs), 1, "the runners ran jobs while deliveries came in")
        read_at = {}
        for call in self.calls_to(PRODUCTS):
            for sku in (call["headers"].get("skulist") or "").split(","):
                read_at[sku] = max(read_at.get(sku, 0.0), call["time"])
        late = [sku for sku, (sent, _status) in outcome.items() if read_at.get(sku, 0.0) < sent]
        self.assertEqual(late, [], "SKUs not read from Zortout after their delivery")


class _CommittedEnv:
    """``with _CommittedEnv(registry) as env``: a transaction of its own, committed at the end."""

    def __init__(self, registry):
        self.registry = registry
        self.cr = None

    def __enter__(self):
        self.cr = self.registry.cursor()
        return api.Environment(self.cr, SUPERUSER_ID, {"tracking_disable": True})

    def __exit__(self, exc_type, exc, traceback):
        try:
            if exc_type is None:
                # a transaction of its own, as another process would have: committed so that the others see it
                self.cr.commit()  # pylint: disable=invalid-commit
        finally:
            self.cr.close()
