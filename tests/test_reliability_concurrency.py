"""Real concurrency on one database: separate Odoo processes running the job
runner, a worker killed with SIGKILL in the middle of a job, two presses of
Pull Stock at the same moment, and a sync racing a person's inventory count.

These tests commit: the data lives in its own location and products, and is
removed again when the class ends.
"""

import json
import os
import signal
import time
from datetime import timedelta
from pathlib import Path

from odoo import fields
from odoo.tests import tagged

from odoo.addons.otd_marketplace_stock.const import PARAM_APPLY_STEP_ROWS
from odoo.addons.otd_marketplace_stock.const import PARAM_RUNNING_TIMEOUT as RUNNING_TIMEOUT_PARAM
from odoo.addons.otd_marketplace_stock.zortout_sandbox.catalogue import Catalogue

from .sandbox_case import PRODUCTS
from .worker_case import WorkerCase

CODE = "W0001"
WATCHED = ("GEN-000001", "GEN-000250", "GEN-000500", "GEN-000501", "GEN-000750", "GEN-001000",
           "GEN-001001", "GEN-001100", "GEN-001201")
RUNNER_SKUS = tuple(f"GEN-{i:06d}" for i in range(2, 22))  # 20 jobs, one SKU each
START_QUANTITY = 7
JOB_LOGGER = "odoo.addons.otd_marketplace_stock"


