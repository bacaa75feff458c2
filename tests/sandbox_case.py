"""Run a Zortout sandbox for a test class.

Mix :class:`SandboxCase` in before an Odoo test case class::

    class TestSomething(SandboxCase, BaseCase): ...

The sandbox serves on a free port of 127.0.0.1 for the whole class. Before each
test the fault plan, the drift plan, the request log, the quota count, the
webhook configuration and its deliveries, the server's settings and the
catalogue (even a replaced one) are reset to what the class started with.
"""

import math

from odoo.addons.otd_marketplace_stock.zortout import ZortoutClient
from odoo.addons.otd_marketplace_stock.zortout_sandbox import Catalogue, SandboxServer

PRODUCTS = "/Product/GetProducts"
WAREHOUSES = "/Warehouse/GetWarehouses"

#: the server's settings, put back before each test
_MODES = ("unknown_warehouse_mode", "skulist_mode", "warehouse_filter", "skulist_in_warehouse", "detail_envelope",
          "empty_list", "quantity_format", "count_overstated_by", "daily_quota", "quota_notice_margin",
          "webhook_format", "webhook_none_answer", "webhook_envelope", "delivery_timeout")


class MaxJitter:
    """A jitter source that always picks the top of the range, so backoff
    delays are predictable in tests."""

    @staticmethod
    def uniform(low, high):
        return high


class SandboxCase:
    #: keyword arguments for SandboxServer (credentials, modes)
    sandbox_options = {}

    @classmethod
    def sandbox_catalogue(cls):
        """The catalogue the class starts with (the demo one by default)."""
        return Catalogue.demo()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = SandboxServer(cls.sandbox_catalogue(), **cls.sandbox_options).start()
        cls.addClassCleanup(cls.sandbox.stop)
        cls._sandbox_catalogue = cls.sandbox.catalogue
        cls._sandbox_snapshot = cls.sandbox.catalogue.snapshot()
        cls._sandbox_modes = {mode: getattr(cls.sandbox, mode) for mode in _MODES}

    def setUp(self):
        super().setUp()
        self.reset_sandbox()
        self.sleeps = []

    def reset_sandbox(self):
        sandbox = self.sandbox
        sandbox.faults.clear()
        sandbox.drift.clear()
        sandbox.clear_requests()
        sandbox.reset_quota()
        sandbox.webhook.reset()
        sandbox.catalogue = self._sandbox_catalogue
        sandbox.catalogue.restore(self._sandbox_snapshot)
        for mode, value in self._sandbox_modes.items():
            setattr(sandbox, mode, value)

    def use_catalogue(self, catalogue):
        """Serve ``catalogue`` for the rest of this test."""
        self.sandbox.catalogue = catalogue
        self.sandbox.clear_requests()
        return catalogue

    def make_client(self, **options):
        """A client pointed at the sandbox; sleeps are recorded, not slept."""
        sandbox = self.sandbox
        options.setdefault("sleep", self.sleeps.append)
        options.setdefault("read_timeout", 5.0)
        client = ZortoutClient(
            options.pop("store_name", sandbox.store_name),
            options.pop("api_key", sandbox.api_key),
            options.pop("api_secret", sandbox.api_secret),
            options.pop("base_url", sandbox.base_url),
            **options,
        )
        self.addCleanup(client.close)
        return client

    def calls_to(self, route=PRODUCTS):
        return self.sandbox.requests_to(route)

    @staticmethod
    def expected_pages(count, limit=500):
        return max(1, math.ceil(count / limit))
