"""Unattended for months: off means off, refused credentials stop instant sync until fixed."""

import logging

from odoo.tests import tagged

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
