"""The instant sync: the SKUs Zortout's stock webhook named, re-read and applied.

It runs the stock sync's own steps (a sync with a SKU list: GetProducts with
``skulist`` in batches of 100 for the account's warehouse code, the same rules,
change lines and result). It is a kind of its own so that it neither blocks nor
postpones Pull Stock and the scheduled full pulls, which stay the safety net:
an instant job is never an account pull, and records no "Last Sync".
"""

from odoo.addons.otd_marketplace_stock.const import INSTANT_JOB_TYPE
from odoo.addons.otd_marketplace_stock.tools.job_message import _lt

from .stock_sync import StockSync


class InstantSync(StockSync):
    code = INSTANT_JOB_TYPE
    label = _lt("Instant Sync from Zortout")
    # it runs after each sale: a GetWarehouses call each would cost the store's daily quota dearly
    trusts_known_warehouse_codes = True

    def is_account_pull(self, job):
        return False
