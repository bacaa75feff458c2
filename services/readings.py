"""The newest-reading rule in SQL: which Zortout readings may still be applied.

The table is the model marketplace.stock.reading (models/marketplace_stock_reading.py):
one row per location and product, the time of the newest reading applied there.
"""

__all__ = ["record_newest_readings", "newer_readings", "other_job_keeps_pages"]


def record_newest_readings(env, location, job, readings):
    """Record ``readings`` ({product id: read at}) of ``location`` applied by ``job``, each where
    it is at least as new as the one kept; return the product ids whose reading is older than
    one applied before (those rows must not be applied). Locks the products' reading rows until
    the transaction ends, so that two syncs decide one after the other."""
    if not readings:
        return set()
    env.cr.execute("""
        WITH given AS (
            SELECT * FROM unnest(%s::int[], %s::timestamp[]) AS given(product_id, read_at)
        ), kept AS (
            INSERT INTO marketplace_stock_reading (location_id, product_id, company_id, job_id, read_at)
                 SELECT %s, product_id, %s, %s, read_at FROM given ORDER BY product_id
            ON CONFLICT (location_id, product_id) DO UPDATE
                    SET read_at = EXCLUDED.read_at, job_id = EXCLUDED.job_id
                  WHERE marketplace_stock_reading.read_at <= EXCLUDED.read_at
              RETURNING product_id
        )
        SELECT product_id FROM given WHERE product_id NOT IN (SELECT product_id FROM kept)
    """, [list(readings), list(readings.values()), location.id, location.company_id.id or job.company_id.id,
          job.id], log_exceptions=False)
    env["marketplace.stock.reading"].invalidate_model()
    return {product_id for (product_id,) in env.cr.fetchall()}


def newer_readings(env, location, readings):
    """The product ids of ``readings`` ({product id: read at}) for which a newer reading was
    applied at ``location``; reads only (a preview decides what it would do)."""
    if not readings:
        return set()
    env.cr.execute("""
        SELECT kept.product_id
          FROM unnest(%s::int[], %s::timestamp[]) AS given(product_id, read_at)
          JOIN marketplace_stock_reading kept ON kept.product_id = given.product_id AND kept.location_id = %s
         WHERE kept.read_at > given.read_at
    """, [list(readings), list(readings.values()), location.id])
    return {product_id for (product_id,) in env.cr.fetchall()}


def other_job_keeps_pages(env, job):
    """True when another job of ``job``'s account keeps Zortout pages: readings older than
    ``job``'s that may still be applied after it."""
    env["marketplace.job.page"].flush_model()
    env.cr.execute("""
        SELECT 1 FROM marketplace_job_page page
          JOIN marketplace_job other ON other.id = page.job_id
         WHERE other.account_id = %s AND other.id != %s
         LIMIT 1
    """, [job.account_id.id, job.id])
    return bool(env.cr.fetchone())
