"""Run a Zortout sandbox for a test class.

Mix :class:`SandboxCase` in before an Odoo test case class::

    class TestSomething(SandboxCase, BaseCase): ...

The sandbox serves on a free port of 127.0.0.1 for the whole class. Before each
test the fault plan, the drift plan, the request log, the quota count, the
webhook configuration and its deliveries, the server's settings and the
catalogue (even a replaced one) are reset to what the class started with.
"""

import json
import math
from dataclasses import dataclass

from odoo.addons.otd_marketplace_stock.tools.job_payload import parse_payload
from odoo.addons.otd_marketplace_stock.zortout import ZortoutClient
from odoo.addons.otd_marketplace_stock.zortout_sandbox import Catalogue, SandboxServer

PRODUCTS = "/Product/GetProducts"
WAREHOUSES = "/Warehouse/GetWarehouses"

#: the server's settings, put back before each test
_MODES = ("unknown_warehouse_mode", "skulist_mode", "warehouse_filter", "skulist_in_warehouse", "detail_envelope",
          "empty_list", "quantity_format", "count_overstated_by", "daily_quota", "quota_notice_margin",
          "webhook_format", "webhook_none_answer", "webhook_envelope", "delivery_timeout")


@dataclass(frozen=True)
class ProductRead:
    """Every row of one read of GetProducts (all its SKU batches), in the order served. The
    same Zortout product can appear twice when rows shifted between pages; ``count_changed``
    tells that Zortout's ``count`` differed between two pages of a batch, ``count_mismatch``
    adds up the pages' mismatches (see ZortoutClient.fetch_page)."""

    rows: list
    pages: int
    count_mismatch: int
    count_changed: bool


def read_products(client, warehouse_code=None, sku_list=None, active_only=False):
    """Read products as the sync's fetch step does (services/sync_engine.py): page after page
    through ``client.fetch_page`` until one is the last; a SKU list, cleaned as a job's payload
    cleans it, in batches of the client's ``sku_batch_size``, one page each."""
    if sku_list is None:
        batches = [None]
    else:
        skus = parse_payload(json.dumps({"sku_list": list(sku_list)})).sku_list or ()
        size = client.sku_batch_size
        batches = [list(skus[start:start + size]) for start in range(0, len(skus), size)]
    rows, pages, mismatch, changed = [], 0, 0, False
    for batch in batches:
        number, first_count = 1, None
        while True:
            page = client.fetch_page(warehouse_code, number, sku_list=batch, active_only=active_only)
            first_count = page.count if number == 1 else first_count
            changed = changed or page.count != first_count
            rows.extend(page.rows)
            pages += 1
            mismatch += page.count_mismatch
            if page.last or batch is not None:
                break
            number += 1
    return ProductRead(rows=rows, pages=pages, count_mismatch=mismatch, count_changed=changed)


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
