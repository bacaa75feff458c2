"""Bounded steps: no step outlasts the time Odoo gives its run.

Odoo kills a cron worker after ``limit_time_real_cron`` seconds and a request after
``limit_time_real``. A step whose Zortout calls (a hanging answer, retries, a
Retry-After wait) would pass that limit stops cleanly before it: the job goes
back to the queue and continues from its last finished step, instead of a killed
worker leaving it Running.
"""

import time
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import config

from odoo.addons.otd_marketplace_stock.tools.time_limits import real_time_limit, step_deadline
from odoo.addons.otd_marketplace_stock.zortout_sandbox.catalogue import Catalogue

from .common import JOB_LOGGER, MarketplaceCase
from .sandbox_case import PRODUCTS

#: Odoo's real-time limit the tests give the cron worker and the request: a step must end
#: by 8 s - 5 s of margin = 3 s (tools/time_limits.py)
LIMIT = 8
WATCHED = ("GEN-000001", "GEN-000600")


@tagged("post_install", "-at_install")
class TestBoundedSteps(MarketplaceCase):
    @classmethod
    def sandbox_catalogue(cls):
        return Catalogue.generate(600)  # two pages

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.watched = {sku: cls.make_product(sku) for sku in WATCHED}
        for product in cls.watched.values():
            cls.env["stock.quant"]._update_available_quantity(product, cls.stock, 7)

    def run_runner(self, job):
        """One pass of the runner under a cron limit of LIMIT seconds; returns the seconds it took."""
        job.sudo().next_run_at = fields.Datetime.now() - timedelta(seconds=1)
        started = time.monotonic()
        with patch.dict(config.options, {"limit_time_real_cron": LIMIT}):
            self.env["marketplace.job"]._run_due_jobs(commit=False)
        return time.monotonic() - started

    def on_hands(self):
        return {sku: self.on_hand(product) for sku, product in self.watched.items()}

    def test_a_step_whose_client_waits_would_pass_the_cron_limit_is_postponed_not_killed(self):
        # page 1 takes longer to answer than the whole cron run may last (a real cron worker keeps
        # the pages it read before: tests/test_reliability_concurrency.py)
        hang = self.sandbox.faults.add(PRODUCTS, "hang", page=1, times=2, seconds=LIMIT + 2)
        job = self.new_job()
        with self.assertLogs(JOB_LOGGER, "WARNING") as logs:
            took = self.run_runner(job)
        self.assertLess(took, LIMIT - 2, "the step stopped before Odoo would have killed the worker")
        self.assertEqual((job.state, job.attempts), ("pending", 0), "back in the queue, no try lost")
        self.assertLessEqual(job.next_run_at, fields.Datetime.now(), "it goes on at once")
        self.assertIn("Zortout answered too slowly", job.error)
        self.assertIn("this costs no try", job.error)
        self.assertTrue(any("event=postponed" in line and "reason=out_of_time" in line for line in logs.output),
                        logs.output)
        self.assertEqual(self.on_hands(), dict.fromkeys(WATCHED, 7.0), "no stock written")

        # the next run meets the same slow page: a step that never fits a run costs a try, with back-off
        with self.assertLogs(JOB_LOGGER, "WARNING"):
            self.run_runner(job)
        self.assertEqual((job.state, job.attempts), ("pending", 1), job.error)
        self.assertGreaterEqual(job.next_run_at, fields.Datetime.now() + timedelta(seconds=50), "back-off")
        self.assertIn("second run in a row", job.error)
        self.assertEqual(hang.fired, 2)

        # Zortout answers in time again: the job ends done
        self.run_runner(job)
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.on_hands(), {sku: self.zortout_quantity(sku) for sku in WATCHED})

    def test_a_retry_after_longer_than_the_time_left_is_not_waited_for(self):
        self.sandbox.faults.add(PRODUCTS, "rate_limit", page=2, times=1, retry_after=20)
        job = self.new_job()
        with self.assertLogs(JOB_LOGGER, "WARNING"):
            took = self.run_runner(job)
        self.assertLess(took, 2, "Zortout's 20 s Retry-After was not slept in a run with 3 s left")
        self.assertEqual((job.state, job.attempts), ("pending", 0), job.error)
        self.assertGreaterEqual(job.next_run_at, fields.Datetime.now() + timedelta(seconds=18),
                                "the wait Zortout asked for is waited in the queue")
        self.assertIn("Zortout asked to wait 20 seconds", job.error)
        self.run_runner(job)
        self.assertEqual(job.state, "done", job.error)

    def test_pull_stock_in_a_request_stops_before_the_request_limit(self):
        self.sandbox.faults.add(PRODUCTS, "hang", page=2, times=1, seconds=LIMIT + 2)
        started = time.monotonic()
        with patch.dict(config.options, {"limit_time_real": LIMIT}), self.assertLogs(JOB_LOGGER, "WARNING"):
            action = self.account.action_pull_stock()
        self.assertLess(time.monotonic() - started, LIMIT - 2)
        job = self.env["marketplace.job"].browse(action["res_id"])
        self.assertEqual((job.state, job.attempts), ("pending", 0), "the runner goes on with it")
        self.assertEqual(self.on_hands(), dict.fromkeys(WATCHED, 7.0))

    def test_the_limits_are_odoos(self):
        with patch.dict(config.options, {"limit_time_real": 120, "limit_time_real_cron": -1}):
            self.assertEqual(real_time_limit("cron"), 120, "-1: the same as the requests'")
            self.assertEqual(real_time_limit("http"), 120)
        with patch.dict(config.options, {"limit_time_real": 120, "limit_time_real_cron": 0}):
            self.assertIsNone(real_time_limit("cron"), "0: no limit")
            self.assertIsNone(step_deadline("cron"))
        with patch.dict(config.options, {"limit_time_real": 120, "limit_time_real_cron": 90}):
            self.assertEqual(step_deadline("cron", started=1000.0), 1000.0 + 90 - 9, "10% kept free")
            self.assertEqual(step_deadline("cron", started=1000.0, limit=20), 1000.0 + 20 - 5, "at least 5 s")
