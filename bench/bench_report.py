"""The benchmark table and the issue's targets."""

import math
import statistics

__all__ = ["Row", "median_row", "table", "check_targets"]

COLUMNS = ("scenario", "path", "SKUs", "changed", "API calls", "SQL queries", "queries/SKU", "seconds",
           "API s", "ms/changed SKU", "peak RSS MB", "vs Odoo path", "vs naive")


class Row:
    """Median of the runs of one path in one scenario."""

    def __init__(self, scenario, path, skus, changed, runs, key=None):
        self.key = key or scenario
        self.scenario, self.path, self.skus, self.changed = scenario, path, skus, changed
        self.runs = runs  # list of dicts: seconds, api_seconds, queries, api_calls, rss_mb, commits
        self.n = len(runs)
        med = lambda key: statistics.median(run[key] for run in runs)  # noqa: E731
        self.seconds = med("seconds")
        self.api_seconds = med("api_seconds")
        self.odoo_seconds = statistics.median(run["seconds"] - run["api_seconds"] for run in runs)
        self.queries = med("queries")
        self.api_calls = med("api_calls")
        self.rss_mb = med("rss_mb")
        self.rss_max_mb = max(run["rss_mb"] for run in runs)
        self.commits = med("commits")
        self.api_routes = runs[0].get("api_routes", {})

    @property
    def ms_per_changed(self):
        return self.odoo_seconds * 1000 / self.changed if self.changed else None

    @property
    def queries_per_sku(self):
        return self.queries / self.skus if self.skus else None


def median_row(scenario, path, skus, changed, runs, key=None):
    return Row(scenario, path, skus, changed, runs, key) if runs else None


def _fmt(value, digits=2):
    if value is None:
        return "n/a"
    if isinstance(value, float):
        if value.is_integer() and digits == 0:
            return f"{int(value):,}"
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def _ratio(ours, baseline):
    """Odoo-side seconds of the sync over the baseline's (same sweep, same change set)."""
    if baseline is None or baseline.odoo_seconds <= 0:
        return "n/a"
    return f"{ours.odoo_seconds / baseline.odoo_seconds:.2f}x"


def table(groups):
    """groups: [(sync Row, odoo path Row or None, naive Row or None)] -> list of row cells."""
    lines = []
    for sync, odoo, naive in groups:
        for row in (sync, odoo, naive):
            if row is None:
                continue
            is_sync = row is sync
            lines.append([
                row.scenario, row.path + (f" ({row.n} run{'s' if row.n > 1 else ''})" if row.n != 3 else ""),
                _fmt(row.skus), _fmt(row.changed),
                _fmt(row.api_calls, 0) if is_sync else "-",
                _fmt(row.queries, 0), _fmt(row.queries_per_sku, 3),
                _fmt(row.seconds, 2), _fmt(row.api_seconds, 2) if is_sync else "-",
                _fmt(row.ms_per_changed, 2), _fmt(row.rss_mb, 1),
                _ratio(row, odoo) if is_sync else "-", _ratio(row, naive) if is_sync else "-",
            ])
    return lines


def render_text(lines):
    widths = [max(len(str(cell)) for cell in column) for column in zip(COLUMNS, *lines)]
    out = ["  ".join(str(cell).rjust(width) if i > 1 else str(cell).ljust(width)
                     for i, (cell, width) in enumerate(zip(row, widths)))
           for row in [COLUMNS, *lines]]
    out.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(out)


def render_markdown(lines):
    out = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" if i < 2 else "---:" for i in range(len(COLUMNS))) + "|"]
    out += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in lines]
    return "\n".join(out)


def check_targets(groups, full_size, page_size=500):
    """[(target, measured, PASS/FAIL/n/a)] for the performance targets of the stock sync."""
    checks = []
    for sync, odoo, _naive in groups:
        pages = math.ceil(sync.skus / page_size)
        products = sync.api_routes.get("/Product/GetProducts", 0)
        warehouses = sync.api_routes.get("/Warehouse/GetWarehouses", 0)
        others = sync.api_calls - products - warehouses
        ok = products == pages and warehouses <= 1 and others == 0
        checks.append((f"{sync.scenario}: API calls = {pages} GetProducts + <=1 GetWarehouses",
                       f"{products} GetProducts + {warehouses} GetWarehouses + {others} other",
                       "PASS" if ok else "FAIL"))
        if sync.changed and odoo is not None:
            ours, theirs = sync.ms_per_changed, odoo.ms_per_changed
            checks.append((f"{sync.scenario}: Odoo-side ms per changed SKU <= half of Odoo's path",
                           f"{ours:.2f} ms vs {theirs:.2f} ms (ratio {ours / theirs:.2f})",
                           "PASS" if ours <= theirs / 2 else "FAIL"))
        key = sync.key
        if key == "10k-unchanged":
            checks.append(("10k unchanged: whole job <= 3 s", f"{sync.seconds:.2f} s",
                           _verdict(sync.seconds <= 3, full_size)))
            checks.append(("10k unchanged: <= 0.05 SQL queries per SKU", f"{sync.queries_per_sku:.4f}",
                           "PASS" if sync.queries_per_sku <= 0.05 else "FAIL"))
        elif key == "10k-1k-changed":
            checks.append(("10k, 1k changed: whole job <= 6 s", f"{sync.seconds:.2f} s",
                           _verdict(sync.seconds <= 6, full_size)))
        elif key == "50k-10pct-changed":
            checks.append(("50k, 10% changed: peak RSS growth <= 150 MB (worst run)",
                           f"{sync.rss_max_mb:.1f} MB (median {sync.rss_mb:.1f})",
                           _verdict(sync.rss_max_mb <= 150, full_size)))
            checks.append(("50k, 10% changed: progress committed in batches while the job runs",
                           f"{sync.commits:.0f} commits inside the sync of {sync.changed} changes (via {sync.path})",
                           "PASS" if sync.commits >= 2 else "FAIL"))
    return checks


def _verdict(ok, full_size):
    if not full_size:
        return "n/a (--quick)"
    return "PASS" if ok else "FAIL"
