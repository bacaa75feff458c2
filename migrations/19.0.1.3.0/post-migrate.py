"""19.0.1.3.0: undo what the 19.0.1.2.0 upgrade got wrong.

1. Version 1.1 read, for an account without a warehouse code, the Zortout
   warehouse named like its location's Odoo warehouse when Zortout had it;
   19.0.1.2.0 made every such account "store-wide totals". The accounts that
   upgrade changed are those with store-wide totals and no mapping that existed
   before it (older than the field it added) and whose choice nobody changed
   since (no tracked change of it in their chatter): their next pull asks Zortout
   once (marketplace.account._resolve_legacy_warehouse).
2. 19.0.1.2.0 mapped the code of an account without a Stock Location to the
   company's first warehouse, archived ones included: such a mapping, made by
   that upgrade, now points at the first active warehouse, and the chatter says so.

3. Alerts: an account whose last pull worked counts it as its last good full pull.

On an upgrade from 1.1 straight to this version, the fixed 19.0.1.2.0 script
has done both already; this one then finds nothing more to change.
"""

import logging
from datetime import timedelta

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)

#: the 19.0.1.2.0 upgrade made its mappings within this time of adding its field
UPGRADE_WINDOW = timedelta(hours=2)


def migrate(cr, version):
    # alerts: an account whose last pull worked counts it as its last good full pull
    cr.execute("UPDATE marketplace_account SET last_good_pull_at = last_sync_at WHERE last_sync_state = 'done'")
    # when 19.0.1.2.0 added its field: Odoo keeps no create_date on ir_model_fields, but on the xmlid
    cr.execute("""
        SELECT create_date FROM ir_model_data
         WHERE module = 'otd_marketplace_stock' AND name = 'field_marketplace_account__stock_scope'
    """)
    row = cr.fetchone()
    if not row or not row[0]:
        return
    upgraded_at = row[0]
    mark_short_name_accounts(cr, upgraded_at)
    # the upgrade keeps the accounts' locations as they are, even two accounts on one location
    env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True, "marketplace_upgrade": True})
    move_mappings_off_archived_warehouses(env, upgraded_at)


def mark_short_name_accounts(cr, upgraded_at):
    cr.execute("""
        UPDATE marketplace_account account
           SET legacy_short_name_pending = TRUE
         WHERE account.stock_scope = 'store_total'
           AND account.create_date < %s
           AND NOT EXISTS (SELECT 1 FROM marketplace_warehouse_mapping mapping WHERE mapping.account_id = account.id)
           AND NOT EXISTS (SELECT 1 FROM mail_tracking_value tracking
                             JOIN ir_model_fields field ON field.id = tracking.field_id
                             JOIN mail_message message ON message.id = tracking.mail_message_id
                            WHERE field.model = 'marketplace.account' AND field.name = 'stock_scope'
                              AND message.model = 'marketplace.account' AND message.res_id = account.id)
     RETURNING account.id
    """, [upgraded_at])
    ids = [account_id for (account_id,) in cr.fetchall()]
    if ids:
        _logger.info("marketplace accounts %s: store-wide totals since the 19.0.1.2.0 upgrade; their next pull "
                     "maps the warehouse version 1.1 read if Zortout has it", ids)


def move_mappings_off_archived_warehouses(env, upgraded_at):
    mappings = env["marketplace.warehouse.mapping"].search([
        ("create_date", ">=", upgraded_at), ("create_date", "<", upgraded_at + UPGRADE_WINDOW),
        ("account_id.stock_location_id", "=", False)])
    for mapping in mappings:
        warehouse = mapping.location_id.warehouse_id
        if not warehouse or warehouse.active:
            continue
        target = mapping.account_id._zortout_target_location()
        if target == mapping.location_id:
            continue
        old = mapping.location_id.display_name
        mapping.location_id = target
        mapping.account_id.message_post(body=env._(
            "The upgrade to 19.0.1.2.0 mapped warehouse %(code)s to %(old)s, in an archived Odoo warehouse; "
            "it now fills %(new)s, the stock location of the company's first active warehouse, as version 1.1 "
            "pulled it.", code=mapping.warehouse_code, old=old, new=target.display_name))
        _logger.warning("marketplace account %s: mapping %s moved from %s (archived warehouse) to %s",
                        mapping.account_id.id, mapping.warehouse_code, old, target.display_name)
