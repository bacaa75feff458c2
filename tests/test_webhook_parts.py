"""The plain-Python parts of instant sync: the client's GetWebhook/UpdateWebhook, the
sandbox's webhook (configuration, deliveries, control endpoint and command line),
reading a delivery, checking its keys, and judging Odoo's public address."""

import base64
import json
import logging
import select
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import requests

from odoo import fields, sql_db
from odoo.tests import tagged
from odoo.tests.common import BaseCase, get_db_name

from odoo.addons.otd_marketplace_stock.const import WEBHOOK_ROUTE
from odoo.addons.otd_marketplace_stock.models.marketplace_job_webhook import notify_runner_later
from odoo.addons.otd_marketplace_stock.services.webhook_events import webhook_event
from odoo.addons.otd_marketplace_stock.services.webhook_payload import (
    DeliveryError,
    check_keys,
    clean_sku,
    parse_delivery,
)
from odoo.addons.otd_marketplace_stock.services.webhook_url import public_url_problem
from odoo.addons.otd_marketplace_stock.zortout import (
    QUANTITY_URL_KEY,
    WEBHOOK_URL_KEYS,
    WebhookConfig,
    ZortoutAuthError,
    ZortoutPermanentError,
)
from odoo.addons.otd_marketplace_stock.zortout_sandbox import Catalogue
from odoo.addons.otd_marketplace_stock.zortout_sandbox.__main__ import build_server, names_control_command, parse_args

from .sandbox_case import SandboxCase

GET_WEBHOOK = "/Webhook/GetWebhook"
UPDATE_WEBHOOK = "/Webhook/UpdateWebhook"
ADDON_DIR = Path(__file__).resolve().parent.parent


