"""How many webhook deliveries an account received and refused, per day.

Counted with one ``INSERT ... ON CONFLICT`` per delivery in the delivery's own
short transaction: the account's row is never written by a delivery, so a
flood of deliveries cannot wait behind a Pull Stock that holds it. Each day
of an account has a few rows, one per ``slot`` (the serving process or
thread, modulo WEBHOOK_DAY_SLOTS), summed when shown: deliveries served at the same
moment by different workers count on different rows, and none waits for
another's row lock.
"""

import threading
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.otd_marketplace_stock.const import WEBHOOK_DAY_KEEP_DAYS, WEBHOOK_DAY_SLOTS
from odoo.addons.otd_marketplace_stock.services.webhook_payload import REFUSAL_REASONS
from odoo.addons.otd_marketplace_stock.zortout import ZORTOUT_TIMEZONE


def zortout_today():
    """Today in Bangkok, where Zortout's day (and the store's) runs."""
    return datetime.now(ZORTOUT_TIMEZONE).date()


class MarketplaceWebhookDay(models.Model):
    _name = "marketplace.webhook.day"
    _description = "Instant Sync Deliveries of a Day"
    _order = "day desc, id desc"

    account_id = fields.Many2one("marketplace.account", "Account", required=True, ondelete="cascade", index=True,
                                 readonly=True)
    day = fields.Date(required=True, readonly=True)
    accepted = fields.Integer("Deliveries Received", readonly=True)
    refused = fields.Integer("Deliveries Refused", readonly=True)
    last_accepted_at = fields.Datetime("Last Delivery Received", readonly=True)
    last_refused_at = fields.Datetime("Last Delivery Refused", readonly=True)
    last_refusal = fields.Selection(list(REFUSAL_REASONS.items()), "Last Refusal Reason", readonly=True)
    slot = fields.Integer(readonly=True, default=0,
                          help="Which of the day's rows: deliveries served at the same moment count on different rows.")

    _account_day_unique = models.Constraint("UNIQUE(account_id, day, slot)", "One row per account, day and slot.")

    @api.model
    def _count_delivery(self, account_id, refusal=None):
        """Count one delivery of ``account_id`` today: received, or refused for ``refusal``."""
        now = fields.Datetime.now()
        self.env.cr.execute(SQL("""
            INSERT INTO marketplace_webhook_day (account_id, day, slot, accepted, refused, last_accepted_at,
                                                 last_refused_at, last_refusal, create_date, write_date)
                 VALUES (%(account)s, %(day)s, %(slot)s, %(accepted)s, %(refused)s, %(accepted_at)s,
                         %(refused_at)s, %(refusal)s, %(now)s, %(now)s)
            ON CONFLICT (account_id, day, slot) DO UPDATE SET
                accepted = COALESCE(marketplace_webhook_day.accepted, 0) + EXCLUDED.accepted,
                refused = COALESCE(marketplace_webhook_day.refused, 0) + EXCLUDED.refused,
                last_accepted_at = COALESCE(EXCLUDED.last_accepted_at, marketplace_webhook_day.last_accepted_at),
                last_refused_at = COALESCE(EXCLUDED.last_refused_at, marketplace_webhook_day.last_refused_at),
                last_refusal = COALESCE(EXCLUDED.last_refusal, marketplace_webhook_day.last_refusal),
                write_date = EXCLUDED.write_date
        """, account=account_id, day=zortout_today(), slot=threading.get_native_id() % WEBHOOK_DAY_SLOTS, now=now,
                   refusal=refusal or None, accepted=0 if refusal else 1, refused=1 if refusal else 0,
                   accepted_at=None if refusal else now, refused_at=now if refusal else None))

    @api.autovacuum
    def _gc_old_days(self):
        self.sudo().search([("day", "<", zortout_today() - timedelta(days=WEBHOOK_DAY_KEEP_DAYS))]).unlink()
