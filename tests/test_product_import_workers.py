"""Create Products from Zortout at size, in real Odoo worker processes on committed data:
5,000 products created across several runs of the runner, each run inside the cron
worker's real-time limit; two imports of the same products by two accounts of one
company, run by two workers at once, create each product once; a second run creates
nothing. The data is removed again when the class ends."""

import json
import logging
import time
from pathlib import Path

from odoo.tests import tagged

from odoo.addons.otd_marketplace_stock.wizards.zortout_product_import import _pages
from odoo.addons.otd_marketplace_stock.zortout_sandbox.catalogue import Catalogue

from .worker_case import WorkerCase

_logger = logging.getLogger(__name__)

BULK = 5000
#: the cron worker's real-time limit for these runs: a few pages each, so that 5,000 products take several
CRON_LIMIT = 10


@tagged("post_install", "-at_install")
class TestProductImportWorkers(WorkerCase):
    worker_folder_prefix = "otd-import-"

    def spawn(self, name, go_file):
        """A runner process whose cron pass is timed, under CRON_LIMIT."""
        return super().spawn(name, go_file, options=["--limit-time-real-cron", str(CRON_LIMIT)],
                             timing_file=str(Path(self.tmp.name) / f"{name}.timing.json"))

    @classmethod
    def sandbox_catalogue(cls):
        return Catalogue.onboarding(bulk=BULK)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.cursor_env() as env:
            warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
            # two shops of one company, each filling a location of its own
            cls.location_ids = env["stock.location"].create([
                {"name": f"Import Shop {i}", "location_id": warehouse.lot_stock_id.id, "usage": "internal"}
                for i in (1, 2)]).ids
            cls.account_ids = env["marketplace.account"].create([{
                "name": f"Zortout Import {i}", "store_name": cls.sandbox.store_name,
                "api_key": cls.sandbox.api_key, "api_secret": cls.sandbox.api_secret,
                "stock_location_id": location_id, "stock_scope": "store_total", "sync_enabled": False}
                for i, location_id in zip((1, 2), cls.location_ids)]).ids
        cls.addClassCleanup(cls.remove_data)

    @classmethod
    def remove_data(cls):
        with cls.cursor_env() as env:
            env["marketplace.job"].search([("account_id", "in", cls.account_ids)]).unlink()
            env["marketplace.account"].browse(cls.account_ids).unlink()
            products = env["product.product"].with_context(active_test=False).search(
                ["|", ("default_code", "like", "BULK-%"), ("default_code", "like", "NEW-%")])
            env.flush_all()
            env.cr.execute("DELETE FROM stock_move_line WHERE product_id = ANY(%s)", [products.ids])
            env.cr.execute("DELETE FROM stock_move WHERE product_id = ANY(%s)", [products.ids])
            env.cr.execute("DELETE FROM stock_quant WHERE product_id = ANY(%s)", [products.ids])
            env.invalidate_all()
            products.product_tmpl_id.unlink()
            env["stock.location"].browse(cls.location_ids).unlink()

    def queue_import(self, account_id):
        """What the wizard's Create queues for ``account_id``: the job with its pages (committed)."""
        with self.cursor_env() as env:
            wizard_action = env["marketplace.account"].browse(account_id).action_create_products_from_zortout()
            wizard = env["zortout.product.import"].browse(wizard_action["res_id"])
            entries = [json.loads(line.entry_json) for line in wizard.line_ids.filtered("selected").sorted("id")]
            job = env["marketplace.job"]._new_import_job(wizard.account_id, _pages(entries), {
                "category_mode": "zortout", "category_id": wizard.category_id.id, "images": False},
                env.ref("base.user_admin").id)
            return job.id, len(entries)

    def run_workers(self, names):
        """Start one runner process per name at once; wait for all; their cron pass seconds."""
        folder = Path(self.tmp.name)
        go = folder / f"go-{names[0]}"
        workers = [self.spawn(name, str(go)) for name in names]
        for worker in workers:
            ready = folder / f"{worker.name}.ready"
            deadline = time.monotonic() + 120
            while not ready.exists() and worker.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
        go.write_text("go")
        seconds = []
        for worker in workers:
            self.assertEqual(worker.wait(timeout=180), 0, self.worker_output(worker))
            seconds.append(json.loads((folder / f"{worker.name}.timing.json").read_text())["seconds"])
        return seconds

    def test_5000_products_across_runs_inside_the_cron_limit(self):
        job_id, rows = self.queue_import(self.account_ids[0])
        self.assertGreater(rows, BULK)  # the bulk and the fixture's creatable, active rows
        runs, rounds = [], 0
        while rounds < 40:
            rounds += 1
            runs += self.run_workers([f"run-{rounds}-a", f"run-{rounds}-b"])
            with self.cursor_env() as env:
                job = env["marketplace.job"].browse(job_id)
                if job.state == "done":
                    break
                self.assertIn(job.state, ("pending", "running"), job.error)
        with self.cursor_env() as env:
            job = env["marketplace.job"].browse(job_id)
            self.assertEqual(job.state, "done", job.error)
            result = json.loads(job.result)
            self.assertEqual(result["created"], rows)
            self.assertGreater(rounds, 1, "5,000 products take more than one run at this limit")
            _logger.info("created %s products in %s rounds of two runners; cron passes: %s s (limit %s s)",
                         rows, rounds, ", ".join(f"{seconds:.1f}" for seconds in runs), CRON_LIMIT)
            self.assertLess(max(runs), CRON_LIMIT, f"every cron pass ended inside the limit: {runs}")
            Product = env["product.product"].with_context(active_test=False)
            env.cr.execute("SELECT default_code, count(*) FROM product_product WHERE default_code LIKE 'BULK-%%' "
                           "GROUP BY default_code HAVING count(*) > 1")
            self.assertEqual(env.cr.fetchall(), [], "no product twice")
            self.assertEqual(Product.search_count([("default_code", "like", "BULK-%")]), BULK)

            # a second run lists nothing of them, and its job (were one queued) creates nothing
            wizard = env["zortout.product.import"].browse(
                env["marketplace.account"].browse(self.account_ids[1]).action_create_products_from_zortout()["res_id"])
            self.assertEqual(wizard.line_ids.filtered(lambda line: line.status == "new").mapped("sku"),
                             ["NEW-ARCHIVED"], "only the one archived in Zortout, left unticked, is still new")

    def test_two_imports_of_one_company_at_once_create_each_product_once(self):
        first, rows = self.queue_import(self.account_ids[0])
        second, _rows = self.queue_import(self.account_ids[1])
        rounds = 0
        while rounds < 40:
            rounds += 1
            self.run_workers([f"pair-{rounds}-a", f"pair-{rounds}-b"])
            with self.cursor_env() as env:
                if all(state == "done" for state in env["marketplace.job"].browse([first, second]).mapped("state")):
                    break
        with self.cursor_env() as env:
            jobs = env["marketplace.job"].browse([first, second])
            self.assertEqual(jobs.mapped("state"), ["done", "done"], jobs.mapped("error"))
            results = [json.loads(job.result) for job in jobs]
            self.assertEqual(sum(result["created"] for result in results), rows, results)
            self.assertEqual(sum(result["already_in_odoo"] for result in results), rows, results)
            env.cr.execute("SELECT default_code, count(*) FROM product_product WHERE default_code LIKE 'BULK-%%' "
                           "OR default_code LIKE 'NEW-%%' GROUP BY default_code HAVING count(*) > 1")
            self.assertEqual(env.cr.fetchall(), [], "no product twice")

    def setUp(self):
        super().setUp()
        with self.cursor_env() as env:
            env["marketplace.job"].search([("account_id", "in", self.account_ids)]).unlink()
            products = env["product.product"].with_context(active_test=False).search(
                ["|", ("default_code", "like", "BULK-%"), ("default_code", "like", "NEW-%")])
            products.product_tmpl_id.unlink()
