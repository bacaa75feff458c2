"""19.0.1.2.0: each account's former Zortout warehouse code becomes one warehouse mapping.

* An account with a code: one mapping, that code -> its Stock Location (or the
  stock location of the company's first active warehouse when it had none),
  exactly what its pulls did before. A code that the mapping rules refuse (a
  space, too long) is kept on the account (``legacy_warehouse_code``), said in
  its chatter and in the log: the upgrade goes on, and the account pulls nothing
  until someone maps the right code.
* An account without a code read, in version 1.1, the Zortout warehouse named
  like its location's Odoo warehouse (short name) when Zortout had it, else the
  store-wide totals. Only Zortout can say which: the account keeps store-wide
  totals and ``legacy_short_name_pending``, and its next pull asks Zortout once
  (marketplace.account._resolve_legacy_warehouse).
* A sync job caught between two steps by the upgrade starts its sweep again
  (its kept pages predate the per-warehouse sweeps).
"""

import logging

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

from odoo.addons.otd_marketplace_stock.const import MAX_CODE_LENGTH

_logger = logging.getLogger(__name__)

LEGACY_COLUMN = "zortout_warehouse_code_before_mappings"


def migrate(cr, version):
    cr.execute("""
        SELECT 1 FROM information_schema.columns
         WHERE table_name = 'marketplace_account' AND column_name = %s
    """, [LEGACY_COLUMN])
    if not cr.fetchone():
        return
    # active_test stays on: an archived Odoo warehouse is never where stock goes
    # the upgrade keeps the accounts' locations as they are, even two accounts on one location
    env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True, "marketplace_upgrade": True})
    migrate_warehouse_codes(env)
    cr.execute(SQL("ALTER TABLE marketplace_account DROP COLUMN %s", SQL.identifier(LEGACY_COLUMN)))


def code_is_valid(code):
    """The mapping's own rule (marketplace.warehouse.mapping._check_warehouse_code)."""
    return bool(code) and not any(char.isspace() for char in code) and len(code) <= MAX_CODE_LENGTH


def migrate_warehouse_codes(env):
    """Turn the codes kept in the legacy column into mappings; returns the accounts changed."""
    env.cr.execute(f'SELECT id, btrim("{LEGACY_COLUMN}") FROM marketplace_account ORDER BY id')
    accounts = env["marketplace.account"]
    for account_id, code in env.cr.fetchall():
        account = env["marketplace.account"].browse(account_id)
        accounts |= account
        if account.warehouse_mapping_ids:
            continue
        if code and code_is_valid(code):
            env["marketplace.warehouse.mapping"].create({
                "account_id": account.id, "warehouse_code": code,
                "location_id": account._zortout_target_location().id})
            account.stock_scope = "warehouses"
            _logger.info("marketplace account %s: warehouse code %r -> %s", account.id, code,
                         account.warehouse_mapping_ids.display_name)
        elif code:
            account.write({"stock_scope": "warehouses", "legacy_warehouse_code": code})
            account.message_post(body=env._(
                'The upgrade kept the Zortout warehouse code "%(code)s" of version 1.1 aside: it is not a valid '
                "code (a space, or longer than %(max)s characters). Map the right code to pull this account.",
                code=code, max=MAX_CODE_LENGTH))
            _logger.warning("marketplace account %s: warehouse code %r is not valid and was not mapped; the "
                            "account pulls nothing until a code is mapped", account.id, code)
        else:
            account.write({"stock_scope": "store_total", "legacy_short_name_pending": True})
            _logger.info("marketplace account %s: no warehouse code; its next pull maps the warehouse %r if "
                         "Zortout has it, else keeps store-wide totals", account.id,
                         account._legacy_short_name() or "")
    stopped = env["marketplace.job"].search([("state", "in", ("pending", "running")),
                                             ("sync_phase", "not in", ("start", "done"))])
    stopped.page_ids.unlink()
    stopped.write({"sync_phase": "start"})
    return accounts