@tagged("post_install", "-at_install")
class TestReliabilityConcurrency(WorkerCase):
    worker_folder_prefix = "otd-concurrency-"

    @classmethod
    def sandbox_catalogue(cls):
        return Catalogue.generate(1201)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.cursor_env() as env:
            warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
            cls.location_id = env["stock.location"].create({
                "name": "Concurrency Shelf", "location_id": warehouse.lot_stock_id.id, "usage": "internal"}).id
            cls.account_id = env["marketplace.account"].create({
                "name": "Zortout Concurrency", "store_name": cls.sandbox.store_name,
                "api_key": cls.sandbox.api_key, "api_secret": cls.sandbox.api_secret,
                "stock_location_id": cls.location_id, "zortout_warehouse_code": CODE, "sync_enabled": False,
            }).id
            skus = sorted(set(WATCHED) | set(RUNNER_SKUS))
            products = env["product.product"].create([
                {"name": f"Concurrency {sku}", "default_code": sku, "type": "consu", "is_storable": True}
                for sku in skus])
            cls.product_ids = dict(zip(skus, products.ids))
            # the 20 runner jobs belong to 20 accounts with a location each, as 20 shops would
            cls.runner_locations = env["stock.location"].create([
                {"name": f"Concurrency Shop {i}", "location_id": warehouse.lot_stock_id.id, "usage": "internal"}
                for i in range(len(RUNNER_SKUS))]).ids
            cls.runner_accounts = env["marketplace.account"].create([{
                "name": f"Zortout Concurrency Shop {i}", "store_name": cls.sandbox.store_name,
                "api_key": cls.sandbox.api_key, "api_secret": cls.sandbox.api_secret,
                "stock_location_id": location_id, "zortout_warehouse_code": CODE, "sync_enabled": False,
            } for i, location_id in enumerate(cls.runner_locations)]).ids
        cls.addClassCleanup(cls.remove_data)

    @classmethod
    def remove_data(cls):
        with cls.cursor_env() as env:
            ids = tuple(cls.product_ids.values())
            cls.wipe_stock(env, ids)
            accounts = cls.runner_accounts + [cls.account_id]
            env["marketplace.job"].search([("account_id", "in", accounts)]).unlink()
            env["marketplace.account"].browse(accounts).unlink()
            env["product.product"].browse(ids).product_tmpl_id.unlink()
            env["stock.location"].browse([cls.location_id, *cls.runner_locations]).unlink()

    @staticmethod
    def wipe_stock(env, product_ids):
        env.flush_all()
        for table in ("stock_move_line", "stock_move", "stock_quant"):
            env.cr.execute(f"DELETE FROM {table} WHERE product_id IN %s", [product_ids])  # noqa: S608
        env.invalidate_all()

    def setUp(self):
        super().setUp()
        with self.cursor_env() as env:
            env["marketplace.job"].search([("account_id", "in", [self.account_id, *self.runner_accounts])]).unlink()
            self.wipe_stock(env, tuple(self.product_ids.values()))
            # the starting stock comes from an inventory adjustment, so that stock = sum of moves throughout
            quants = env["stock.quant"].with_context(inventory_mode=True).create([
                {"product_id": pid, "location_id": self.location_id, "inventory_quantity": START_QUANTITY}
                for pid in self.product_ids.values()] + [
                {"product_id": self.product_ids[sku], "location_id": location_id, "inventory_quantity": START_QUANTITY}
                for sku, location_id in zip(RUNNER_SKUS, self.runner_locations)])
            quants.action_apply_inventory()

    # -- helpers -------------------------------------------------------------

    def zortout(self, sku):
        return float(self.sandbox.catalogue.stock_of(sku, CODE)[1])

    def create_jobs(self, payloads, accounts=None):
        accounts = accounts or [self.account_id] * len(payloads)
        with self.cursor_env() as env:
            return env["marketplace.job"].create([{
                "account_id": account_id, "payload": json.dumps(payload),
                "next_run_at": fields.Datetime.now() - timedelta(minutes=1),
            } for payload, account_id in zip(payloads, accounts)]).ids

    def jobs(self, env, ids):
        return env["marketplace.job"].browse(ids)

    def job_state(self, job_id):
        with self.cursor_env() as env:
            return env["marketplace.job"].browse(job_id).state

    def stock_facts(self, env, locations=None):
        """{sku: (on hand at the location, sum of done moves into it minus out of it, quants, quant keys)}."""
        env.flush_all()
        facts = {}
        for sku, pid in self.product_ids.items():
            location_id = (locations or {}).get(sku, self.location_id)
            env.cr.execute("""
                SELECT count(*), coalesce(sum(quantity), 0), count(DISTINCT (location_id, coalesce(lot_id, 0),
                       coalesce(package_id, 0), coalesce(owner_id, 0)))
                  FROM stock_quant WHERE product_id = %s AND location_id = %s
            """, [pid, location_id])
            quants, on_hand, keys = env.cr.fetchone()
            env.cr.execute("""
                SELECT coalesce(sum(CASE WHEN location_dest_id = %(loc)s THEN quantity ELSE 0 END), 0)
                     - coalesce(sum(CASE WHEN location_id = %(loc)s THEN quantity ELSE 0 END), 0)
                  FROM stock_move_line WHERE product_id = %(pid)s AND state = 'done'
            """, {"loc": location_id, "pid": pid})
            facts[sku] = (float(on_hand), float(env.cr.fetchone()[0]), quants, keys)
        return facts

    def assertConsistent(self, env, locations=None):
        for sku, (on_hand, moved, quants, keys) in self.stock_facts(env, locations).items():
            self.assertEqual(quants, keys, f"{sku}: one quant per location/lot/package/owner")
            self.assertAlmostEqual(on_hand, moved, msg=f"{sku}: on hand equals the sum of moves")

    def moves_per_product(self, env, job):
        moves = env["stock.move"].search([("reference", "=", f"Zortout sync {job.reference}")])
        counts = {}
        for move in moves:
            counts[move.product_id.default_code] = counts.get(move.product_id.default_code, 0) + 1
        return counts

    # -- the tests -----------------------------------------------------------

    def test_crashed_worker_job_is_taken_back_and_applied_once(self):
        """SIGKILL a worker while its job waits for page 2: its connection, and the run lock it held,
        die with it, so the next runner pass takes the job back at once (not after the 30-minute
        running-time limit) and the account's next job runs too; stock = Zortout's, exactly one
        adjustment per changed product."""
        [job_id] = self.create_jobs([{}])
        self.sandbox.faults.add(PRODUCTS, "hang", page=2, times=1, seconds=20)
        worker = self.spawn("crash")
        self.wait_for(lambda: worker.poll() is not None or (
            self.job_state(job_id) == "running"
            and any(r["query"].get("page") == "2" for r in self.calls_to(PRODUCTS))), 90, "the job to be mid-sweep")
        self.assertIsNone(worker.poll(), self.worker_output(worker))
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        killed_at = time.monotonic()
        self.sandbox.faults.clear()
        [next_id] = self.create_jobs([{"sku_list": [WATCHED[0]]}])  # e.g. an instant sync of the same store
        with self.cursor_env() as env:
            job = self.jobs(env, job_id)
            self.assertEqual((job.state, job.attempts), ("running", 1))
            self.assertFalse(self.moves_per_product(env, job), "nothing applied by the dead worker")
            self.assertEqual({sku: facts[0] for sku, facts in self.stock_facts(env).items()},
                             dict.fromkeys(self.product_ids, float(START_QUANTITY)))
        with self.assertLogs(JOB_LOGGER, "WARNING") as logs, self.cursor_env() as env:
            env["marketplace.job"]._cron_run_jobs()
        self.assertTrue(any("event=dead" in line for line in logs.output), logs.output)
        with self.cursor_env() as env:
            job, following = self.jobs(env, job_id), self.jobs(env, next_id)
            self.assertEqual((job.state, job.attempts), ("done", 2), job.error)
            self.assertEqual(following.state, "done", following.error)
            self.assertLess(time.monotonic() - killed_at, 60, "the account was free again within a minute")
            changed = {sku for sku in self.product_ids if self.zortout(sku) != START_QUANTITY}
            # the next job (due first) set its SKU; the full pull found it unchanged then
            self.assertEqual(self.moves_per_product(env, following), dict.fromkeys(changed & {WATCHED[0]}, 1))
            self.assertEqual(self.moves_per_product(env, job), dict.fromkeys(changed - {WATCHED[0]}, 1))
            for sku, (on_hand, _moved, _quants, _keys) in self.stock_facts(env).items():
                self.assertEqual(on_hand, self.zortout(sku), sku)
            self.assertConsistent(env)

    def test_a_worker_killed_between_every_pair_of_steps_loses_and_doubles_nothing(self):
        """Each runner process does one step of the job and dies right after committing it; the next one
        takes the job back (running-time limit 0) and goes on. The job ends right: every quantity
        Zortout's, one adjustment per changed product, each page read once."""
        [job_id] = self.create_jobs([{}])
        with self.cursor_env() as env:
            self.jobs(env, job_id).max_attempts = 30
            env["ir.config_parameter"].set_param(RUNNING_TIMEOUT_PARAM, 0)
            # an apply step takes pages until it holds 1,000 rows: pages 1 and 2 together, then page 3
            env["ir.config_parameter"].set_param(PARAM_APPLY_STEP_ROWS, 1000)
        self.addCleanup(self.reset_step_params)
        # commit 1: stale jobs put back; 2: the job claimed; 3: one step done - then the process dies
        deaths, seen = 0, []
        while self.job_state(job_id) != "done" and deaths < 20:
            worker = self.spawn(f"step{deaths}", exit_after_commits=3)
            self.assertEqual(worker.wait(timeout=120), 9, self.worker_output(worker))
            deaths += 1
            with self.cursor_env() as env:
                job = self.jobs(env, job_id)
                seen.append((job.state, job.sync_phase, job.pages_fetched, job.skus_done, job.attempts, job.error))
        # start, 3 pages, the sweep check, settle, pages 1 and 2 applied, page 3 applied, finish
        self.assertEqual(deaths, 9, f"{seen}\n{self.worker_output(worker)}")
        self.assertEqual(sorted(int(r["query"]["page"]) for r in self.calls_to(PRODUCTS)), [1, 2, 3])
        with self.cursor_env() as env:
            job = self.jobs(env, job_id)
            self.assertEqual(job.state, "done", job.error)
            changed = {sku for sku in self.product_ids if self.zortout(sku) != START_QUANTITY}
            self.assertEqual(self.moves_per_product(env, job), dict.fromkeys(changed, 1))
            for sku, (on_hand, _moved, _quants, _keys) in self.stock_facts(env).items():
                self.assertEqual(on_hand, self.zortout(sku), sku)
            self.assertConsistent(env)

    def test_a_step_that_would_pass_the_cron_limit_ends_before_it_and_the_job_goes_on(self):
        """A cron worker whose Odoo limit is 8 s meets a page that answers after 10 s: it stops the
        step by itself before the limit (Odoo would kill it at 8 s), commits the job as pending
        with no try lost, and the next worker goes on from the page after the ones kept."""
        limit = 8
        [job_id] = self.create_jobs([{}])
        self.sandbox.faults.add(PRODUCTS, "hang", page=2, times=1, seconds=limit + 2)
        go = Path(self.tmp.name) / "slow.go"
        worker = self.spawn("slow", str(go), options=["--limit-time-real-cron", str(limit)])
        self.wait_for(lambda: (Path(self.tmp.name) / "slow.ready").exists() or worker.poll() is not None, 120,
                      "the worker to load Odoo")
        go.touch()  # Odoo's watchdog counts from here: the worker's registry is loaded

        def postponed():
            with self.cursor_env() as env:
                job = self.jobs(env, job_id)
                return job.state == "pending" and "too slowly" in (job.error or "")

        # within the limit, the job is back in the queue, committed: Odoo's kill would take nothing from it
        self.wait_for(postponed, limit, "the job back in the queue before the cron limit")
        self.assertEqual(worker.wait(timeout=60), 0, self.worker_output(worker))
        with self.cursor_env() as env:
            job = self.jobs(env, job_id)
            self.assertEqual((job.state, job.attempts, job.pages_fetched), ("pending", 0, 1), job.error)
            self.assertIn("Zortout answered too slowly", job.error)
        worker = self.spawn("on")
        self.assertEqual(worker.wait(timeout=120), 0, self.worker_output(worker))
        with self.cursor_env() as env:
            self.assertEqual(self.jobs(env, job_id).state, "done", self.jobs(env, job_id).error)
            for sku, (on_hand, _moved, _quants, _keys) in self.stock_facts(env).items():
                self.assertEqual(on_hand, self.zortout(sku), sku)
        pages = [r["query"]["page"] for r in self.calls_to(PRODUCTS)]
        self.assertEqual(pages.count("1"), 1, f"page 1 was kept, not read again: {pages}")

    def reset_step_params(self):
        with self.cursor_env() as env:
            env["ir.config_parameter"].set_param(RUNNING_TIMEOUT_PARAM, False)
            env["ir.config_parameter"].set_param(PARAM_APPLY_STEP_ROWS, False)

    def test_two_runner_processes_run_each_of_twenty_jobs_once(self):
        job_ids = self.create_jobs([{"sku_list": [sku]} for sku in RUNNER_SKUS], self.runner_accounts)
        locations = dict(zip(RUNNER_SKUS, self.runner_locations))
        # every answer takes a moment, so that both workers are busy at the same time
        self.sandbox.faults.add(PRODUCTS, "hang", times=1000, seconds=0.3)
        ran = [self.outcome(worker) for worker in self.start_together("runner", [None, None])]
        self.assertFalse(set(ran[0]) & set(ran[1]), "no job ran in both workers")
        self.assertEqual(sorted(ran[0] + ran[1]), sorted(job_ids))
        self.assertTrue(ran[0] and ran[1], f"both workers took jobs: {ran}")
        sweeps = {}
        for request in self.calls_to(PRODUCTS):
            sku = request["headers"].get("skulist")
            sweeps[sku] = sweeps.get(sku, 0) + 1
        self.assertEqual(sweeps, dict.fromkeys(RUNNER_SKUS, 1), "one sweep per job")
        with self.cursor_env() as env:
            jobs = self.jobs(env, job_ids)
            self.assertEqual(set(jobs.mapped("state")), {"done"}, jobs.mapped("error"))
            self.assertEqual(set(jobs.mapped("attempts")), {1})
            for job, sku in zip(jobs, RUNNER_SKUS):
                expected = {sku: 1} if self.zortout(sku) != START_QUANTITY else {}
                self.assertEqual(self.moves_per_product(env, job), expected)
            facts = self.stock_facts(env, locations)
            for sku in RUNNER_SKUS:
                self.assertEqual(facts[sku][0], self.zortout(sku), sku)
            self.assertConsistent(env, locations)

    def start_together(self, name, calls):
        """Spawn one worker per call, let them load Odoo, then start them at the same moment."""
        go = Path(self.tmp.name) / f"{name}.go"
        workers = [self.spawn(f"{name}{i}", str(go), call) for i, call in enumerate(calls)]
        ready = [Path(self.tmp.name) / f"{name}{i}.ready" for i in range(len(calls))]
        self.wait_for(lambda: all(path.exists() for path in ready) or any(w.poll() is not None for w in workers),
                      120, "the workers to load Odoo")
        go.touch()
        return workers

    def outcome(self, worker):
        self.assertEqual(worker.wait(timeout=180), 0, self.worker_output(worker))
        return json.loads((Path(self.tmp.name) / f"{worker.name}.json").read_text())

    def test_two_presses_of_pull_stock_start_one_sync(self):
        """Two web requests press Pull Stock on one account at the same moment: one sync."""
        self.sandbox.faults.add(PRODUCTS, "hang", times=1000, seconds=0.5)
        press = {"model": "marketplace.account", "ids": [self.account_id], "method": "action_pull_stock"}
        self.press_workers = self.start_together("press", [press, press])
        outcomes = [self.outcome(worker) for worker in self.press_workers]
        with self.cursor_env() as env:
            jobs = env["marketplace.job"].search([("account_id", "=", self.account_id)])
            self.assertEqual(len(jobs), 1, outcomes)
            self.assertEqual(jobs.state, "done", jobs.error)
        opened = [o for o in outcomes if "result" in o]
        refused = [o for o in outcomes if "error" in o]
        self.assertTrue(opened, outcomes)
        self.assertEqual({o["result"]["res_id"] for o in opened}, {jobs.id})
        for outcome in refused:  # the second press is told to wait, or opens the same job
            self.assertIn("a moment ago", outcome["error"])
        for worker in self.press_workers:  # a busy account is expected, not an error
            self.assertNotIn(" ERROR ", self.worker_output(worker))
        self.assertEqual(len(self.calls_to(PRODUCTS)), 3, "one sweep of 3 pages")

    def test_sync_and_a_person_counting_the_same_product_at_once(self):
        """While the sync waits for Zortout, a person applies a count on the same quant. No update is lost:
        the sync notices the concurrent change, goes back to the queue (a conflict costs no attempt) and
        applies over the person's count."""
        sku = WATCHED[0]
        [job_id] = self.create_jobs([{"sku_list": [sku]}])
        self.sandbox.faults.add(PRODUCTS, "hang", times=1, seconds=2)
        [sync] = self.start_together("count", [{"model": "marketplace.job", "ids": [job_id],
                                                "method": "action_run_now"}])
        self.wait_for(lambda: self.calls_to(PRODUCTS), 60, "the sync to ask Zortout")
        with self.cursor_env() as env:
            quant = env["stock.quant"].search([("product_id", "=", self.product_ids[sku]),
                                               ("location_id", "=", self.location_id)])
            quant.with_context(inventory_mode=True).inventory_quantity = 42
            quant.action_apply_inventory()
        self.outcome(sync)
        with self.cursor_env() as env:
            job = self.jobs(env, job_id)
            self.assertEqual(job.state, "pending", job.error)
            self.assertIn("at the same time", job.error)
            self.assertEqual(self.stock_facts(env)[sku][0], 42, "the person's count stands")
            self.assertConsistent(env)
            env.cr.execute("UPDATE marketplace_job SET next_run_at = %s WHERE id = %s",
                           [fields.Datetime.now() - timedelta(seconds=1), job_id])
        with self.cursor_env() as env:
            env["marketplace.job"]._cron_run_jobs()
        with self.cursor_env() as env:
            job = self.jobs(env, job_id)
            self.assertEqual((job.state, job.attempts), ("done", 1), job.error)
            self.assertEqual(self.stock_facts(env)[sku][0], self.zortout(sku))
            self.assertEqual(self.moves_per_product(env, job), {sku: 1})
            self.assertConsistent(env)

    def test_a_lock_conflict_in_the_runner_takes_the_step_again_at_once(self):
        """The runner's apply step waits for a quant another transaction is writing (a picking being
        validated); that transaction commits: the step meets a serialization failure, and the runner
        takes it again at once on a fresh snapshot. The job ends done in the same run, no attempt lost,
        no retry after a minute."""
        sku = next(sku for sku in WATCHED if self.zortout(sku) != START_QUANTITY)  # a quantity to change
        [job_id] = self.create_jobs([{"sku_list": [sku]}])
        product_id = self.product_ids[sku]
        other = self.registry.cursor()
        self.addCleanup(other.close)
        other.execute("UPDATE stock_quant SET quantity = quantity WHERE product_id = %s AND location_id = %s",
                      [product_id, self.location_id])
        worker = self.spawn("conflict")

        def runner_waits_for_the_quant():
            with self.cursor_env() as env:
                env.cr.execute("""SELECT 1 FROM pg_stat_activity
                                   WHERE wait_event_type = 'Lock' AND query LIKE %s""",
                               ["%FOR NO KEY UPDATE OF quant%"])
                return bool(env.cr.fetchone()) or worker.poll() is not None
        self.wait_for(runner_waits_for_the_quant, 90, "the runner to wait for the quant")
        other.commit()
        self.assertEqual(worker.wait(timeout=120), 0, self.worker_output(worker))
        with self.cursor_env() as env:
            job = self.jobs(env, job_id)
            self.assertEqual((job.state, job.attempts), ("done", 1), job.error)
            self.assertEqual(self.stock_facts(env)[sku][0], self.zortout(sku))
            self.assertEqual(self.moves_per_product(env, job), {sku: 1})
            self.assertConsistent(env)
        self.assertIn("event=conflict", (Path(self.tmp.name) / "conflict.log").read_text())