class _Receiver(BaseHTTPRequestHandler):
    """Records the deliveries it gets and answers with the status it is told."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.got.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                "body": self.rfile.read(length)})
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@tagged("post_install", "-at_install")
class TestWebhookClientAndSandbox(SandboxCase, BaseCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
        cls.receiver.got, cls.receiver.status = [], 200
        threading.Thread(target=cls.receiver.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.receiver.server_close)
        cls.addClassCleanup(cls.receiver.shutdown)
        cls.hook_url = f"http://127.0.0.1:{cls.receiver.server_address[1]}/hook/abc"

    def setUp(self):
        super().setUp()
        self.receiver.got.clear()
        self.receiver.status = 200
        self.client = self.make_client()

    def set_stock_through_the_api(self, sku, quantity, warehouse_code):
        """A stock change through Zortout's API with the store's own key (another integration's)."""
        sandbox = self.sandbox
        answer = requests.post(f"{sandbox.base_url}/Product/UpdateProductStockList", timeout=10,
                               params={"warehousecode": warehouse_code},
                               json={"stocks": [{"sku": sku, "stock": quantity}]},
                               headers={"storename": sandbox.store_name, "apikey": sandbox.api_key,
                                        "apisecret": sandbox.api_secret})
        self.assertEqual(answer.json()["resCode"], "200")

    # -- the client ---------------------------------------------------------------

    def test_no_webhook_is_an_empty_configuration(self):
        for words in ("Webhook not found", "Invalid webhook"):
            with self.subTest(words):
                self.sandbox.webhook_none_answer = words
                config = self.client.get_webhook()
                self.assertFalse(config.exists)
                self.assertIsNone(config.keys)
                self.assertEqual(config.url(), "")

    def test_update_keeps_what_it_was_given_and_replaces_the_rest(self):
        """UpdateWebhook replaces the whole configuration: what the client read comes back intact
        with the one URL changed; a URL left out of the body is switched off."""
        self.sandbox.webhook.set("k1", "k2", "k3", addorderurl="https://crm.example/orders",
                                 updateproducturl="https://crm.example/products")
        config = self.client.get_webhook()
        self.assertEqual(config.keys, ("k1", "k2", "k3"))
        self.assertEqual(config.active_urls(), {"addorderurl": "https://crm.example/orders",
                                                "updateproducturl": "https://crm.example/products"})
        self.client.update_webhook(config.with_url(QUANTITY_URL_KEY, self.hook_url), config.keys)
        stored = self.sandbox.webhook.current_config()
        self.assertEqual((stored["addorderurl"], stored["updateproducturl"], stored[QUANTITY_URL_KEY]),
                         ("https://crm.example/orders", "https://crm.example/products", self.hook_url))
        self.assertEqual((stored["key1"], stored["key2"], stored["key3"]), ("k1", "k2", "k3"))
        # what a careless client would do: only its own URL in the body
        self.client.update_webhook(WebhookConfig(urls={QUANTITY_URL_KEY: self.hook_url}), ("k1", "k2", "k3"))
        self.assertEqual(self.sandbox.webhook.current_config()["addorderurl"], "")

    def test_keys_never_reach_a_log_line_or_the_request_log(self):
        with self.assertLogs("odoo.addons.otd_marketplace_stock.zortout", level="DEBUG") as logs:
            self.client.update_webhook(WebhookConfig.none(), ("secret-one", "secret-two", "secret-three"))
        text = "\n".join(logs.output) + json.dumps(self.sandbox.requests, default=str)
        for secret in ("secret-one", "secret-two", "secret-three"):
            self.assertNotIn(secret, text)
        self.assertNotIn("secret-one", repr(self.client.get_webhook()))
        with self.assertRaises(ValueError):
            self.client.update_webhook(WebhookConfig.none(), ("a", "", "c"))

    def test_get_webhook_answer_shapes(self):
        """Keys and URLs beside res, inside detail, or without any envelope are all read."""
        self.sandbox.webhook.set("k1", "k2", "k3", updatequantityurl=self.hook_url)
        self.sandbox.webhook_envelope = "detail"
        self.assertEqual(self.client.get_webhook().url(), self.hook_url)
        bare = WebhookConfig.from_api({"key1": "a", "key2": "b", "key3": "c", "updatequantityurl": "u",
                                       "hookVersion": 2, "customurl": "x"})
        self.assertEqual((bare.keys, bare.url(), bare.version, bare.urls["customurl"]),
                         (("a", "b", "c"), "u", "2", "x"))
        partial = WebhookConfig.from_api({"res": {"resCode": "200"}, "list": [{"key1": "a", "addorderurl": None}]})
        self.assertIsNone(partial.keys)
        self.assertEqual(partial.urls, {"addorderurl": ""})
        self.assertIn(QUANTITY_URL_KEY, WEBHOOK_URL_KEYS)

    def test_refusals_are_errors(self):
        self.sandbox.webhook.set("k1", "k2", "k3")
        with self.assertRaises(ZortoutAuthError):
            self.make_client(api_key="wrong", max_retries=0).get_webhook()
        with self.assertRaises(ZortoutPermanentError) as refused:
            self.client._call("POST", UPDATE_WEBHOOK, json_body={"key1": "", "key2": "b", "key3": "c"},
                              kind="write")
        self.assertIn("required", refused.exception.res_desc)

    # -- the sandbox's deliveries ------------------------------------------------------

    def test_a_sale_is_delivered_with_the_three_keys(self):
        self.sandbox.webhook.set("k1", "k2", "k3", updatequantityurl=self.hook_url)
        record = self.sandbox.sell("DEMO-MUG", 2, "W0001")
        self.assertEqual((record["status"], record["sku"], record["format"]), (200, "DEMO-MUG", "json"))
        (got,) = self.receiver.got
        self.assertEqual(got["path"], "/hook/abc")
        self.assertEqual((got["headers"]["authorization"], got["headers"]["key1"], got["headers"]["key2"],
                          got["headers"]["key3"]), ("Basic k1", "k1", "k2", "k3"))
        product = json.loads(got["body"])
        # store-wide quantities, no warehouse code: 120+24+60 - 2 on hand
        self.assertEqual(product, {"id": product["id"], "sku": "DEMO-MUG", "name": "Demo ceramic mug",
                                   "stock": "202.00", "availablestock": "195.00"})
        self.assertEqual(self.sandbox.quantities("DEMO-MUG", "W0001"), ("118.00", "113.00"))
        self.assertEqual(self.sandbox.webhook.deliveries, [record])

    def test_delivery_shapes(self):
        self.sandbox.webhook.set("k1", "k2", "k3", updatequantityurl=self.hook_url)
        self.sandbox.webhook_format = "payload"
        self.sandbox.sell("DEMO-CAP", 1)
        self.sandbox.webhook_format = "datas"
        self.sandbox.set_quantity("DEMO-CAP", 10)
        payload, datas = self.receiver.got
        self.assertEqual(payload["path"], "/hook/abc?method=UPDATEPRODUCTQUANTITY")
        self.assertEqual(json.loads(parse_qs(payload["body"].decode())["payload"][0])["sku"], "DEMO-CAP")
        form = parse_qs(datas["body"].decode())
        self.assertEqual((form["method"][0], json.loads(form["datas"][0])["stock"]),
                         ("UPDATEPRODUCTQUANTITY", "16.00"))

    def test_no_url_no_delivery_and_no_echo(self):
        self.assertIsNone(self.sandbox.sell("DEMO-MUG", 1))
        self.sandbox.webhook.set("k1", "k2", "k3", updatequantityurl=self.hook_url)
        # a change through the API with the store's own key is not delivered
        self.set_stock_through_the_api("DEMO-MUG", 5, "W0001")
        self.assertEqual(self.receiver.got, [])
        self.receiver.status = 500
        self.assertEqual(self.sandbox.sell("DEMO-MUG", 1)["status"], 500)
        self.sandbox.webhook.set("k1", "k2", "k3", updatequantityurl="http://127.0.0.1:9/closed")
        failed = self.sandbox.sell("DEMO-MUG", 1)
        self.assertIsNone(failed["status"])
        self.assertIn("Error", failed["error"])

    def test_control_endpoint_and_command_line(self):
        """python -m zortout_sandbox sell SKU 2 tells a running sandbox to sell; it delivers."""
        self.sandbox.webhook.set("k1", "k2", "k3", updatequantityurl=self.hook_url)
        env = {"PYTHONPATH": str(ADDON_DIR), "PATH": "/usr/bin:/bin"}
        command = [sys.executable, "-m", "zortout_sandbox", "--port", str(self.sandbox.port)]
        sold = subprocess.run([*command, "sell", "DEMO-BAG", "3", "--warehouse", "ODS001"], capture_output=True,
                              text=True, timeout=60, env=env, check=False)
        self.assertEqual(sold.returncode, 0, sold.stderr)
        self.assertIn("DEMO-BAG in ODS001: stock 42.00, available 42.00", sold.stdout)
        self.assertIn(f"delivered to {self.hook_url}: HTTP 200", sold.stdout)
        self.assertEqual(json.loads(self.receiver.got[0]["body"])["sku"], "DEMO-BAG")
        counted = subprocess.run([*command, "set", "DEMO-BAG", "50"], capture_output=True, text=True,
                                 timeout=60, env=env, check=False)
        self.assertEqual(counted.returncode, 0, counted.stderr)
        self.assertEqual(self.sandbox.quantities("DEMO-BAG", "W0001")[0], "50.00")
        shown = subprocess.run([*command, "webhook"], capture_output=True, text=True, timeout=60, env=env,
                               check=False)
        self.assertEqual(json.loads(shown.stdout)["config"]["key1"], "***")
        unknown = subprocess.run([*command, "sell", "NO-SUCH-SKU"], capture_output=True, text=True, timeout=60,
                                 env=env, check=False)
        self.assertEqual(unknown.returncode, 1)
        self.assertIn("unknown SKU", unknown.stderr)
        self.assertEqual(self.calls_to(GET_WEBHOOK), [], "control requests are not Zortout calls")
        self.assertTrue(names_control_command(["--port", "1", "sell", "A"]))
        self.assertFalse(names_control_command(["--catalogue", "demo"]))

    def test_webhook_behaviours_have_options(self):
        _parser, args = parse_args(["--webhook-format", "datas", "--webhook-none-answer", "Invalid webhook",
                                    "--webhook-envelope", "detail"])
        server = build_server(args, Catalogue())
        self.assertEqual((server.webhook_format, server.webhook_none_answer, server.webhook_envelope),
                         ("datas", "Invalid webhook", "detail"))


@tagged("post_install", "-at_install")
class TestDeliveryReading(BaseCase):

    def test_request_log_hides_the_token(self):
        """Odoo's line for each request names its path: the webhook URL's token shows as ***."""
        token = "hidden-token-0123456789abcdefghij"
        line = f"POST {WEBHOOK_ROUTE}/{token}?method=UPDATEPRODUCTQUANTITY HTTP/1.1"
        record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '"%s" %s %s', (line, "200", "-"), None)
        self.assertTrue(logging.getLogger("werkzeug").filter(record))
        text = record.getMessage()
        self.assertNotIn(token, text)
        self.assertIn(f"POST {WEBHOOK_ROUTE}/***?method=UPDATEPRODUCTQUANTITY HTTP/1.1", text)
        other = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '"%s" %s %s', ("GET /odoo HTTP/1.1", 200, "-"),
                                  None)
        self.assertTrue(logging.getLogger("werkzeug").filter(other))
        self.assertEqual(other.getMessage(), '"GET /odoo HTTP/1.1" 200 -')

    def test_shapes(self):
        product = json.dumps({"id": 1, "sku": "P0001", "stock": "20.00", "availablestock": "10.00"})
        raw = parse_delivery(product.encode(), {}, {})
        self.assertEqual((raw.skus, raw.shape, raw.event, bool(webhook_event(raw.event))),
                         (("P0001",), "json", None, True))
        form = parse_delivery(b"", {"payload": product}, {"method": "UPDATEPRODUCTQUANTITY"})
        self.assertEqual((form.skus, form.shape), (("P0001",), "payload"))
        datas = parse_delivery(b"", {"datas": product, "method": "ADDORDER"}, {})
        self.assertEqual((datas.skus, datas.shape, bool(webhook_event(datas.event))), (("P0001",), "datas", False))
        many = parse_delivery(json.dumps({"list": [{"sku": "A"}, {"sku": "B "}, {"sku": "A"}, 5]}).encode())
        self.assertEqual(many.skus, ("A", "B"))
        thai = parse_delivery('{"sku": "เสื้อ-01"}'.encode("utf-8-sig"))
        self.assertEqual(thai.skus, ("เสื้อ-01",))
        number = parse_delivery(b'{"sku": 12345}')
        self.assertEqual(number.skus, ("12345",))
        self.assertEqual(parse_delivery(b'{"id": 1}').skus, ())
        self.assertEqual(parse_delivery(b'[{"sku": "A,B"}, {"sku": "C"}]').unusable, 1)
        self.assertEqual((clean_sku(None), clean_sku(" x "), clean_sku("a\nb")), ("", "x", None))

    def test_unreadable(self):
        for body, form in ((b"", {}), (b"   ", {}), (b"not json", {}), (b"\xff\xfe", {}), (b"", {"payload": "{x"})):
            with self.subTest(body=body, form=form), self.assertRaises(DeliveryError) as error:
                parse_delivery(body, form, {})
            self.assertEqual(error.exception.reason, "unreadable")

    def test_keys(self):
        keys = ("one", "two", "three")
        good = {"Authorization": "Basic one", "key1": "one", "key2": "two", "key3": "three"}
        self.assertIsNone(check_keys(keys, good))
        self.assertIsNone(check_keys(keys, {**good, "Authorization": "Basic " + base64.b64encode(b"one").decode()}))
        self.assertIsNone(check_keys(keys, {"key1": "one", "key2": "two", "key3": "three"}))
        self.assertIsNone(check_keys(keys, {"Authorization": "BASIC one", "key2": "two", "key3": "three"}))
        self.assertEqual(check_keys(keys, {}), "missing_keys")
        self.assertEqual(check_keys(keys, {"Authorization": "Basic one", "key2": "two"}), "missing_keys")
        self.assertEqual(check_keys(keys, {**good, "Authorization": "Basic two"}), "wrong_keys")
        self.assertEqual(check_keys(keys, {**good, "key3": "three "}), "wrong_keys")
        self.assertEqual(check_keys(("", "", ""), {"key1": "", "key2": "", "key3": ""}), "wrong_keys")
        self.assertEqual(check_keys(keys, {**good, "key1": "ü"}), "wrong_keys")

    def test_public_address(self):
        self.assertIsNone(public_url_problem("https://erp.example.co.th"))
        self.assertIsNone(public_url_problem("https://8.8.8.8:8443/odoo"))
        for url in ("http://localhost:8069", "https://127.0.0.1", "https://192.168.1.20", "https://10.0.0.5",
                    "https://172.20.1.1", "https://[::1]", "https://odoo", "https://erp.local", "https://169.254.1.1"):
            with self.subTest(url):
                self.assertEqual(public_url_problem(url)[0], "local")
        self.assertEqual(public_url_problem("http://erp.example.co.th"), ("not_https", "erp.example.co.th"))
        self.assertEqual(public_url_problem("")[0], "invalid")
        self.assertEqual(public_url_problem("ftp://x.example")[0], "invalid")


