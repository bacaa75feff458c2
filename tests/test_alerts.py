"""Alerts: the account's Responsible hears once of an unattended sync that stopped working,
and the next good pull closes it."""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.otd_marketplace_stock.zortout_sandbox.catalogue import Catalogue

from .common import MarketplaceCase
from .sandbox_case import PRODUCTS
from .thai import load_thai


def alerts(account, xmlid=None):
    activities = account._open_alerts()
    if xmlid:
        activities = activities.filtered(
            lambda activity: activity.activity_type_id == account.env.ref(f"otd_marketplace_stock.{xmlid}"))
    return activities


@tagged("post_install", "-at_install")
class TestAlerts(MarketplaceCase):
    def setUp(self):
        super().setUp()
        self.account.responsible_id = self.manager
        self.Job = self.env["marketplace.job"]

    def scheduled_pull(self, **values):
        """What the scheduler queues, run by the runner (nobody watches it)."""
        job = self.account._new_sync_job(next_run_at=fields.Datetime.now() - timedelta(seconds=1), **values)
        self.Job._run_due_jobs(commit=False)
        return job

    def revoke_credentials(self):
        self.account.api_secret = "revoked"

    def test_a_scheduled_pull_that_fails_for_good_tells_the_responsible_once(self):
        self.revoke_credentials()
        with self.expect_failure_logs():
            first = self.scheduled_pull(max_attempts=1)
            second = self.scheduled_pull(max_attempts=1)
        self.assertEqual((first.state, second.state), ("failed", "failed"))
        activity = alerts(self.account, "activity_sync_failed")
        self.assertEqual(len(activity), 1, "one open activity per problem, never a flood")
        self.assertEqual(activity.user_id, self.manager)
        self.assertIn("credentials", activity.note)
        self.assertIn(first.display_name, activity.note)
        self.assertTrue(self.account.in_trouble)
        self.assertIn(self.account, self.env["marketplace.account"].search([("in_trouble", "=", True)]))
        told = self.account.message_ids.filtered(lambda message: "credentials" in (message.body or ""))
        self.assertEqual(len(told), 1, "the followers read it once in the chatter")
        # fixed: the next good pull marks it done and says so
        self.account.api_secret = self.sandbox.api_secret
        good = self.scheduled_pull()
        self.assertEqual(good.state, "done", good.error)
        self.assertFalse(alerts(self.account))
        self.assertFalse(self.account.in_trouble)
        self.assertTrue(self.account.message_ids.filtered(lambda message: "works again" in (message.body or "")),
                        "the chatter says the problem is done")

    def test_a_pull_in_the_browser_shows_its_failure_and_raises_no_alert(self):
        self.revoke_credentials()
        with self.expect_failure_logs():
            job = self.run_job()
        self.assertEqual(job.state, "failed")
        self.assertFalse(alerts(self.account))

    def test_a_spent_quota_is_told(self):
        self.sandbox.faults.add(PRODUCTS, "quota_no_data")
        with self.expect_failure_logs():
            job = self.scheduled_pull()
        self.assertEqual(job.state, "pending", "waits for midnight")
        self.assertEqual(len(alerts(self.account, "activity_quota")), 1)

    def test_no_good_full_pull_for_three_intervals_is_told(self):
        self.account.write({"pull_interval": 5})
        self.account.sudo().last_good_pull_at = fields.Datetime.now() - timedelta(minutes=14)
        self.env["marketplace.account"]._check_pulls_keep_coming()
        self.assertFalse(alerts(self.account))
        self.account.sudo().last_good_pull_at = fields.Datetime.now() - timedelta(minutes=16)
        self.env["marketplace.account"]._check_pulls_keep_coming()
        self.env["marketplace.account"]._check_pulls_keep_coming()
        self.assertEqual(len(alerts(self.account, "activity_no_full_pull")), 1)

    def test_the_zero_guard_refusing_an_unattended_pull_is_told(self):
        self.use_catalogue(Catalogue.generate(30))
        for index in range(1, 31):
            product = self.make_product(f"GEN-{index:06d}")
            self.set_on_hand(product, 10)
        catalogue = self.sandbox.catalogue
        for item in catalogue.products:  # Zortout says zero everywhere: a wrong source, not a sell-out
            for code in catalogue.warehouse_codes():
                catalogue.set_stock(item["sku"], code, 0, 0)
        with self.expect_failure_logs():
            job = self.scheduled_pull(max_attempts=1)
        self.assertEqual(job.state, "failed")
        self.assertEqual(len(alerts(self.account, "activity_zero_guard")), 1)


@tagged("post_install", "-at_install")
class TestAlertTour(MarketplaceCase, HttpCase):
    def test_the_activity_of_a_failed_scheduled_pull_in_thai(self):
        admin = self.env.ref("base.user_admin")
        load_thai(self.env, admin)
        self.account.write({"name": "Zortout Alert Tour", "responsible_id": admin.id, "api_secret": "revoked"})
        job = self.account._new_sync_job(next_run_at=fields.Datetime.now() - timedelta(seconds=1), max_attempts=1)
        with self.expect_failure_logs():
            self.env["marketplace.job"]._run_due_jobs(commit=False)
        self.assertEqual(job.state, "failed")
        self.start_tour("/odoo", "otd_marketplace_stock_alert", login="admin")
