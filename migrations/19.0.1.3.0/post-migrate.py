"""19.0.1.3.0: give back the warehouse that version 1.1 pulled to the accounts that
the 19.0.1.2.0 upgrade turned into store-wide totals.

Version 1.1 read, for an account without a warehouse code, the Zortout warehouse
named like its location's Odoo warehouse when Zortout had it; 19.0.1.2.0 made
every such account "store-wide totals". The accounts that upgrade changed are
those with store-wide totals and no mapping that existed before it (older than
the field it added) and whose choice nobody changed since (no tracked change of
it in their chatter): their next pull asks Zortout once
(marketplace.account._resolve_legacy_warehouse). On an upgrade from 1.1 straight
to this version, the 19.0.1.2.0 script has marked them already.
"""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    cr.execute("""
        SELECT id, create_date FROM ir_model_fields
         WHERE model = 'marketplace.account' AND name = 'stock_scope'
    """)
    row = cr.fetchone()
    if not row:
        return
    field_id, field_created = row
    cr.execute("""
        UPDATE marketplace_account account
           SET legacy_short_name_pending = TRUE
         WHERE account.stock_scope = 'store_total'
           AND account.create_date < %s
           AND NOT EXISTS (SELECT 1 FROM marketplace_warehouse_mapping mapping WHERE mapping.account_id = account.id)
           AND NOT EXISTS (SELECT 1 FROM mail_tracking_value tracking
                             JOIN mail_message message ON message.id = tracking.mail_message_id
                            WHERE tracking.field_id = %s AND message.model = 'marketplace.account'
                              AND message.res_id = account.id)
     RETURNING account.id
    """, [field_created, field_id])
    ids = [account_id for (account_id,) in cr.fetchall()]
    if ids:
        _logger.info("marketplace accounts %s: store-wide totals since the 19.0.1.2.0 upgrade; their next pull "
                     "maps the warehouse version 1.1 read if Zortout has it", ids)
