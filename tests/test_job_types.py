"""A kind of job is one module and one registration: a kind registered by this test only
(never by the addon) runs through the queue like the addon's own."""

import json

from odoo.exceptions import ValidationError

from odoo.addons.otd_marketplace_stock.job_types import JobType, register, unregister

from .common import MarketplaceCase


class _Counting:
    """The work of a counting job: one number a step, kept in the job's result."""

    def __init__(self, job):
        self.job = job
        self.result = json.loads(job.result or '{"counted": 0}')
        self.goal = json.loads(job.payload or "{}").get("sku_list", [])

    @property
    def finished(self):
        return self.result["counted"] >= len(self.goal)

    def step(self):
        self.result["counted"] += 1
        self.job.sudo().result = json.dumps(self.result)


class CountingJob(JobType):
    code = "test_counting"
    label = "Count the SKUs (test)"

    def start(self, job, client):
        return _Counting(job)

    def outcome(self, job, data):
        return f"Counted {data.get('counted')}"

    def log_values(self, result):
        return {"counted": result["counted"]}


class TestJobTypes(MarketplaceCase):

    def setUp(self):
        super().setUp()
        register(CountingJob())
        self.addCleanup(unregister, CountingJob.code)

    def test_a_registered_kind_runs_through_the_queue(self):
        pulled_at = self.account.last_good_pull_at
        job = self.new_job({"sku_list": ["A", "B", "C"]}, job_type=CountingJob.code, name="Count")
        labels = dict(job._fields["job_type"]._description_selection(self.env))
        self.assertEqual(labels[CountingJob.code], "Count the SKUs (test)")
        ran = self.env["marketplace.job"]._run_due_jobs(commit=False)
        self.assertEqual(ran, job)
        self.assertEqual((job.state, job.attempts, job.error), ("done", 1, False))
        self.assertEqual(json.loads(job.result), {"counted": 3})
        self.assertEqual(job.outcome, "Counted 3")
        self.assertFalse(job.result_summary)  # the kind shows no result block
        # the queue did nothing of a stock sync's: no Last Sync, no change line, no move
        self.assertEqual(self.account.last_good_pull_at, pulled_at)
        self.assertFalse(job.line_ids)
        self.assertFalse(self.inventory_moves(job))

    def test_a_kind_no_longer_registered_is_refused(self):
        unregister(CountingJob.code)
        self.addCleanup(register, CountingJob())  # before setUp's cleanup removes it (last in, first out)
        with self.assertRaises(ValidationError):
            self.new_job(job_type=CountingJob.code)
        self.assertNotIn(CountingJob.code, self.env["marketplace.job"]._fields["job_type"].get_values(self.env))

    def test_a_queued_job_whose_kind_is_gone_fails_saying_so(self):
        job = self.new_job({"sku_list": ["A"]}, job_type=CountingJob.code, name="Count")
        unregister(CountingJob.code)
        self.addCleanup(register, CountingJob())  # before setUp's cleanup removes it (last in, first out)
        with self.expect_failure_logs():
            self.env["marketplace.job"]._run_due_jobs(commit=False)
        self.assertEqual(job.state, "failed")
        self.assertIn("test_counting is not a job type this version of the addon runs.", job.error)
