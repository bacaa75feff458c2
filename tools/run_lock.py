"""The lock a runner holds on the job it runs, for as long as its database connection lives.

A session-level PostgreSQL advisory lock, keyed on the job: taken when a runner
claims the job, released when it is done with it, and released by PostgreSQL
itself when the runner's connection ends (a killed worker, an out-of-memory
kill, a restart). A job marked running whose lock anyone can take has lost its
runner: the next runner pass puts it back at once instead of waiting for the
running-time limit. (OCA's queue_job tells a dead job by a lock its runner holds
in the same way.)
"""

from odoo.addons.otd_marketplace_stock.const import RUN_LOCK_NAMESPACE

__all__ = ["hold_run_lock", "release_run_lock", "run_lock_is_free"]


def hold_run_lock(cr, job_id):
    """Take the run lock of ``job_id`` for this connection; False when another one holds it."""
    cr.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK_NAMESPACE, job_id])
    return cr.fetchone()[0]


def release_run_lock(cr, job_id):
    cr.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK_NAMESPACE, job_id])


def run_lock_is_free(cr, job_id):
    """True when no live connection holds the run lock of ``job_id`` (its runner is gone).
    Looks without keeping it: the lock is taken and released at once."""
    if not hold_run_lock(cr, job_id):
        return False
    release_run_lock(cr, job_id)
    return True
