"""Waking the runner when a job the webhook queued falls due (the instant sync itself
is a job type: job_types/instant_sync.py)."""

import logging
import threading

from odoo import fields, models, sql_db
from odoo.tools import SQL

from odoo.addons.base.models.ir_cron import ODOO_NOTIFY_FUNCTION
from odoo.addons.otd_marketplace_stock.const import WAKE_MARGIN

_logger = logging.getLogger(__name__)


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

    def _wake_runner_at(self, at):
        """Run this job at ``at``: a cron trigger for that time, and a wake-up sent
        from this process once the transaction is committed (see notify_runner_later)."""
        self._wake_runner(at)
        dbname = self.env.cr.dbname
        self.env.cr.postcommit.add(lambda: notify_runner_later(dbname, at))
