"""Table growth of scheduled pulls: rows a few real pulls add, extrapolated to 30 days.

A store pulled every 5 minutes makes 288 pulls a day, 8,640 in 30 days. Each
pull is measured as it happens in production (a pending job taken by the
runner) and the rows it adds to each table are counted. The extrapolation
applies the addon's cleanup (``marketplace.job._cleanup_finished_jobs``, run
at the start of every runner run): done jobs, with their lines, are removed
``job_keep_days`` (30) days after they finish; a done pull drops its kept
pages when it is done (a preview's go once too old to apply). ``check_cleanup`` proves both on the measured jobs by
ageing them in a savepoint that is rolled back.
"""

from datetime import timedelta

from odoo import fields

__all__ = ["GROWTH_TABLES", "PER_PRODUCT", "PULLS_PER_DAY", "DAYS", "count_rows", "row_bytes", "extrapolate",
           "check_cleanup"]

PULLS_PER_DAY = 24 * 60 // 5
DAYS = 30

#: table -> days its rows stay: None = never removed by the addon
GROWTH_TABLES = {
    "marketplace_job": DAYS,          # job_keep_days after the job finishes
    "marketplace_job_line": DAYS,     # removed with their job (ondelete cascade)
    "marketplace_job_page": 0,        # when the pull is done
    "stock_move": None,               # Odoo's inventory history: kept
    "stock_move_line": None,
    "stock_quant": None,              # but at most one new quant per product (see PER_PRODUCT)
    "mail_message": None,
    "mail_tracking_value": None,
    "ir_cron_trigger": 0,             # removed when the runner cron starts (ir.cron._clear_schedule)
    "bus_bus": 0,                     # Odoo's bus keeps notifications a few minutes
}

#: tables whose new rows stop at one per product: the quant an inventory adjustment creates at
#: the inventory-loss location the first time it moves the product; later moves update it
PER_PRODUCT = ("stock_quant",)


def count_rows(env):
    env.flush_all()
    counts = {}
    for table in GROWTH_TABLES:
        env.cr.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
        counts[table] = env.cr.fetchone()[0]
    return counts


def row_bytes(env, table):
    """Average bytes of a row's data (pg_column_size of the row: TOASTed values as
    stored, compressed; indexes not counted), or None for an empty table."""
    env.cr.execute(f"SELECT avg(pg_column_size(t.*)) FROM {table} t")  # noqa: S608 - fixed table names
    value = env.cr.fetchone()[0]
    return float(value) if value is not None else None


def extrapolate(per_pull, products, pulls_per_day=PULLS_PER_DAY, days=DAYS):
    """{table: (rows after ``days`` days without any cleanup, rows kept then with the cleanup)}."""
    total = pulls_per_day * days
    out = {}
    for table, rows in per_pull.items():
        kept_days = GROWTH_TABLES[table]
        kept_pulls = total if kept_days is None else min(total, pulls_per_day * kept_days)
        if table in PER_PRODUCT:
            out[table] = (min(rows * total, products), min(rows * kept_pulls, products))
        else:
            out[table] = (rows * total, rows * kept_pulls)
    return out


def check_cleanup(env, jobs):
    """Age the measured ``jobs`` and run the cleanup, in a savepoint that is rolled back.

    Returns {"pages_after_1_day": (before, after), "jobs_after_30_days": (before, after),
    "lines_after_30_days": (before, after)} for those jobs.
    """
    Job = env["marketplace.job"]

    def counts():
        env.flush_all()
        env.cr.execute("SELECT count(*) FROM marketplace_job WHERE id = ANY(%s)", [jobs.ids])
        job_rows = env.cr.fetchone()[0]
        env.cr.execute("SELECT count(*) FROM marketplace_job_page WHERE job_id = ANY(%s)", [jobs.ids])
        page_rows = env.cr.fetchone()[0]
        env.cr.execute("SELECT count(*) FROM marketplace_job_line WHERE job_id = ANY(%s)", [jobs.ids])
        line_rows = env.cr.fetchone()[0]
        return job_rows, page_rows, line_rows

    def age(days):
        env.cr.execute("UPDATE marketplace_job SET finished_at = %s WHERE id = ANY(%s)",
                       [fields.Datetime.now() - timedelta(days=days, minutes=5), jobs.ids])
        env.invalidate_all()
        Job._cleanup_finished_jobs()
        env.flush_all()

    savepoint = env.cr.savepoint()
    try:
        start = counts()
        age(1)
        one_day = counts()
        age(DAYS)
        thirty_days = counts()
    finally:
        savepoint.close(rollback=True)
        env.invalidate_all()
    return {"pages_after_1_day": (start[1], one_day[1]), "jobs_after_1_day": (start[0], one_day[0]),
            "jobs_after_30_days": (start[0], thirty_days[0]), "lines_after_30_days": (start[2], thirty_days[2])}
