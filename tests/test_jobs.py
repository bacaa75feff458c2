import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.otd_marketplace_stock.services.joblog import format_value
from odoo.addons.otd_marketplace_stock.zortout_sandbox.catalogue import Catalogue

from .common import MarketplaceCase, held_by_a_live_runner
from .sandbox_case import PRODUCTS

# the payload exactly as the Thai user guide shows it, notes included
GUIDE_PAYLOAD = """{
  "warehouse_code": "ODS001",  // Optional: Warehouse code (ถ้าไม่ระบุจะ sync จากทุก warehouse)
  "sku_list": []  // Optional: SKU list (ถ้าไม่ระบุจะ sync ทั้งหมด)
}"""


@tagged("post_install", "-at_install")
class TestJobs(MarketplaceCase):
    def run_due(self):
        """The runner cron's claim/run/record loop, without its commits (the test cursor forbids them)."""
        return self.env["marketplace.job"]._run_due_jobs(commit=False)

    def assertBackoff(self, job, before, seconds):
        after = fields.Datetime.now()
        self.assertGreaterEqual(job.next_run_at, before + timedelta(seconds=seconds))
        self.assertLessEqual(job.next_run_at, after + timedelta(seconds=seconds))

    def test_hand_made_job_as_the_user_guide_says(self):
        """Jobs > New: Name, Job Type, Account, Payload, State Pending, Next Run At now, Save, Run Now."""
        job = self.env["marketplace.job"].with_user(self.user).create({
            "name": "Sync Stock from Zortout",
            "job_type": "sync_stock_from_zortout",
            "account_id": self.account.id,
            "payload": GUIDE_PAYLOAD,
            "state": "pending",
            "next_run_at": fields.Datetime.now(),
        })
        self.assertRegex(job.reference, r"^JOB/\d{4,}$")
        job.action_run_now()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(job.attempts, 1)
        self.assertTrue(job.started_at and job.finished_at)
        result = self.result(job)
        self.assertEqual(result["warehouse_code"], "ODS001")
        self.assertEqual(self.on_hand(self.products["DEMO-SOCKS"]), 118)
        for key in ("fetched", "matched", "updated", "unchanged", "skipped", "negative_clamped", "warehouse_code",
                    "location", "api_calls", "duration_s", "samples"):
            self.assertIn(key, result)
        self.assertEqual(result["location"], self.stock.complete_name)
        self.assertGreaterEqual(result["api_calls"], 2)
        self.assertIn("<table", job.result_summary)

    def test_name_defaults_to_the_guide_step(self):
        job = self.env["marketplace.job"].create({"account_id": self.account.id})
        self.assertEqual(job.name, "Sync Stock from Zortout")
        self.assertEqual(job.job_type, "sync_stock_from_zortout")
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.max_attempts, 5)

    def test_payload_validation_names_the_problem(self):
        cases = {
            "{not json": "not valid JSON",
            "[1, 2]": "must be a JSON object",
            '{"warehouse": "W0001"}': "unknown keys: warehouse",
            '{"warehouse_code": 12}': "warehouse_code must be a string",
            '{"warehouse_code": "W 01"}': "must not contain spaces",
            '{"warehouse_code": "%s"}' % ("W" * 31): "longer than 30",
            '{"sku_list": "A,B"}': "sku_list must be a list",
            '{"sku_list": ["A", 3]}': "item 2 is not a string",
            json.dumps({"sku_list": [f"S{i}" for i in range(10001)]}): "at most 10000",
            '{"force": "yes"}': "force must be true or false",
        }
        for payload, message in cases.items():
            with self.subTest(payload=payload[:40]), self.assertRaisesRegex(ValidationError, message):
                self.new_job(payload)
        job = self.new_job({"warehouse_code": "  ", "sku_list": [], "force": False})
        with self.assertRaisesRegex(ValidationError, "unknown keys: secret"):
            job.payload = '{"secret": 1}'

    def test_runner_runs_due_jobs_in_order_and_leaves_future_ones(self):
        later = self.new_job(next_run_at=fields.Datetime.now() + timedelta(hours=1))
        second = self.new_job({"sku_list": ["DEMO-PEN"]}, next_run_at=fields.Datetime.now() - timedelta(minutes=1))
        first = self.new_job({"sku_list": ["DEMO-MUG"]}, next_run_at=fields.Datetime.now() - timedelta(minutes=5))
        ran = self.run_due()
        self.assertEqual(ran.ids, [first.id, second.id])
        self.assertEqual((first.state, second.state, later.state), ("done", "done", "pending"))
        self.assertEqual(self.on_hand(self.products["DEMO-PEN"]), self.zortout_quantity("DEMO-PEN"))

    def test_claim_marks_running_before_any_http_call(self):
        job = self.new_job()
        claimed = self.env["marketplace.job"]._claim_next_job()
        self.assertEqual(claimed, job)
        self.assertEqual((job.state, job.attempts), ("running", 1))
        self.assertTrue(job.started_at)
        self.assertFalse(self.sandbox.requests, "nothing was asked of Zortout yet")
        self.assertFalse(self.env["marketplace.job"]._claim_next_job(), "a running job is not claimed twice")
        with self.assertRaisesRegex(UserError, "already running"):
            job.action_run_now()

    def test_scheduled_pull(self):
        """Pull Interval: the scheduler queues one sync per elapsed account, the runner runs it."""
        Job = self.env["marketplace.job"]
        self.account.pull_interval = 15
        queued = self.env["marketplace.account"]._cron_schedule_pulls()
        self.assertEqual(queued.account_id, self.account)
        self.assertEqual(queued.state, "pending")
        self.assertEqual(len(self.env["ir.cron.trigger"].search(
            [("cron_id", "in", self.env["marketplace.job"]._runner_crons().ids)])), 1, "one runner woken")
        self.assertFalse(self.env["marketplace.account"]._cron_schedule_pulls(), "no duplicate while pending")
        self.assertEqual(self.run_due(), queued)
        self.assertEqual(queued.state, "done", queued.error)
        self.assertEqual(self.on_hand(self.products["DEMO-MUG"]), self.zortout_quantity("DEMO-MUG"))
        self.assertFalse(self.env["marketplace.account"]._cron_schedule_pulls(), "the interval has not elapsed")
        # 20 minutes later
        past = fields.Datetime.now() - timedelta(minutes=20)
        self.account.sudo().last_sync_at = past
        self.env.cr.execute("UPDATE marketplace_job SET create_date = %s WHERE id = %s", [past, queued.id])
        Job.invalidate_model(["create_date"])
        again = self.env["marketplace.account"]._cron_schedule_pulls()
        self.assertEqual(len(again), 1)
        self.assertNotEqual(again, queued)
        self.account.pull_interval = 0
        again.action_cancel()
        self.assertFalse(self.env["marketplace.account"]._cron_schedule_pulls(), "0 = no automatic pull")

    def test_queued_jobs_spread_over_the_runners(self):
        """Each runner is a scheduled action of its own, so that two cron workers pull two accounts at once."""
        runners = self.env["marketplace.job"]._runner_crons()
        self.assertEqual(len(runners), 2)
        self.env["ir.cron.trigger"].search([("cron_id", "in", runners.ids)]).unlink()
        self.new_job(), self.new_job()
        woken = self.env["ir.cron.trigger"].search([("cron_id", "in", runners.ids)]).cron_id
        self.assertEqual(woken, runners, "two queued jobs wake both runners")

    def test_cron_queued_job_and_button_do_not_duplicate(self):
        self.account.pull_interval = 5
        queued = self.env["marketplace.account"]._cron_schedule_pulls()
        action = self.account.with_user(self.user).action_pull_stock()
        self.assertEqual(action["res_id"], queued.id)
        self.assertEqual(self.env["marketplace.job"].search_count([("account_id", "=", self.account.id)]), 1)

    def test_transient_failure_retries_with_backoff_then_fails(self):
        """5xx after the client's own retries: pending again in 60 s, then 120 s, ... failed at max_attempts."""
        job = self.new_job(max_attempts=3)
        self.sandbox.faults.add(PRODUCTS, "http_500", times=1000)
        with self.expect_failure_logs() as logs:
            before = fields.Datetime.now()
            job.action_run_now()
            self.assertEqual((job.state, job.attempts), ("pending", 1))
            self.assertIn("HTTP 500", job.error)
            self.assertBackoff(job, before, 60)
            self.assertFalse(self.run_due(), "not due before its backoff")
            job.next_run_at = fields.Datetime.now() - timedelta(seconds=1)
            before = fields.Datetime.now()
            self.assertEqual(self.run_due(), job)
            self.assertEqual((job.state, job.attempts), ("pending", 2))
            self.assertBackoff(job, before, 120)
            job.next_run_at = fields.Datetime.now() - timedelta(seconds=1)
            self.run_due()
        self.assertEqual((job.state, job.attempts), ("failed", 3))
        self.assertEqual(self.account.last_sync_state, "failed")
        retry_lines = [line for line in logs.output if "event=retry" in line]
        self.assertEqual(len(retry_lines), 2)
        self.assertRegex(retry_lines[0], rf"zortout-sync job={job.reference} account={self.account.id} "
                                         r'event=retry error="[^"]*HTTP 500[^"]*" attempt=1/3 next_run_at="')
        self.assertTrue(any("event=failed" in line and "attempt=3/3" in line for line in logs.output))

    def test_permanent_failure_fails_at_once(self):
        self.account.api_secret = "not-the-secret"
        with self.expect_failure_logs() as logs:
            job = self.run_job()
        self.assertEqual((job.state, job.attempts), ("failed", 1))
        self.assertIn("rejected the credentials", job.error)
        self.assertNotIn("not-the-secret", job.error)
        self.assertFalse(any("not-the-secret" in line for line in logs.output))
        self.run_due()
        self.assertEqual(job.state, "failed", "a failed job is not picked up again by the runner")

    def test_incomplete_sweep_writes_nothing(self):
        """A failure at a middle page (beyond the client's retries) or a short page applies nothing."""
        self.use_catalogue(Catalogue.generate(1200))
        first, last = self.make_product("GEN-000001"), self.make_product("GEN-001200")
        for kind in ("http_500", "short_page"):
            with self.subTest(kind=kind):
                self.sandbox.faults.clear()
                self.sandbox.faults.add(PRODUCTS, kind, page=2, times=100)
                with self.expect_failure_logs():
                    job = self.run_job()
                self.assertEqual(job.state, "pending", "an incomplete sweep is transient")
                self.assertIn("page 2", job.error)
                self.assertEqual((self.on_hand(first), self.on_hand(last)), (0, 0))
                self.assertFalse(self.inventory_moves(job))
                job.action_cancel()
        self.sandbox.faults.clear()
        job = self.run_job()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.result(job)["fetched"], 1200)
        self.assertEqual(self.on_hand(last), self.zortout_quantity("GEN-001200"))

    def test_stale_running_job_is_put_back(self):
        self.env["ir.config_parameter"].sudo().set_param("otd_marketplace_stock.job_running_timeout_minutes", 30)
        stale = self.new_job()
        stale.sudo().write({"state": "running", "attempts": 1,
                            "started_at": fields.Datetime.now() - timedelta(minutes=31)})
        fresh = self.new_job(account_id=self.account.copy({"name": "Other"}).id)
        fresh.sudo().write({"state": "running", "attempts": 1,
                            "started_at": fields.Datetime.now() - timedelta(minutes=5)})
        # both runners are alive (they hold their jobs' run locks): only the time limit takes one back
        with held_by_a_live_runner(self.env, fresh):
            with held_by_a_live_runner(self.env, stale), \
                    self.assertLogs("odoo.addons.otd_marketplace_stock", level="WARNING") as logs:
                recovered = self.env["marketplace.job"]._recover_stale_jobs()
            self.assertEqual(recovered, stale)
            self.assertEqual((stale.state, fresh.state), ("pending", "running"))
            self.assertIn("still running after 30 minutes", stale.error)
            self.assertIn(f"job={stale.reference} account={self.account.id} event=stale", logs.output[0])
            self.assertEqual(self.run_due(), stale)
        self.assertEqual((stale.state, stale.attempts), ("done", 2), "the lost run counted as one attempt")

    def test_stale_job_at_max_attempts_fails(self):
        job = self.new_job(max_attempts=2)
        job.sudo().write({"state": "running", "attempts": 2,
                          "started_at": fields.Datetime.now() - timedelta(hours=2)})
        with self.assertLogs("odoo.addons.otd_marketplace_stock", level="WARNING"):
            self.env["marketplace.job"]._recover_stale_jobs()
        self.assertEqual(job.state, "failed")

    def test_cleanup_removes_old_finished_jobs(self):
        self.env["ir.config_parameter"].sudo().set_param("otd_marketplace_stock.job_keep_days", 30)
        old = fields.Datetime.now() - timedelta(days=31)
        old_done, old_cancelled, old_failed, recent_done = (self.new_job() for _i in range(4))
        old_done.sudo().write({"state": "done", "finished_at": old})
        old_cancelled.sudo().write({"state": "cancelled", "finished_at": old})
        old_failed.sudo().write({"state": "failed", "finished_at": old})
        recent_done.sudo().write({"state": "done", "finished_at": fields.Datetime.now()})
        self.run_due()
        self.assertFalse(old_done.exists() or old_cancelled.exists())
        self.assertFalse(old_failed.exists(), "a failed job is read within the keep period, then it goes too")
        self.assertTrue(recent_done.exists())

    def test_a_done_pull_drops_its_pages_a_preview_keeps_them_while_they_can_be_applied(self):
        pull, preview = self.run_job(), self.run_job({"dry_run": True})
        self.assertEqual((pull.state, preview.state), ("done", "done"))
        self.assertFalse(pull.sudo().page_ids, "a done pull never reads its pages again")
        self.assertTrue(preview.sudo().page_ids, "Apply This Preview needs them")
        self.run_due()
        self.assertTrue(preview.sudo().page_ids)
        preview.sudo().finished_at = fields.Datetime.now() - timedelta(minutes=16)
        self.run_due()
        self.assertFalse(preview.sudo().page_ids, "too old to apply: gone")

    def test_the_jobs_of_an_archived_account_are_cancelled_not_run(self):
        job = self.new_job()
        self.account.active = False
        with self.assertLogs("odoo.addons.otd_marketplace_stock", level="WARNING"):
            ran = self.run_due()
        self.assertFalse(ran)
        self.assertEqual(job.state, "cancelled")
        self.assertIn("is archived", job.error)

    def test_run_now_cancel_and_retry(self):
        job = self.new_job()
        job.with_user(self.user).action_cancel()
        self.assertEqual(job.state, "cancelled")
        with self.assertRaisesRegex(UserError, "Only pending or failed"):
            job.action_run_now()
        job.with_user(self.user).action_retry()
        self.assertEqual((job.state, job.attempts), ("pending", 0))
        job.with_user(self.user).action_run_now()
        self.assertEqual(job.state, "done")
        with self.assertRaisesRegex(UserError, "Only pending or failed"):
            job.action_run_now()
        with self.assertRaisesRegex(UserError, "Only pending or failed"):
            job.action_cancel()

    def test_log_lines_follow_the_monitor_format(self):
        with self.assertLogs("odoo.addons.otd_marketplace_stock", level="DEBUG") as logs:
            job = self.run_job({"sku_list": ["DEMO-MUG", "DEMO-NOT-IN-ODOO"]})
        prefix = f"zortout-sync job={job.reference} account={self.account.id} "
        events = [line.split(" event=")[1].split(" ")[0] for line in logs.output if prefix in line]
        self.assertEqual([e for e in events if e not in ("decision", "http", "page", "applied_pages")],
                         ["start", "fetched", "applied", "done"])
        text = "\n".join(logs.output)
        self.assertIn(f"{prefix}event=start warehouse=- location={format_value(self.stock.complete_name)} "
                      "source=store_wide mode=sku_list", text)
        self.assertRegex(text, r"event=fetched rows=2 api_calls=\d+ retries=0 ms=\d+")
        self.assertRegex(text, r"event=decision sku=DEMO-MUG decision=updated from=0 to=197")
        self.assertRegex(text, r"event=decision sku=DEMO-NOT-IN-ODOO decision=not_in_odoo")
        self.assertRegex(text, r"event=done fetched=2 matched=1 updated=1 unchanged=0 skipped=1 duration_s=")
        self.assertRegex(text, rf"DEBUG:odoo\.addons\.otd_marketplace_stock\.zortout:{prefix}event=http "
                               r'detail="Zortout GET /Product/GetProducts\?page=1&limit=500 -> 200 in \d+ ms')
        self.assertNotIn(self.sandbox.api_secret, text)
        self.assertNotIn(self.sandbox.api_key, text)
