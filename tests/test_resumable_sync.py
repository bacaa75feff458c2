"""A sync in steps: it continues where it stopped, it never applies a page twice,
a count entered between plan and apply wins, and a job cannot wedge its account."""

import json
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.otd_marketplace_stock.const import PARAM_APPLY_STEP_CHANGES, PARAM_APPLY_STEP_ROWS
from odoo.addons.otd_marketplace_stock.services import sync_engine
from odoo.addons.otd_marketplace_stock.zortout_sandbox.catalogue import Catalogue

from .common import MarketplaceCase, held_by_a_live_runner
from .sandbox_case import PRODUCTS

SKUS = ("GEN-000001", "GEN-000600", "GEN-001201")  # on pages 1, 2 and 3 of a 1201-product store


@tagged("post_install", "-at_install")
class TestResumableSync(MarketplaceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gen = {sku: cls.make_product(sku) for sku in SKUS}

    def setUp(self):
        super().setUp()
        self.use_catalogue(Catalogue.generate(1201))

    def run_steps(self, job, max_runs=50):
        """Run the runner with no time to spare (one step per run) until the job is finished."""
        runs = 0
        while job.state in ("pending", "running") and runs < max_runs:
            job.next_run_at = fields.Datetime.now() - timedelta(seconds=1)  # due now, even after a failed try
            self.env["marketplace.job"]._run_due_jobs(commit=False, time_budget=0)
            runs += 1
        return runs

    def set_param(self, key, value):
        self.env["ir.config_parameter"].sudo().set_param(key, value)

    def test_a_tiny_time_budget_finishes_a_multi_page_job_across_runs(self):
        # an apply step takes pages until it holds 1,000 rows: pages 1 and 2 (500 rows each), then page 3
        self.set_param(PARAM_APPLY_STEP_ROWS, 1000)
        job = self.new_job()
        runs = self.run_steps(job)
        self.assertEqual(job.state, "done", job.error)
        # start, 3 pages, check, settle, pages 1 and 2 applied, page 3 applied, finish: one step per run
        self.assertEqual(runs, 9)
        self.assertEqual((job.pages_fetched, job.pages_total, job.skus_done, job.skus_total), (3, 3, 1201, 1201))
        self.assertEqual(job.attempts, 1, "a postponement is not a failed try")
        self.assertEqual(len(self.calls_to(PRODUCTS)), 3, "each page is read once")
        for sku, product in self.gen.items():
            self.assertEqual(self.on_hand(product), self.zortout_quantity(sku), sku)
        self.assertEqual(len(self.inventory_moves(job)), 3, "one adjustment per changed product")
        self.assertEqual(self.result(job)["fetched"], 1201)

    def apply_one_step(self, job):
        """Run the job up to its first apply step, then that step; returns the kept pages applied."""
        while job.sync_phase != "apply":
            self.run_steps(job, max_runs=1)
        self.run_steps(job, max_runs=1)
        return job.page_ids.filtered("applied").mapped("number")

    def test_an_apply_step_takes_pages_until_one_of_its_limits_is_reached(self):
        """The step's limits (system parameters, and its planning time) decide how many kept pages one
        step applies; the pages of a step are applied together, the next step goes on from the first
        one left."""
        # (rows, changes, seconds of planning) a step takes at most -> the pages its first step applies
        cases = (((10000, 500, 3.0), [1, 2, 3]), ((1000, 500, 3.0), [1, 2]), ((10000, 1, 3.0), [1]),
                 ((10000, 500, 0), [1]))
        for (rows, changes, seconds), applied_first in cases:
            with self.subTest(rows=rows, changes=changes, seconds=seconds), \
                    patch.object(sync_engine, "APPLY_STEP_PLAN_SECONDS", seconds):
                self.set_param(PARAM_APPLY_STEP_ROWS, rows)
                self.set_param(PARAM_APPLY_STEP_CHANGES, changes)
                for product in self.gen.values():  # one changed product on each page
                    self.set_on_hand(product, 1)
                job = self.new_job()
                self.assertEqual(self.apply_one_step(job), applied_first)
                self.assertEqual(job.skus_done, min(500 * len(applied_first), 1201))
                moved = self.inventory_moves(job).product_id.mapped("default_code")
                self.assertEqual(sorted(moved), [SKUS[number - 1] for number in applied_first],
                                 "a page's changes are applied with its step, the others not yet")
                self.run_steps(job)
                self.assertEqual(job.state, "done", job.error)
                self.assertEqual(len(self.inventory_moves(job)), 3, "one adjustment per changed product")
                for sku, product in self.gen.items():
                    self.assertEqual(self.on_hand(product), self.zortout_quantity(sku), sku)

    def test_a_stopped_sync_continues_from_its_last_kept_page(self):
        job = self.new_job()
        while job.pages_fetched < 2:
            self.run_steps(job, max_runs=1)
        self.assertEqual((job.state, job.sync_phase), ("pending", "fetch"))
        self.assertEqual(len(job.page_ids), 2)
        self.sandbox.clear_requests()
        self.run_steps(job)
        self.assertEqual(job.state, "done", job.error)
        pages = [request["query"].get("page") for request in self.calls_to(PRODUCTS)]
        self.assertEqual(pages, ["3"], "Zortout is not read again from page 1")
        self.assertEqual(self.on_hand(self.gen["GEN-000001"]), self.zortout_quantity("GEN-000001"))

    def test_a_sync_checked_by_an_earlier_version_checks_again(self):
        # a job stopped between check and settle by an upgrade from 19.0.1.2.0, whose check
        # step kept no zero-guard counts in the sweep notes
        job = self.new_job()
        while job.sync_phase != "settle":
            self.run_steps(job, max_runs=1)
        notes = json.loads(job.sweep_notes)
        del notes["guard"]
        job.sweep_notes = json.dumps(notes)
        self.run_steps(job, max_runs=1)
        self.assertEqual(job.sync_phase, "check", "the sweep is checked again, from its kept pages")
        self.sandbox.clear_requests()
        self.run_steps(job)
        self.assertEqual(job.state, "done", job.error)
        self.assertFalse(self.calls_to(PRODUCTS), "the kept pages are not read from Zortout again")
        for sku in SKUS:
            self.assertEqual(self.on_hand(self.gen[sku]), self.zortout_quantity(sku), sku)

    def test_a_count_entered_between_plan_and_apply_survives(self):
        product = self.gen["GEN-000600"]
        self.set_on_hand(product, 3)
        job = self.new_job()
        while job.sync_phase != "apply":
            self.run_steps(job, max_runs=1)
        # a person starts counting the product while the sync is between two steps
        quant = self.env["stock.quant"].search([("product_id", "=", product.id), ("location_id", "=", self.stock.id)])
        quant.with_context(inventory_mode=True).inventory_quantity = 40
        self.run_steps(job)
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.on_hand(product), 3, "the sync left the counted product alone")
        self.assertTrue(quant.inventory_quantity_set)
        self.assertEqual(quant.inventory_quantity, 40, "the person's count is still there to apply")
        line = job.line_ids.filtered(lambda line: line.sku == "GEN-000600")
        self.assertEqual((line.decision, line.quantity_before), ("being_counted", 3))

    def test_a_job_cannot_be_born_running(self):
        job = self.new_job(state="running")
        self.assertEqual(job.state, "pending")

    def test_a_running_job_without_start_time_is_taken_back(self):
        job = self.new_job({"sku_list": ["GEN-000001"]})
        job.sudo().write({"state": "running", "started_at": False, "attempts": 1})
        with held_by_a_live_runner(self.env, job), self.expect_failure_logs() as logs:
            self.env["marketplace.job"]._recover_stale_jobs()
        self.assertTrue(any("event=stale" in line for line in logs.output))
        self.assertEqual(job.state, "pending")
        self.env["marketplace.job"]._run_due_jobs(commit=False)
        self.assertEqual(job.state, "done", job.error)

    def test_a_running_job_whose_runner_is_gone_is_taken_back_at_once(self):
        """No runner holds its run lock (its worker was killed): back in the queue at the next
        runner pass, not after the running-time limit; the lost run counts as one attempt."""
        job = self.new_job({"sku_list": ["GEN-000001"]})
        job.sudo().write({"state": "running", "started_at": fields.Datetime.now(), "attempts": 1})
        with self.expect_failure_logs() as logs:
            self.env["marketplace.job"]._run_due_jobs(commit=False)
        self.assertTrue(any(f"job={job.reference}" in line and "event=dead" in line for line in logs.output))
        self.assertEqual((job.state, job.attempts), ("done", 2), job.error)

    def test_run_now_takes_the_accounts_one_sync_rule(self):
        first, second = self.new_job(), self.new_job({"sku_list": ["GEN-000001"]})
        claimed = self.env["marketplace.job"]._claim_next_job()
        self.assertEqual(claimed, first)
        with self.assertRaisesRegex(UserError, first.reference):
            second.action_run_now()
        self.assertEqual(second.state, "pending")
        self.assertFalse(self.env["marketplace.job"]._claim_next_job(), "the runner waits for the account too")

    def test_force_needs_a_marketplace_administrator(self):
        with self.assertRaisesRegex(ValidationError, "Administrator"):
            self.new_job({"force": True}, user=self.user)
        job = self.new_job({"force": True}, user=self.manager)
        self.assertTrue(job)

    def test_a_failure_after_a_committed_step_says_what_was_kept(self):
        """Under the runner a failure keeps the finished steps; the job continues there."""
        self.sandbox.faults.add(PRODUCTS, "http_500", page=2, times=100)
        job = self.new_job()
        with self.expect_failure_logs():
            self.run_steps(job, max_runs=3)
        self.assertEqual((job.state, job.sync_phase, job.pages_fetched), ("pending", "fetch", 1))
        self.assertIn("page 2", job.error)
        self.assertIn("kept", job.error)
        self.sandbox.faults.clear()
        self.sandbox.clear_requests()
        self.run_steps(job)
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual([r["query"].get("page") for r in self.calls_to(PRODUCTS)], ["2", "3"])


