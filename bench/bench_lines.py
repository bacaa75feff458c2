"""What the per-SKU change lines cost the sync, measured two ways in the benchmark process.

The engine has no switch for its lines (production always writes them), so
the benchmark instruments the engine's methods that exist only for the lines:

* ``_write_lines``: creates the page's lines; for skip lines it first reads
  the SKUs' latest decisions on the account;
* ``_last_move_id`` and ``_moves_since``: find the inventory move each updated
  SKU's line points to.

``line_timer`` adds up the time spent inside them while the sync runs (the same
run's share of the job). ``lines_switched_off`` replaces them with no-ops for
a run, for a with/without comparison across runs. Neither changes the addon:
both patch the class in this process only and restore it afterwards.
"""

import contextlib

from bench_measure import MethodTimer

__all__ = ["LINE_METHODS", "line_timer", "lines_switched_off", "line_count"]

LINE_METHODS = ("_write_lines", "_last_move_id", "_moves_since")


def line_timer(engine_class):
    return MethodTimer(engine_class, LINE_METHODS)


@contextlib.contextmanager
def lines_switched_off(engine_class):
    """The sync as it would run without change lines (no line, no move lookup)."""
    originals = {name: getattr(engine_class, name) for name in LINE_METHODS}
    engine_class._write_lines = lambda engine, lines: None
    engine_class._last_move_id = lambda engine: 0
    engine_class._moves_since = lambda engine, floor, product_ids: {}
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(engine_class, name, original)


def line_count(env):
    env["marketplace.job.line"].flush_model()
    env.cr.execute("SELECT count(*) FROM marketplace_job_line")
    return env.cr.fetchone()[0]
