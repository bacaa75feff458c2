"""Row locks that say "busy" instead of failing or logging an error."""

import psycopg2.errors

__all__ = ["try_lock_rows"]


def try_lock_rows(cr, table, ids, skip_locked=False):
    """Lock rows of ``table`` for this transaction; False when another transaction
    holds one of them, or changed one since this transaction's snapshot.

    Hand-written rather than Odoo's ``try_lock_for_update``: under Odoo's
    REPEATABLE READ a row that another worker updated after this snapshot
    raises a serialization failure, which is expected here ("busy") and must
    not reach the log as a bad query.
    """
    mode = "SKIP LOCKED" if skip_locked else "NOWAIT"
    try:
        with cr.savepoint(flush=False):
            cr.execute(f"SELECT id FROM {table} WHERE id = ANY(%s) FOR NO KEY UPDATE {mode}",  # noqa: S608
                       [list(ids)], log_exceptions=False)
            return len(cr.fetchall()) == len(set(ids))
    except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
        return False
