"""Instant sync end to end: real deliveries posted over HTTP to Odoo's endpoint,
by the sandbox (a sale "in Zortout") or by hand, then the runner; checked in the
stock, the jobs and the calls the sandbox saw."""

import json
import logging
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from odoo.addons.otd_marketplace_stock.const import PARAM_WEBHOOK_WINDOW, WEBHOOK_MAX_BODY

from .test_monitor_scripts import ODOO_LOG_FORMAT, _DbName
from .webhook_case import CODE, WEBHOOK_LOGGER, WebhookCase

ADDON_DIR = Path(__file__).resolve().parent.parent


@tagged("post_install", "-at_install")
class TestWebhookDeliveries(WebhookCase):

    def setUp(self):
        super().setUp()
        self.enable()
        self.sandbox.clear_requests()
        self.mug = self.products["DEMO-MUG"]
        self.cap = self.products["DEMO-CAP"]

    # -- a sale in Zortout reaches Odoo ---------------------------------------------

    def test_a_sale_in_zortout_changes_odoo_stock(self):
        """Two mugs sold in Zortout: the delivery queues the mug, the runner reads it again in the
        account's warehouse and Odoo's on hand follows; the delivery's own (store-wide) quantity is
        never written."""
        self.set_on_hand(self.mug, 3)
        before = self.zortout_quantity("DEMO-MUG", CODE)
        delivery = self.sell("DEMO-MUG", 2)
        self.assertEqual(delivery["status"], 200)
        self.assertEqual(delivery["url"], self.url())

        job = self.instant_jobs()
        self.assertEqual(len(job), 1)
        self.assertEqual((job.state, self.queued(job)), ("pending", ["DEMO-MUG"]))
        self.assertEqual(self.on_hand(self.mug), 3, "nothing is written before the job runs")
        self.assertEqual(self.calls_to(), [], "a delivery makes no Zortout call")

        self.assertEqual(self.run_runner(), job)
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.on_hand(self.mug), before - 2)
        self.assertNotEqual(self.on_hand(self.mug), self.zortout_quantity("DEMO-MUG"),
                            "the store-wide quantity of the delivery is not what Odoo holds")
        self.assertEqual(self.skulist_calls(), [("DEMO-MUG", CODE)])
        result = json.loads(job.result)
        self.assertEqual((result["fetched"], result["updated"], result["warehouse_code"]), (1, 1, CODE))
        line = job.line_ids
        self.assertEqual((line.sku, line.decision, line.quantity_after), ("DEMO-MUG", "updated", before - 2))
        self.assertTrue(self.inventory_moves(job))

    def test_every_body_shape_is_read(self):
        """Raw JSON, form field payload with ?method=, form field datas with method in the form."""
        for shape, sku in (("json", "DEMO-MUG"), ("payload", "DEMO-CAP"), ("datas", "DEMO-BAG")):
            with self.subTest(shape=shape):
                self.sandbox.webhook_format = shape
                self.assertEqual(self.sell(sku, 1)["status"], 200)
        self.assertEqual(self.queued(self.instant_jobs()), ["DEMO-MUG", "DEMO-CAP", "DEMO-BAG"])
        self.run_runner()
        for sku in ("DEMO-MUG", "DEMO-CAP", "DEMO-BAG"):
            self.assertEqual(self.on_hand(self.products[sku]), self.zortout_quantity(sku, CODE), sku)

    def test_hand_made_shapes(self):
        """A list of products, a JSON string inside the form field, the Basic value in base64, an
        event name in the query: all read."""
        self.assertEqual(self.deliver("DEMO-MUG", "DEMO-CAP").status_code, 200)
        self.assertEqual(self.post(data={"datas": json.dumps(json.dumps({"sku": "DEMO-BAG"}))},
                                   params={"method": "updateproductquantity"}).status_code, 200)
        headers = self.key_headers()
        headers.pop("key1")
        import base64  # noqa: PLC0415
        headers["Authorization"] = "basic " + base64.b64encode(self.keys()[0].encode()).decode()
        self.assertEqual(self.post(json_body={"sku": " DEMO-PEN "}, headers=headers).status_code, 200)
        self.assertEqual(self.queued(self.instant_jobs()), ["DEMO-MUG", "DEMO-CAP", "DEMO-BAG", "DEMO-PEN"])

    # -- coalescing -----------------------------------------------------------------------

    def test_deliveries_gather_in_one_job_until_it_starts(self):
        """Deliveries before the job starts go into it, without repeats: one GetProducts call for
        all; a delivery after the runner claimed it starts the next job."""
        for sku in ("DEMO-MUG", "DEMO-CAP", "DEMO-MUG", "DEMO-BAG", "DEMO-CAP"):
            self.assertEqual(self.sell(sku, 1)["status"], 200)
        first = self.instant_jobs()
        self.assertEqual(self.queued(first), ["DEMO-MUG", "DEMO-CAP", "DEMO-BAG"])
        self.assertEqual(self.account.webhook_events_today, 5)

        claimed = self.env["marketplace.job"]._claim_next_job()
        self.assertEqual(claimed, first)
        self.sell("DEMO-MUG", 1)  # Zortout read for the first job may already be past this sale
        second = self.instant_jobs() - first
        self.assertEqual((second.state, self.queued(second)), ("pending", ["DEMO-MUG"]))
        self.assertEqual(self.queued(first), ["DEMO-MUG", "DEMO-CAP", "DEMO-BAG"], "a started job is not changed")

        first._execute(lambda: 60.0)
        self.run_runner()
        self.assertEqual((first.state, second.state), ("done", "done"))
        self.assertEqual(self.skulist_calls(), [("DEMO-MUG,DEMO-CAP,DEMO-BAG", CODE), ("DEMO-MUG", CODE)])
        for sku in ("DEMO-MUG", "DEMO-CAP", "DEMO-BAG"):
            self.assertEqual(self.on_hand(self.products[sku]), self.zortout_quantity(sku, CODE), sku)

    def test_a_flood_is_one_job_read_in_batches_of_100(self):
        """250 deliveries naming 150 SKUs (many twice): one job, two skulist calls of at most 100."""
        skus = [f"FLOOD-{number:03d}" for number in range(150)]
        for index in range(250):
            self.assertEqual(self.deliver(skus[index % 150]).status_code, 200)
        job = self.instant_jobs()
        self.assertEqual(len(job), 1)
        self.assertEqual(self.queued(job), skus)
        self.assertEqual(self.account.webhook_events_today, 250)
        self.run_runner()
        self.assertEqual(job.state, "done", job.error)
        batches = [skulist.split(",") for skulist, _code in self.skulist_calls()]
        self.assertEqual([len(batch) for batch in batches], [100, 50])
        self.assertEqual(sum(batches, []), skus)
        # none of these SKUs is known to Zortout or Odoo: reported, nothing written
        self.assertEqual(json.loads(job.result)["fetched"], 0)

    def test_a_full_job_overflows_into_the_next(self):
        """A pending job holds at most the payload's limit of SKUs; the rest starts another job."""
        with patch("odoo.addons.otd_marketplace_stock.models.marketplace_account_webhook.MAX_SKUS", 3):
            self.deliver("A1", "A2")
            self.deliver("A2", "A3", "A4", "A5")
            self.deliver("A6")
        first, second = self.instant_jobs()
        self.assertEqual((self.queued(first), self.queued(second)), (["A1", "A2", "A3"], ["A4", "A5", "A6"]))

    def test_the_window_gathers_then_the_runner_is_woken(self):
        """With the window (system parameter) the job is due that many seconds after the first
        delivery, and the runner cron is triggered for that moment."""
        self.env["ir.config_parameter"].sudo().set_param(PARAM_WEBHOOK_WINDOW, "30")
        runners = self.env["marketplace.job"]._runner_crons()
        triggers_before = self.env["ir.cron.trigger"].search([("cron_id", "in", runners.ids)])
        started = fields.Datetime.now()
        self.sell("DEMO-MUG", 1)
        self.sell("DEMO-CAP", 1)
        job = self.instant_jobs()
        self.assertEqual(self.queued(job), ["DEMO-MUG", "DEMO-CAP"])
        self.assertGreaterEqual(job.next_run_at, started + timedelta(seconds=29))
        self.assertLessEqual(job.next_run_at, started + timedelta(seconds=32))
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "in", runners.ids)]) - triggers_before
        self.assertIn(job.next_run_at, triggers.mapped("call_at"))

        self.assertFalse(self.run_runner(), "not due yet: the window is still gathering")
        job.next_run_at = fields.Datetime.now()
        self.assertEqual(self.run_runner(), job)
        self.assertEqual(job.state, "done")

    def test_instant_jobs_leave_pull_stock_and_the_schedule_alone(self):
        """A pending instant job does not stop Pull Stock, and a finished one is no "Last Sync":
        the scheduled full pull keeps its rhythm."""
        self.sell("DEMO-MUG", 1)
        pull = self.account.action_pull_stock()
        full = self.env["marketplace.job"].browse(pull["res_id"])
        self.assertEqual((full.job_type, full.state), ("sync_stock_from_zortout", "done"))
        last_sync = self.account.last_sync_at
        self.assertTrue(last_sync)

        self.account.sudo().last_sync_at = fields.Datetime.now() - timedelta(hours=2)
        self.account.pull_interval = 60
        self.run_runner()
        self.assertEqual(self.instant_jobs().state, "done")
        self.assertLess(self.account.last_sync_at, fields.Datetime.now() - timedelta(hours=1))
        self.assertEqual(self.account.webhook_job_id, self.instant_jobs())
        self.assertEqual(self.account.webhook_job_state, "done")

    # -- refused --------------------------------------------------------------------------

    def test_wrong_or_missing_keys_are_refused_and_nothing_is_queued(self):
        self.assertEqual(self.deliver("DEMO-MUG").status_code, 200)
        key1, key2, key3 = self.keys()
        cases = {
            "no keys at all": {},
            "key1 wrong": {**self.key_headers(), "key1": "x" + key1},
            "key2 wrong": self.key_headers((key1, key2[:-1], key3)),
            "key3 missing": {"Authorization": f"Basic {key1}", "key1": key1, "key2": key2},
            "Authorization wrong": {**self.key_headers(), "Authorization": f"Basic {key2}"},
            "keys swapped": self.key_headers((key2, key1, key3)),
            "only Authorization": {"Authorization": f"Basic {key1}"},
            "Bearer, not Basic": {"Authorization": f"Bearer {key1}", "key2": key2, "key3": key3},
        }
        with self.assertLogs(WEBHOOK_LOGGER, level="WARNING") as logs:
            for name, headers in cases.items():
                with self.subTest(name):
                    response = self.post(json_body={"sku": "DEMO-CAP"}, headers=headers)
                    self.assertEqual(response.status_code, 401)
        self.assertEqual(self.queued(self.instant_jobs()), ["DEMO-MUG"], "nothing of the refused deliveries")
        self.assertEqual(self.account.webhook_events_today, 1)
        self.assertEqual(self.account.webhook_refused_today, len(cases))
        self.assertIn(self.account.webhook_last_refusal, ("wrong_keys", "missing_keys"))
        self.assertEqual(len(logs.output), len(cases))
        self.assertTrue(all("event=webhook_refused status=401" in line for line in logs.output))
        text = "\n".join(logs.output)
        for secret in (key1, key2, key3, self.account.sudo().webhook_token):
            self.assertNotIn(secret, text)

    def test_unknown_token_or_instant_sync_off_is_404(self):
        self.assertEqual(self.deliver("DEMO-MUG", path="/otd_marketplace_stock/webhook/nope").status_code, 404)
        self.assertEqual(self.deliver("DEMO-MUG", path="/otd_marketplace_stock/webhook/" + "x" * 300).status_code,
                         404)
        self.account.action_disable_instant_sync()
        self.assertEqual(self.sandbox.webhook.current_config()["updatequantityurl"], "")
        self.assertEqual(self.deliver("DEMO-MUG").status_code, 404)
        self.assertFalse(self.instant_jobs())

    def test_oversize_and_unreadable_bodies_are_400(self):
        too_big = json.dumps({"sku": "DEMO-MUG", "name": "x" * WEBHOOK_MAX_BODY})
        cases = {
            "over 64 KB": {"data": too_big, "headers": {**self.key_headers(), "Content-Type": "application/json"}},
            "not JSON": {"data": b"sku=DEMO-MUG&stock=1", "headers": {**self.key_headers(),
                                                                      "Content-Type": "text/plain"}},
            "empty": {"data": b""},
            "not UTF-8": {"data": b'{"sku": "\xff"}', "headers": {**self.key_headers(),
                                                                 "Content-Type": "application/json"}},
            "form without JSON": {"data": {"payload": "{sku: DEMO-MUG"}},
        }
        with self.assertLogs(WEBHOOK_LOGGER, level="WARNING") as logs:
            for name, kwargs in cases.items():
                with self.subTest(name):
                    self.assertEqual(self.post(**kwargs).status_code, 400)
        self.assertFalse(self.instant_jobs())
        self.assertIn("reason=too_large", logs.output[0])
        self.assertTrue(all("reason=unreadable" in line for line in logs.output[1:]))
        self.assertEqual(self.account.webhook_refused_today, len(cases))
        # an oversize body is refused even before the keys are looked at
        self.assertEqual(self.post(data=too_big, headers={}).status_code, 400)

    def test_other_events_and_products_without_sku_are_answered_but_not_queued(self):
        with self.assertLogs(WEBHOOK_LOGGER, level=logging.INFO) as logs:
            self.assertEqual(self.post(json_body={"id": 5, "number": "SO-1"},
                                       params={"method": "ADDORDER"}).status_code, 200)
            self.assertEqual(self.post(json_body={"id": 5, "name": "no sku"}).status_code, 200)
            self.assertEqual(self.post(json_body={"sku": "A,B"}).status_code, 200)
        self.assertFalse(self.instant_jobs())
        self.assertEqual(self.account.webhook_events_today, 3)
        self.assertIn("reason=other_event", logs.output[0])
        self.assertIn("reason=no_sku", logs.output[1])
        self.assertIn("unusable_skus=1", logs.output[2])

    def test_get_is_not_a_delivery(self):
        response = self.url_open(self.path(), allow_redirects=False)
        self.assertEqual(response.status_code, 405)
        self.assertFalse(self.instant_jobs())

    def test_the_answer_is_empty_and_fast(self):
        response = self.deliver("DEMO-MUG")
        self.assertEqual((response.status_code, response.content), (200, b""))
        self.assertNotIn("session_id", response.cookies)

    def test_the_monitor_shows_deliveries_and_refusals(self):
        """Both monitor scripts show an accepted delivery with its job, the instant job queued, and
        refusals with the status and the reason; never a key."""
        with tempfile.TemporaryDirectory() as folder:
            log = Path(folder) / "odoo.log"
            logger = logging.getLogger("odoo.addons.otd_marketplace_stock")
            handler = logging.FileHandler(log, encoding="utf-8")
            handler.setFormatter(logging.Formatter(ODOO_LOG_FORMAT))
            handler.addFilter(_DbName())
            logger.addHandler(handler)
            try:
                self.deliver("DEMO-MUG")
                self.deliver("DEMO-CAP", headers=self.key_headers(("x", "y", "z")))
                self.deliver("DEMO-CAP", path="/otd_marketplace_stock/webhook/unknown")
            finally:
                logger.removeHandler(handler)
                handler.close()
            job = self.instant_jobs()
            account = f"account={self.account.id}"
            for script in ("monitor_stock_sync.sh", "monitor_stock_sync_detailed.sh"):
                with self.subTest(script):
                    done = subprocess.run(["bash", str(ADDON_DIR / script), "--once", "--no-color", str(log)],
                                          capture_output=True, text=True, timeout=60, check=False)
                    self.assertEqual(done.returncode, 0, done.stderr)
                    lines = done.stdout.splitlines()
                    self.assertTrue(any(f"{job.reference} webhook_accepted {account} skus=1 added=1" in line
                                        for line in lines), lines)
                    self.assertTrue(any(f"{job.reference} instant_queued {account} skus=1" in line for line in lines))
                    self.assertTrue(any(f"- webhook_refused {account} status=401 reason=wrong_keys" in line
                                        for line in lines))
                    self.assertTrue(any("- webhook_refused status=404 reason=unknown_token" in line for line in lines))
                    for secret in (*self.keys(), self.account.sudo().webhook_token):
                        self.assertNotIn(secret, done.stdout)
