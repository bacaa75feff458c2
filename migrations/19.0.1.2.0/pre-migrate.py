"""19.0.1.2.0: an account's Zortout warehouse code becomes a list of warehouse mappings.

Before the new field (computed from the mappings) takes the column over, the
code each account had is put aside; post-migrate.py turns it into a mapping.
"""

from odoo.tools import SQL

LEGACY_COLUMN = "zortout_warehouse_code_before_mappings"


def migrate(cr, version):
    cr.execute("""
        SELECT 1 FROM information_schema.columns
         WHERE table_name = 'marketplace_account' AND column_name = 'zortout_warehouse_code'
    """)
    if cr.fetchone():
        cr.execute(SQL("ALTER TABLE marketplace_account RENAME COLUMN zortout_warehouse_code TO %s",
                       SQL.identifier(LEGACY_COLUMN)))
