"""The instant-sync job: the SKUs Zortout's stock webhook named, re-read and applied.

It runs the stock sync's own steps (a sync with a SKU list: GetProducts with
``skulist`` in batches of 100 for the account's warehouse code, the same
rules, change lines and result). It is a job type of its own so that it
neither blocks nor postpones Pull Stock and the scheduled full pulls, which
stay the safety net: an instant job records no "Last Sync" on the account.
"""

import logging
import threading

from odoo import fields, models, sql_db
from odoo.tools import SQL

from odoo.addons.base.models.ir_cron import ODOO_NOTIFY_FUNCTION

_logger = logging.getLogger(__name__)

#: seconds added to a wake-up time: the job is surely due when the runner looks
WAKE_MARGIN = 0.5


def notify_runner_later(dbname, at):
    """Wake the cron workers of ``dbname`` at ``at`` (naive UTC), from this process.

    Odoo's cron workers sleep up to a minute between two looks and are woken
    early only by a trigger that is already due when it is made; a trigger for
    a few seconds later would wait for their next look. The process that
    queued an instant job therefore sends the same wake-up (``cron_trigger``)
    itself when the job falls due. Should the process end first, the job's
    ir.cron.trigger still runs it at the workers' next look.
    """
    delay = max(0.0, (at - fields.Datetime.now()).total_seconds()) + WAKE_MARGIN

    def wake():
        try:
            with sql_db.db_connect("postgres").cursor() as cr:
                cr.execute(SQL("SELECT %s('cron_trigger', %s)", SQL.identifier(ODOO_NOTIFY_FUNCTION), dbname))
        except Exception:  # noqa: BLE001 - the trigger row runs the job at the next look anyway
            _logger.debug("could not wake the cron workers of %s", dbname, exc_info=True)

    timer = threading.Timer(delay, wake)
    timer.daemon = True
    timer.name = "otd-instant-sync-wake"
    timer.start()
    return timer


class MarketplaceJob(models.Model):
    _inherit = "marketplace.job"

    def _run_instant_sync_from_zortout(self, checkpoint, step_deadline=None):
        """An instant sync runs the steps of the stock sync (its payload holds the SKU list)."""
        return self._run_sync_stock_from_zortout(checkpoint, step_deadline)

    def _wake_runner_at(self, at):
        """Run this job at ``at``: a cron trigger for that time, and a wake-up sent
        from this process once the transaction is committed (see notify_runner_later)."""
        self._wake_runner(at)
        dbname = self.env.cr.dbname
        self.env.cr.postcommit.add(lambda: notify_runner_later(dbname, at))
