"""When a run must have ended its step: before Odoo's real-time limit kills its worker.

Odoo kills an HTTP worker after ``limit_time_real`` seconds and a cron worker
after ``limit_time_real_cron`` (``-1``: the same as ``limit_time_real``; ``0``:
never). A job's step must end before that, with time to spare for rolling back
and recording that the job goes on later: the Zortout client is given the
deadline computed here and stops cleanly when it comes.
"""

import threading
import time

from odoo.tools import config

from odoo.addons.otd_marketplace_stock.const import MARGIN_SHARE, MIN_MARGIN_SECONDS


def real_time_limit(kind):
    """Odoo's real-time limit in seconds for a ``"cron"`` or an ``"http"`` worker; None without one."""
    limit = config["limit_time_real"]
    if kind == "cron":
        cron_limit = config["limit_time_real_cron"]
        if cron_limit is not None and cron_limit != -1:
            limit = cron_limit
    return float(limit) if limit and limit > 0 else None


def run_started_at():
    """When the current request or cron pass began (``time.monotonic()``), as far as Odoo
    tells: its threaded server notes each thread's start; else now."""
    started = getattr(threading.current_thread(), "start_time", None)
    now = time.monotonic()
    if not started:
        return now
    return now - max(time.time() - started, 0.0)


def step_deadline(kind, started=None, limit=None):
    """The ``time.monotonic()`` value by which a step of this run must end, or None when
    Odoo sets no limit. ``started`` defaults to :func:`run_started_at`; ``limit`` to
    :func:`real_time_limit`."""
    limit = real_time_limit(kind) if limit is None else limit
    if not limit:
        return None
    started = run_started_at() if started is None else started
    return started + limit - max(MIN_MARGIN_SECONDS, limit * MARGIN_SHARE)
