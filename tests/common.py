"""Shared set-up for the core tests: a real Odoo company, products and an
account pointed at a Zortout sandbox on 127.0.0.1 (tests/sandbox_case.py)."""

import json
from contextlib import contextmanager

from odoo import sql_db
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.otd_marketplace_stock.const import PARAM_BASE_URL
from odoo.addons.otd_marketplace_stock.tools.run_lock import hold_run_lock, release_run_lock
from odoo.addons.otd_marketplace_stock.zortout_sandbox.catalogue import DROP

from .sandbox_case import SandboxCase

JOB_LOGGER = "odoo.addons.otd_marketplace_stock"

#: storable goods of the sandbox's demo catalogue
DEMO_GOODS = ("DEMO-TSHIRT-S", "DEMO-TSHIRT-M", "DEMO-TSHIRT-L", "DEMO-MUG", "DEMO-CAP", "DEMO-BAG",
              "DEMO-BOTTLE", "DEMO-SOCKS", "DEMO-NOTEBOOK", "DEMO-PEN")

#: a Zortout row for each skip reason; the tests create the Odoo products that make each one a skip
SKIP_REASON_ROWS = (
    {"sku": "", "name": "no sku", "stock": {"W0001": 5}},
    {"sku": "TWICE", "stock": {"W0001": 5}},
    {"sku": "TWICE", "stock": {"W0001": 6}},
    {"sku": "AMBIG", "stock": {"W0001": 5}},
    {"sku": "UNKNOWN", "stock": {"W0001": 5}},
    {"sku": "SERVICE", "stock": {"W0001": 5}},
    {"sku": "ZSERVICE", "producttype": 1, "stock": {"W0001": 5}},
    {"sku": "UNTRACKED", "stock": {"W0001": 5}},
    {"sku": "LOT", "stock": {"W0001": 5}},
    {"sku": "MISSING", "stock": {"W0001": 5}, "raw": {"availablestock": DROP}},
    {"sku": "GARBLED", "stock": {"W0001": 5}, "raw": {"availablestock": "abc"}},
    {"sku": "COUNTED", "stock": {"W0001": 5}},
)


@contextmanager
def held_by_a_live_runner(env, *jobs):
    """The jobs' run locks held by another database connection, as a live runner holds them
    (the test's own connection would take them again: a session may re-take its own lock)."""
    cr = sql_db.db_connect(env.cr.dbname).cursor()
    try:
        for job in jobs:
            assert hold_run_lock(cr, job.id)
        yield
    finally:
        for job in jobs:
            release_run_lock(cr, job.id)
        cr.close()


class MarketplaceCase(SandboxCase, TransactionCase):
    """A company with a warehouse, a Marketplace user and a Zortout account on the sandbox."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env["ir.config_parameter"].sudo().set_param(PARAM_BASE_URL, cls.sandbox.base_url)
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)],
                                                          order="sequence, id", limit=1)
        cls.stock = cls.warehouse.lot_stock_id
        cls.shelf = cls.env["stock.location"].create({
            "name": "Shelf Z", "location_id": cls.stock.id, "usage": "internal"})
        cls.user = new_test_user(cls.env, "marketplace_user", groups="otd_marketplace_stock.group_marketplace_user",
                                 name="Marketplace User")
        cls.manager = new_test_user(cls.env, "marketplace_manager", name="Marketplace Manager",
                                    groups="otd_marketplace_stock.group_marketplace_manager")
        cls.account = cls.env["marketplace.account"].create({
            "name": "Zortout Test",
            "store_name": cls.sandbox.store_name,
            "api_key": cls.sandbox.api_key,
            "api_secret": cls.sandbox.api_secret,
            "stock_location_id": cls.stock.id,
            "stock_scope": "store_total",
        })
        cls.products = {sku: cls.make_product(sku) for sku in DEMO_GOODS}

    @classmethod
    def make_product(cls, sku, **values):
        values = {"name": f"Product {sku}", "default_code": sku, "type": "consu", "is_storable": True, **values}
        return cls.env["product.product"].create(values)

    @classmethod
    def location_of_its_own(cls, name):
        """An internal location outside the account's Stock Location, that another account may fill."""
        return cls.env["stock.location"].create(
            {"name": name, "location_id": cls.warehouse.view_location_id.id, "usage": "internal"})

    # -- helpers -------------------------------------------------------------

    def on_hand(self, product, location=None):
        """On hand at ``location`` (default: the account's), children included, as Inventory shows it."""
        location = location or self.stock
        return product.with_context(location=location.id).qty_available

    def set_on_hand(self, product, quantity, location=None):
        self.env["stock.quant"]._update_available_quantity(product, location or self.stock, quantity)

    def zortout_quantity(self, sku, warehouse_code=None, source="availablestock"):
        stock, available = self.sandbox.catalogue.stock_of(sku, warehouse_code)
        return float(available if source == "availablestock" else stock)

    def new_job(self, payload=None, user=None, **values):
        env = self.env(user=user) if user else self.env
        values = {
            "name": "Sync Stock from Zortout",
            "job_type": "sync_stock_from_zortout",
            "account_id": self.account.id,
            "payload": json.dumps(payload) if isinstance(payload, dict) else (payload or "{}"),
            **values,
        }
        return env["marketplace.job"].create(values)

    def run_job(self, payload=None, **values):
        job = self.new_job(payload, **values)
        job.action_run_now()
        return job

    def result(self, job):
        return json.loads(job.result)

    def inventory_moves(self, job):
        return self.env["stock.move"].search([("reference", "=", f"Zortout sync {job.reference}")])

    @contextmanager
    def expect_failure_logs(self):
        """A failing job logs an ERROR line by design; capture it so the run stays clean."""
        with self.assertLogs(JOB_LOGGER, level="WARNING") as captured:
            yield captured