@tagged("post_install", "-at_install")
class TestRunnerWakeUp(BaseCase):

    def test_the_cron_workers_are_woken_when_the_job_falls_due(self):
        """Odoo's cron workers sleep up to a minute and wake early only on a cron_trigger
        notification: the process that queued an instant job sends one when the job falls due,
        not before."""
        dbname = get_db_name()
        with sql_db.db_connect("postgres").cursor() as cr:
            cr.execute("LISTEN cron_trigger")
            # a cursor of its own on the postgres database: LISTEN starts listening at the commit
            cr.commit()  # pylint: disable=invalid-commit
            connection = cr._cnx
            started = time.monotonic()
            notify_runner_later(dbname, fields.Datetime.now() + timedelta(seconds=2))
            heard = []  # when a wake-up for this database came (another test's may come too: only timing counts)
            while time.monotonic() - started < 5:
                select.select([connection], [], [], 0.2)
                connection.poll()
                heard += [time.monotonic() - started for notice in connection.notifies if notice.payload == dbname]
                connection.notifies.clear()
            cr.execute("UNLISTEN cron_trigger")
        # the job is due one to two seconds from now (Odoo's times are whole seconds), plus a margin
        self.assertTrue(any(0.9 <= moment <= 4.0 for moment in heard), f"wake-ups heard at {heard} s")