@tagged("post_install", "-at_install")
class TestPreviewAndLines(MarketplaceCase):
    def test_preview_writes_no_stock_then_applies(self):
        mug = self.products["DEMO-MUG"]
        action = self.account.action_preview_stock()
        job = self.env["marketplace.job"].browse(action["res_id"])
        self.assertEqual(job.state, "done", job.error)
        self.assertTrue(job.is_preview)
        self.assertEqual(self.on_hand(mug), 0, "a preview writes no stock")
        self.assertFalse(self.inventory_moves(job))
        line = job.line_ids.filtered(lambda line: line.sku == "DEMO-MUG")
        self.assertEqual((line.decision, line.quantity_before, line.quantity_after),
                         ("would_update", 0, self.zortout_quantity("DEMO-MUG")))
        calls = len(self.calls_to(PRODUCTS))
        applied = self.env["marketplace.job"].browse(job.action_apply_preview()["res_id"])
        self.assertEqual(applied.state, "done", applied.error)
        self.assertEqual(self.on_hand(mug), self.zortout_quantity("DEMO-MUG"))
        self.assertEqual(len(self.calls_to(PRODUCTS)), calls, "applying a preview does not read Zortout again")
        self.assertEqual(self.result(applied)["updated"], self.result(job)["updated"])

    def test_a_preview_is_not_applied_after_stock_moved(self):
        job = self.env["marketplace.job"].browse(self.account.action_preview_stock()["res_id"])
        self.set_on_hand(self.products["DEMO-CAP"], 2)
        quant = self.env["stock.quant"].search([("product_id", "=", self.products["DEMO-CAP"].id)])
        quant.with_context(inventory_mode=True).inventory_quantity = 5
        quant.action_apply_inventory()
        job.finished_at = job.finished_at.replace(year=job.finished_at.year - 1)  # the move came after
        with self.assertRaisesRegex(UserError, "Stock moved"):
            job.action_apply_preview()

    def test_lines_answer_why_a_sku_did_not_update_and_repeat_nothing(self):
        self.make_product("DEMO-TEA", type="service", is_storable=False)
        self.use_catalogue(Catalogue(products=[{"sku": "DEMO-TEA", "stock": {"W0001": 5}},
                                               {"sku": "DEMO-MUG", "stock": {"W0001": 9}},
                                               {"sku": "DEMO-GHOST", "stock": {"W0001": 1}}]))
        first = self.run_job()
        decisions = dict(first.line_ids.mapped(lambda line: (line.sku, line.decision)))
        self.assertEqual(decisions, {"DEMO-TEA": "service", "DEMO-MUG": "updated", "DEMO-GHOST": "not_in_odoo"})
        mug_line = first.line_ids.filtered(lambda line: line.sku == "DEMO-MUG")
        self.assertEqual(mug_line.move_id, self.inventory_moves(first))
        self.assertEqual(mug_line.product_id, self.products["DEMO-MUG"])
        second = self.run_job()
        self.assertEqual(second.state, "done", second.error)
        self.assertFalse(second.line_ids, "the same skips again and nothing changed: no new line")
        self.assertEqual(self.result(second)["skipped"]["service"], 1, "the counts still say it")
        template = self.products["DEMO-MUG"].product_tmpl_id
        self.assertEqual(template.zortout_line_count, 1)
        self.assertEqual(self.env["marketplace.job.line"].search(
            template.action_view_zortout_lines()["domain"]), mug_line)

    def test_pull_stock_on_a_large_account_queues_and_shows_progress(self):
        self.account.sudo().last_sweep_skus = 100_000
        action = self.account.action_pull_stock()
        job = self.env["marketplace.job"].browse(action["res_id"])
        self.assertEqual((job.state, job.sync_phase), ("pending", "start"), "queued for the runner")
        self.assertEqual(self.account.sync_job_id, job)
        self.env["marketplace.job"]._run_due_jobs(commit=False, time_budget=0)  # start
        self.env["marketplace.job"]._run_due_jobs(commit=False, time_budget=0)  # page 1
        self.account.invalidate_recordset()
        self.assertEqual((self.account.sync_pages_fetched, self.account.sync_pages_total), (1, 1))
        self.assertEqual(self.account.sync_job_phase, "check")
        self.env["marketplace.job"]._run_due_jobs(commit=False)
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.account.last_sweep_skus, json.loads(job.result)["fetched"])
