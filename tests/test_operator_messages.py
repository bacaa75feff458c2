"""What a Thai operator reads: a job failed by the runner speaks the reader's language,
times are in the reader's time zone, technical text is folded away, and Run Now on a
job that moved on says so instead of running it again."""

import html

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import MarketplaceCase
from .sandbox_case import PRODUCTS
from .thai import load_thai


@tagged("post_install", "-at_install")
class TestOperatorMessages(MarketplaceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.thai_user = new_test_user(cls.env, "thai_operator", name="Thai Operator", tz="Asia/Bangkok",
                                      groups="otd_marketplace_stock.group_marketplace_user")
        load_thai(cls.env, cls.thai_user)

    def as_thai(self, job):
        return job.with_user(self.thai_user).with_context(lang="th_TH", tz="Asia/Bangkok")

    def test_a_job_failed_by_the_runner_reads_in_the_readers_language(self):
        self.account.zortout_warehouse_code = "NOPE1"
        job = self.new_job()
        with self.expect_failure_logs():
            self.env["marketplace.job"]._run_due_jobs(commit=False)
        self.assertEqual(job.state, "failed")
        self.assertIn('Zortout has no warehouse with the code "NOPE1"', job.error, "English for the log")
        thai = html.unescape(str(self.as_thai(job).error_html))
        self.assertIn('Zortout ไม่มีคลังที่มีรหัส "NOPE1"', thai)
        self.assertNotIn("has no warehouse", thai.partition("<details>")[0])
        self.assertIn("W0001", thai, "the valid codes are listed")

    def test_the_next_try_is_in_the_readers_time_zone_and_details_are_folded(self):
        self.sandbox.faults.add(PRODUCTS, "http_500", times=100)
        job = self.new_job()
        with self.expect_failure_logs():
            self.env["marketplace.job"]._run_due_jobs(commit=False)
        self.assertEqual(job.state, "pending")
        thai = html.unescape(str(self.as_thai(job).error_html))
        bangkok_hour = (job.next_run_at.hour + 7) % 24
        self.assertIn(f"{bangkok_hour:02d}:{job.next_run_at.minute:02d}", thai)
        self.assertNotIn("UTC", thai)
        sentence, _, details = thai.partition("<details>")
        self.assertNotIn("HTTP 500", sentence, "technical text is not in the sentence")
        self.assertIn("HTTP 500", details, "but folded below it")
        self.assertIn("รายละเอียด", details)

    def test_run_now_on_a_job_the_runner_finished_says_so(self):
        job = self.new_job({"sku_list": ["DEMO-MUG"]})
        self.env["marketplace.job"]._run_due_jobs(commit=False)
        self.assertEqual(job.state, "done")
        calls = len(self.calls_to(PRODUCTS))
        with self.assertRaisesRegex(UserError, "it is now Done"):
            job.with_context(expected_state="pending").action_run_now()
        self.assertEqual(len(self.calls_to(PRODUCTS)), calls, "not run a second time")

    def test_run_now_on_a_job_the_runner_failed_meanwhile_does_not_run_it_again(self):
        self.account.zortout_warehouse_code = "NOPE1"
        job = self.new_job()
        with self.expect_failure_logs():
            self.env["marketplace.job"]._run_due_jobs(commit=False)
        self.assertEqual(job.state, "failed")
        with self.assertRaisesRegex(UserError, "it is now Failed"):
            job.with_context(expected_state="pending").action_run_now()
        self.assertEqual(job.attempts, 1)

    def test_a_job_saved_from_the_form_waits_for_run_now(self):
        Job = self.env["marketplace.job"].with_context(marketplace_job_hand_made=True)
        job = Job.create({"account_id": self.account.id, "payload": '{"sku_list": ["DEMO-MUG"]}'})
        self.env["marketplace.job"]._run_due_jobs(commit=False)
        self.assertEqual(job.state, "pending", "the runner leaves a hand-made job to its Run Now")
        job.with_context(expected_state="pending").action_run_now()
        self.assertEqual(job.state, "done", job.error)

    def test_last_sync_tells_of_the_accounts_own_pulls_only(self):
        self.run_job()
        self.assertEqual(self.account.last_sync_state, "done")
        with self.expect_failure_logs():
            trial = self.run_job({"warehouse_code": "NOPE1"})
        self.assertEqual(trial.state, "failed")
        self.assertEqual(self.account.last_sync_state, "done", "a trial with another code is not the account's pull")

    def test_the_jobs_list_reads_at_a_glance(self):
        done = self.run_job()
        result = self.result(done)
        self.assertEqual(done.outcome, f"Updated {result['updated']} · unchanged {result['unchanged']} · "
                                       f"skipped {sum(result['skipped'].values())}")
        self.assertGreaterEqual(done.duration, 0)
        with self.expect_failure_logs():
            failed = self.run_job({"warehouse_code": "NOPE1"})
        self.assertTrue(failed.outcome.startswith('Zortout has no warehouse with the code "NOPE1"'))
        described = self.env["marketplace.job"].fields_get(["attempts", "duration"], ["aggregator"])
        self.assertEqual({name: field.get("aggregator") for name, field in described.items()},
                         {"attempts": None, "duration": None}, "a grouped list adds up neither")
