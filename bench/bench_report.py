"""The benchmark's tables and the issue's targets, as text and as markdown."""

import statistics

__all__ = ["median_figures", "render_text", "render_markdown", "speed_table", "breakdown_table", "lines_table",
           "growth_table",
           "check_targets", "UNCHANGED_JOB_TARGET_S", "CHANGED_RATIO_TARGET", "LINES_SHARE_TARGET"]

#: the performance targets (README, "Performance")
UNCHANGED_JOB_TARGET_S = 1.5
CHANGED_RATIO_TARGET = 1.15
LINES_SHARE_TARGET = 0.10


def median_figures(runs):
    """{figure: median over the runs} of the runs' numbers (runs: dicts); {} for no run."""
    if not runs:
        return {}
    return {key: statistics.median(run[key] for run in runs) for key, value in runs[0].items()
            if isinstance(value, (int, float))}


def render_text(headers, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    lines = ["  ".join(str(cell).rjust(width) if index else str(cell).ljust(width)
                       for index, (cell, width) in enumerate(zip(line, widths)))
             for line in [headers, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def render_markdown(headers, rows):
    out = ["| " + " | ".join(headers) + " |", "|---" + "|---:" * (len(headers) - 1) + "|"]
    out += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(out)


def _ms_per_changed(seconds, changed):
    return seconds * 1000 / changed if changed else None


def run_ratio(res):
    """(median, lowest, highest) of the runs' own ratios: the sync's Odoo-side seconds over
    the mean of Odoo's path measured just before and just after the run; None without changes."""
    ratios = sorted(run["ratio"] for run in res["sync"] if "ratio" in run)
    return (statistics.median(ratios), ratios[0], ratios[-1]) if ratios else None


def _fmt(value, pattern="{:.2f}"):
    return "n/a" if value is None else pattern.format(value)


SPEED_HEADERS = ("scenario", "path", "SKUs", "changed", "API calls", "SQL queries", "runner calls", "steps",
                 "seconds", "API s", "Odoo-side s", "ms/changed SKU", "peak RSS MB", "vs Odoo path (runs' range)")


def speed_table(results):
    rows = []
    for res in results:
        sync, odoo = median_figures(res["sync"]), median_figures(res["odoo"])
        ours = _ms_per_changed(sync["odoo_seconds"], res["changed"])
        theirs = _ms_per_changed(odoo["seconds"], res["changed"]) if odoo else None
        ratio = run_ratio(res)
        rows.append((res["label"], "sync job (runner)", f"{res['size']:,}", f"{res['changed']:,}",
                     f"{sync['api_calls']:.0f}", f"{sync['queries']:,.0f}", f"{sync['runner_calls']:.0f}",
                     f"{sync['steps']:.0f}", f"{sync['seconds']:.2f}", f"{sync['api_seconds']:.2f}",
                     f"{sync['odoo_seconds']:.2f}", _fmt(ours), f"{sync['rss_mb']:.1f}",
                     f"{ratio[0]:.2f}x ({ratio[1]:.2f}-{ratio[2]:.2f})" if ratio else "n/a"))
        if odoo:
            apply_ms = _ms_per_changed(odoo["apply_seconds"], res["changed"])
            rows.append((res["label"], "Odoo count + _apply_inventory", f"{res['size']:,}", f"{res['changed']:,}",
                         "-", f"{odoo['queries']:,.0f}", "-", "-", f"{odoo['seconds']:.2f}", "-",
                         f"{odoo['seconds']:.2f}", f"{theirs:.2f} ({apply_ms:.2f} in Apply)",
                         f"{odoo['rss_mb']:.1f}", "1.00x"))
    return SPEED_HEADERS, rows


BREAKDOWN_HEADERS = ("scenario", "job s", "API s", "Odoo's count + Apply s", "quant reads s", "change lines s",
                     "the rest s", "Odoo path s")


def breakdown_table(results):
    rows = []
    for res in results:
        sync, odoo = median_figures(res["sync"]), median_figures(res["odoo"])
        rest = sync["seconds"] - sync["api_seconds"] - sync["apply_seconds"] - sync["read_seconds"] \
            - sync["lines_seconds"]
        rows.append((res["label"], f"{sync['seconds']:.2f}", f"{sync['api_seconds']:.2f}",
                     f"{sync['apply_seconds']:.2f}", f"{sync['read_seconds']:.2f}", f"{sync['lines_seconds']:.2f}",
                     f"{rest:.2f}", f"{odoo['seconds']:.2f}" if odoo else "-"))
    return BREAKDOWN_HEADERS, rows


LINES_HEADERS = ("scenario", "lines added per pull", "Odoo-side s", "in line code s", "lines add",
                 "Odoo-side s without lines", "with vs without")


def lines_overhead(res):
    """(share measured inside the runs, share from the with/without comparison or None)."""
    sync, off = median_figures(res["sync"]), median_figures(res["sync_without_lines"])
    inside = sync["lines_seconds"] / max(sync["odoo_seconds"] - sync["lines_seconds"], 1e-9)
    across = (sync["odoo_seconds"] - off["odoo_seconds"]) / off["odoo_seconds"] if off else None
    return inside, across


def lines_table(results):
    rows = []
    for res in results:
        sync, off = median_figures(res["sync"]), median_figures(res["sync_without_lines"])
        inside, across = lines_overhead(res)
        rows.append((res["label"], f"{sync['lines_added']:,.0f}", f"{sync['odoo_seconds']:.2f}",
                     f"{sync['lines_seconds']:.3f}", f"{inside:+.1%}",
                     f"{off['odoo_seconds']:.2f} ({len(res['sync_without_lines'])} run(s))" if off else "not run",
                     f"{across:+.1%}" if across is not None else "n/a"))
    return LINES_HEADERS, rows


GROWTH_HEADERS = ("table", "rows per pull", "30 days, no cleanup", "kept after 30 days", "kept how long",
                  "bytes/row", "kept MB")


def growth_table(per_pull, projected, kept_days, bytes_per_row, per_product=()):
    rows = []
    for table, rows_per_pull in per_pull.items():
        total, kept = projected[table]
        days = kept_days[table]
        how_long = {None: "never removed", 0: "minutes", 1: "1 day after the job"}.get(days, f"{days} days")
        if table == "marketplace_job_page":
            how_long = "until the pull is done"
        if table in per_product:
            how_long += ", one per product at most"
        size = bytes_per_row.get(table)
        rows.append((table, f"{rows_per_pull:,.1f}", f"{total:,.0f}", f"{kept:,.0f}", how_long,
                     _fmt(size, "{:,.0f}"), _fmt(kept * size / 2**20 if size else None, "{:,.1f}")))
    return GROWTH_HEADERS, rows


def _verdict(ok, judged):
    if not judged:
        return "n/a (--quick)"
    return "PASS" if ok else "FAIL"


def check_targets(results, full_size):
    """[(target, measured, verdict)] for the issue's targets that the in-shell scenarios cover."""
    checks = []
    for res in results:
        sync, odoo = median_figures(res["sync"]), median_figures(res["odoo"])
        if not res["changed"]:
            checks.append((f"{res['label']}: whole job <= {UNCHANGED_JOB_TARGET_S} s", f"{sync['seconds']:.2f} s",
                           _verdict(sync["seconds"] <= UNCHANGED_JOB_TARGET_S, full_size)))
            checks.append((f"{res['label']}: a pull with nothing changed adds no change line",
                           f"{max(run['lines_added'] for run in res['sync']):.0f} lines (worst run)",
                           "PASS" if all(run["lines_added"] == 0 for run in res["sync"]) else "FAIL"))
        else:
            ours = _ms_per_changed(sync["odoo_seconds"], res["changed"])
            theirs = _ms_per_changed(odoo["seconds"], res["changed"])
            ratio, lowest, highest = run_ratio(res)
            checks.append((f"{res['label']}: ms per changed SKU <= {CHANGED_RATIO_TARGET} x Odoo's count + Apply",
                           f"{ours:.2f} ms vs {theirs:.2f} ms (medians); ratio of each run to Odoo's path around it: "
                           "median "
                           f"{ratio:.2f}, {lowest:.2f} to {highest:.2f}",
                           _verdict(ratio <= CHANGED_RATIO_TARGET, full_size)))
        inside, across = lines_overhead(res)
        measured = f"{inside:+.1%} measured inside the runs"
        if across is not None:
            measured += f"; with vs without lines {across:+.1%}"
        checks.append((f"{res['label']}: change lines add <= {LINES_SHARE_TARGET:.0%}", measured,
                       _verdict(inside <= LINES_SHARE_TARGET, full_size)))
        checks.append((f"{res['label']}: one inventory move per changed product, every quantity right",
                       f"{sum(run['moves'] for run in res['all_runs']):.0f} moves for "
                       f"{sum(run['changed'] for run in res['all_runs']):.0f} changes in "
                       f"{len(res['all_runs'])} runs; stock checked after each",
                       "PASS" if all(run["moves"] == run["changed"] == run["moved_products"]
                                     for run in res["all_runs"]) else "FAIL"))
    return checks
