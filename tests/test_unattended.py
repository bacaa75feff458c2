"""Unattended for months: off means off, refused credentials stop instant sync until fixed."""

import logging
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .sandbox_case import PRODUCTS, WAREHOUSES
from .webhook_case import WEBHOOK_LOGGER, WebhookCase


@tagged("post_install", "-at_install")
class TestOffMeansOff(WebhookCase):
    def setUp(self):
        super().setUp()
        self.enable()

    def test_sync_enabled_off_answers_and_counts_deliveries_but_queues_nothing(self):
        self.account.sync_enabled = False
        with self.assertLogs(WEBHOOK_LOGGER, level=logging.INFO) as logs:
            self.assertEqual(self.deliver("DEMO-MUG").status_code, 200)
        self.assertFalse(self.instant_jobs())
        self.assertEqual(self.account.webhook_events_today, 1, "the delivery is counted")
        self.assertIn("event=webhook_ignored", logs.output[0])
        self.assertIn("reason=sync_off", logs.output[0])
        self.account.sync_enabled = True
        self.assertEqual(self.deliver("DEMO-MUG").status_code, 200)
        self.assertEqual(len(self.instant_jobs()), 1)

    def test_refused_credentials_stop_instant_jobs_until_new_ones_are_saved(self):
        self.account.api_secret = "revoked"
        with self.expect_failure_logs():
            job = self.run_job()
        self.assertEqual(job.state, "failed")
        self.assertTrue(self.account.credentials_refused)
        with self.assertLogs(WEBHOOK_LOGGER, level=logging.INFO) as logs:
            for _delivery in range(3):
                self.assertEqual(self.deliver("DEMO-MUG").status_code, 200)
        self.assertFalse(self.instant_jobs(), "no job that would fail the same way")
        self.assertIn("reason=credentials_refused", logs.output[0])
        self.account.api_secret = self.sandbox.api_secret  # fixed: worth a try again
        self.assertFalse(self.account.credentials_refused)
        self.deliver("DEMO-MUG")
        self.assertEqual(len(self.instant_jobs()), 1)

    def test_a_pull_that_works_clears_the_refusal(self):
        self.account.sudo().credentials_refused = True
        job = self.run_job()
        self.assertEqual(job.state, "done", job.error)
        self.assertFalse(self.account.credentials_refused)


@tagged("post_install", "-at_install")
class TestInstantSyncQuota(WebhookCase):
    def setUp(self):
        super().setUp()
        self.enable()

    def test_an_instant_job_reads_the_skus_without_listing_the_warehouses(self):
        pull = self.run_job()
        self.assertEqual(pull.state, "done", pull.error)
        self.assertEqual(self.account.zortout_known_codes, ",".join(self.sandbox.catalogue.warehouse_codes()))
        self.sandbox.clear_requests()
        self.deliver("DEMO-MUG")
        job = self.instant_jobs()
        self.run_runner()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.calls_to(WAREHOUSES), [], "no GetWarehouses call after a sale")
        self.assertEqual(len(self.calls_to(PRODUCTS)), 1)

    def test_a_code_zortout_no_longer_knows_is_found_out_on_its_answer(self):
        self.run_job()
        self.sandbox.catalogue.warehouses = [warehouse for warehouse in self.sandbox.catalogue.warehouses
                                             if warehouse["code"] != "W0001"]
        self.sandbox.clear_requests()
        self.deliver("DEMO-MUG")
        job = self.instant_jobs()
        with self.expect_failure_logs():
            self.run_runner()
        self.assertEqual(job.state, "failed")
        self.assertIn("W0001", job.error)
        self.assertEqual(len(self.calls_to(WAREHOUSES)), 1, "asked once the answer said the code is unknown")

    def test_the_calls_a_day_count_instant_sync_at_todays_pace(self):
        self.account.sudo().write({"last_sweep_calls": 0})
        self.assertEqual(self.account.daily_calls_estimate, 0)
        for _sale in range(3):
            self.deliver("DEMO-MUG")
            self.run_runner()
        self.account.invalidate_recordset(["daily_calls_estimate"])
        self.assertGreaterEqual(self.account.daily_calls_estimate, 3, "three instant jobs today, one warehouse")
        self.assertLessEqual(self.account.daily_calls_estimate, 3 * 24, "projected over the day at most")


@tagged("post_install", "-at_install")
class TestScheduleCountsFullPulls(WebhookCase):
    def test_a_preview_does_not_put_off_the_scheduled_pull(self):
        self.account.write({"pull_interval": 5})
        self.account.sudo().write({"last_sync_at": fields.Datetime.now() - timedelta(minutes=6)})
        preview = self.run_job({"dry_run": True})
        self.assertEqual(preview.state, "done", preview.error)
        queued = self.env["marketplace.account"]._cron_schedule_pulls()
        self.assertEqual(queued.account_id, self.account, "the interval counts from the last full pull")
        self.assertEqual(queued.origin, "scheduled")
        self.assertFalse(self.env["marketplace.account"]._cron_schedule_pulls(), "one at a time")
