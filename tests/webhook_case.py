"""Shared set-up of the instant-sync tests: the account of MarketplaceCase served
over HTTP (HttpCase), instant sync enabled against the sandbox, and methods that
post deliveries to Odoo's real endpoint."""

import json
import logging
from contextlib import contextmanager

from odoo.tests import HttpCase

from odoo.addons.otd_marketplace_stock.const import INSTANT_JOB_TYPE, PARAM_WEBHOOK_WINDOW, WEBHOOK_ROUTE

from .common import JOB_LOGGER, MarketplaceCase

WEBHOOK_LOGGER = "odoo.addons.otd_marketplace_stock.controllers.webhook"
CODE = "W0001"


class WebhookCase(MarketplaceCase, HttpCase):
    """MarketplaceCase over HTTP: deliveries reach the endpoint through Odoo's HTTP server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.zortout_warehouse_code = CODE
        # the window is tested on its own; elsewhere an instant job is due at once
        cls.env["ir.config_parameter"].sudo().set_param(PARAM_WEBHOOK_WINDOW, "0")

    # -- set-up ------------------------------------------------------------------

    def enable(self, account=None):
        account = account or self.account
        action = account.action_enable_instant_sync()
        self.assertEqual(action["params"]["type"], "warning", action["params"]["message"])  # 127.0.0.1 is local
        self.assertTrue(account.webhook_enabled)
        return account

    def keys(self, account=None):
        return (account or self.account).sudo()._webhook_keys()

    def url(self, account=None):
        return (account or self.account).sudo().webhook_url

    def path(self, account=None):
        return f"{WEBHOOK_ROUTE}/{(account or self.account).sudo().webhook_token}"

    def key_headers(self, keys=None, authorization=True):
        key1, key2, key3 = keys or self.keys()
        headers = {"key1": key1, "key2": key2, "key3": key3}
        if authorization:
            headers["Authorization"] = f"Basic {key1}"
        return headers

    # -- deliveries --------------------------------------------------------------

    def post(self, path=None, data=None, headers=None, params=None, json_body=None):
        """POST to the endpoint as Zortout would; returns the response."""
        headers = dict(self.key_headers() if headers is None else headers)
        if json_body is not None:
            data = json.dumps(json_body)
            headers.setdefault("Content-Type", "application/json")
        response = self.url_open(path or self.path(), data=data if data is not None else b"", headers=headers,
                                 params=params, method="POST", allow_redirects=False)
        self.env.invalidate_all()
        return response

    def deliver(self, *skus, **kwargs):
        """One delivery naming ``skus`` in the documented raw-JSON shape."""
        products = [{"id": 1000 + index, "sku": sku, "name": sku, "stock": "1.00", "availablestock": "1.00"}
                    for index, sku in enumerate(skus)]
        return self.post(json_body=products[0] if len(products) == 1 else products, **kwargs)

    @contextmanager
    def zortout_delivers(self):
        """Let the sandbox's own deliveries in (they carry no test cookie), after writing
        what the test changed where the request's cursor sees it, as url_open does."""
        self.env.flush_all()
        self.env.cr.clear()
        with self.allow_requests(all_requests=True):
            yield
        self.env.invalidate_all()

    def sell(self, sku, quantity=1, warehouse=CODE):
        with self.zortout_delivers():
            delivery = self.sandbox.sell(sku, quantity, warehouse)
        return delivery

    # -- what happened -----------------------------------------------------------

    def instant_jobs(self, account=None):
        return self.env["marketplace.job"].search([("account_id", "=", (account or self.account).id),
                                                   ("job_type", "=", INSTANT_JOB_TYPE)], order="id")

    def queued(self, job):
        return json.loads(job.payload).get("sku_list")

    def run_runner(self):
        jobs = self.env["marketplace.job"]._run_due_jobs(commit=False)
        self.env.invalidate_all()
        return jobs

    def skulist_calls(self):
        """The SKUs of each GetProducts call the sandbox saw, with its warehouse code."""
        return [(call["headers"].get("skulist"), call["query"].get("warehousecode"))
                for call in self.calls_to()]

    @contextmanager
    def webhook_logs(self):
        with self.assertLogs(WEBHOOK_LOGGER, level=logging.INFO) as captured:
            yield captured

    @staticmethod
    def job_logger():
        return JOB_LOGGER
