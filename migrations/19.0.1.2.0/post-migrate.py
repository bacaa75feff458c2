"""19.0.1.2.0: each account's former Zortout warehouse code becomes one warehouse mapping.

* An account with a code: one mapping, that code -> its Stock Location (or the
  company's first warehouse stock location when it had none), exactly what its
  pulls did before.
* An account without a code summed every Zortout warehouse into its location:
  it now says so ("Store-wide totals into one location"), as an explicit choice.
* A sync job caught between two steps by the upgrade starts its sweep again
  (its kept pages predate the per-warehouse sweeps).
"""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)

LEGACY_COLUMN = "zortout_warehouse_code_before_mappings"


def migrate(cr, version):
    cr.execute("""
        SELECT 1 FROM information_schema.columns
         WHERE table_name = 'marketplace_account' AND column_name = %s
    """, [LEGACY_COLUMN])
    if not cr.fetchone():
        return
    env = api.Environment(cr, SUPERUSER_ID, {"active_test": False, "tracking_disable": True})
    migrate_warehouse_codes(env)
    cr.execute(f'ALTER TABLE marketplace_account DROP COLUMN "{LEGACY_COLUMN}"')


def migrate_warehouse_codes(env):
    """Turn the codes kept in the legacy column into mappings; returns the accounts changed."""
    env.cr.execute(f'SELECT id, btrim("{LEGACY_COLUMN}") FROM marketplace_account ORDER BY id')
    accounts = env["marketplace.account"]
    for account_id, code in env.cr.fetchall():
        account = env["marketplace.account"].browse(account_id)
        if code and not account.warehouse_mapping_ids:
            env["marketplace.warehouse.mapping"].create({
                "account_id": account.id, "warehouse_code": code,
                "location_id": account._zortout_target_location().id})
            account.stock_scope = "warehouses"
        elif not code and not account.warehouse_mapping_ids:
            account.stock_scope = "store_total"
        accounts |= account
        _logger.info("marketplace account %s: warehouse code %r -> %s", account.id, code or "",
                     account.warehouse_mapping_ids.mapped("display_name") or "store-wide totals")
    stopped = env["marketplace.job"].search([("state", "in", ("pending", "running")),
                                             ("sync_phase", "not in", ("start", "done"))])
    stopped.page_ids.unlink()
    stopped.write({"sync_phase": "start"})
    return accounts
