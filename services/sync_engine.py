"""The Zortout -> Odoo stock pull of one job, as a series of small steps.

Each call of :meth:`SyncEngine.step` does one step and records on the job where
the sync stands (``sync_phase`` and the progress counters), so that a sync
stopped between two steps (a time limit, a dead worker) continues where it
stopped. The runner commits after each step; in a request the caller keeps all
steps in one savepoint.

1. ``start``: read the payload and resolve the sweeps: one per Zortout warehouse
   mapped on the account (or the one the payload names), or one of store-wide
   totals. Steps 2 to 5 run for each sweep in turn, each with its own location.
2. ``fetch``: read one Zortout page (or one batch of a SKU list) and keep it on
   the job (``marketplace.job.page``), until the sweep is complete.
3. ``check``: what needs the whole sweep before anything is written: the same
   product served twice by drifting pages, SKUs that two Zortout products share,
   and the zero guard, which refuses a sweep that would empty most of the stock.
4. ``apply``: a few kept pages at a time: match their SKUs, read and lock their
   quants now (a count someone started meanwhile wins), set the stock of all
   their changes through one Apply of Odoo's inventory mode, and write a change
   line per changed or skipped SKU.
5. ``finish``: close the sweep's result, then begin the next sweep, if any.

Nothing is written to stock before step 4, and the pages of each apply step are
applied with their "applied" mark in the same transaction: a page is applied once.
When a job has several sweeps, a Zortout failure or a refusal (zero guard) in one
sweep's steps 2-3 ends that sweep only: its location is left untouched, the
result says why, and the next sweep begins.
"""

import json
import logging
import math
import time

from odoo import fields
from odoo.tools.float_utils import float_compare

from odoo.addons.otd_marketplace_stock.const import (
    APPLY_STEP_PLAN_SECONDS,
    MAX_SWEEP_PASSES,
    PARAM_APPLY_STEP_CHANGES,
    PARAM_APPLY_STEP_ROWS,
    PARAM_PAGE_MAX_AGE,
    ZERO_GUARD_MIN,
    ZERO_GUARD_SHARE,
)
from odoo.addons.otd_marketplace_stock.tools.job_message import SyncUserError, _lt, msg, render
from odoo.addons.otd_marketplace_stock.tools.job_payload import parse_payload
from odoo.addons.otd_marketplace_stock.tools.params import param_value
from odoo.addons.otd_marketplace_stock.zortout import (
    ProductRow,
    QuantityProblem,
    ZortoutError,
    ZortoutIncompleteSweepError,
    ZortoutOutOfTimeError,
    ZortoutQuotaExceededError,
)

from .inventory import ProductIndex, apply_changes, read_quants, stock_levels, tree_condition
from .joblog import log_job_event
from .matching import match_row, sweep_duplicates
from .readings import newer_readings, other_job_keeps_pages, record_newest_readings
from .sync_result import SyncResult

_logger = logging.getLogger(__name__)

__all__ = ["SyncEngine", "row_to_json", "begin_preview_sweep"]


def _says_zero(quantity):
    """Zortout's quantity (as decoded) is zero or below, as the zero guard counts it."""
    return not isinstance(quantity, QuantityProblem) and quantity <= 0


def row_to_json(row):
    """The part of a Zortout row the sync needs, as Zortout sent it (quantities raw)."""
    return {"id": row.zortout_id, "sku": row.sku, "producttype": row.producttype,
            "stock": row.raw_stock, "availablestock": row.raw_available_stock}


def begin_preview_sweep(job, index, base):
    """Begin sweep ``index`` of ``job`` (a preview applied) at the check step, with the
    pages copied from the preview: no Zortout page is read again, and the check, settle
    and apply steps (the zero guard, the newest-reading rule) run as in a pull. The
    progress counts the sweep's pages and rows as if it had just read them. Returns
    False, changing nothing, when the sweep's newest page is older than
    ``kept_page_max_age_minutes``: the sweep then reads Zortout as a pull does. (A sweep
    that read nothing keeps no page: it begins at the check step all the same.)"""
    env = job.env
    env["marketplace.job.page"].flush_model()
    env.cr.execute("""
        SELECT COUNT(*), COALESCE(SUM(json_array_length(rows::json)), 0), MAX(read_at)
          FROM marketplace_job_page WHERE job_id = %s AND sweep = %s
    """, [job.id, index])
    pages, rows, newest = env.cr.fetchone()
    max_age = param_value(env, PARAM_PAGE_MAX_AGE)
    if pages and (fields.Datetime.now() - newest).total_seconds() / 60 > max_age:
        return False
    target = json.loads(job.sync_targets)[index]
    offset = job.pages_fetched
    notes = {"offset": offset, "rows_before": job.skus_total, "done_before": job.skus_done, "base": base}
    job.sudo().write({
        "sync_phase": "check", "sync_target_index": index, "sync_location_id": target["location_id"],
        "sync_warehouse_code": target["code"] or False, "sweep_notes": json.dumps(notes),
        "pages_fetched": offset + pages, "pages_total": offset + pages, "skus_total": job.skus_total + rows,
    })
    return True


class SyncEngine:
    """Steps of the stock pull of ``job`` through ``client`` (a ZortoutClient). With
    ``trust_known_codes`` the warehouse codes of the account's last pull are enough to
    check the job's codes (see _valid_warehouse_codes)."""

    def __init__(self, job, client, trust_known_codes=False):
        self.job = job
        self.trust_known_codes = trust_known_codes
        self.env = job.env
        self.account = job.account_id
        self.client = client
        self.payload = parse_payload(job.payload)
        self.result = SyncResult.from_dict(json.loads(job.result)) if job.result else SyncResult()
        self.move_name = f"Zortout sync {job.reference}"
        self._products = None
        self._resumed = False  # the first step of this run looks at the age of the kept pages
        self._record_unchanged = True  # see _step_apply

    @property
    def _product_index(self):
        """The account company's products by SKU, for the steps of this run."""
        if self._products is None:
            self._products = ProductIndex(self.env, self.account.company_id)
        return self._products

    @property
    def finished(self):
        return self.job.sync_phase == "done"

    @property
    def targets(self):
        """The job's sweeps: [{code, location_id, exclude_ids, unknown, valid}] (see _step_start)."""
        return json.loads(self.job.sync_targets or "[]")

    @property
    def target(self):
        return self.targets[self.job.sync_target_index]

    def _excluded(self):
        return self.env["stock.location"].browse(self.target.get("exclude_ids") or [])

    def log(self, level, event, **values):
        log_job_event(_logger, level, self.job, event, **values)

    def step(self):
        """Do the next step and record the job's progress and result."""
        started = time.monotonic()
        calls = self.client.stats.calls
        phase = self.job.sync_phase or "start"
        try:
            # a step that fails leaves nothing behind: the next sweep (if any) starts clean
            with self.env.cr.savepoint():
                if not self._resumed:
                    self._resumed = True
                    if phase in ("fetch", "check", "settle", "apply") and self._restart_stale_sweep():
                        phase = self.job.sync_phase
                getattr(self, f"_step_{phase}")()
        except (ZortoutError, SyncUserError) as exc:
            # time up, or the quota spent, is the whole job's: the warehouse is not at fault
            if phase == "start" or isinstance(exc, (ZortoutQuotaExceededError, ZortoutOutOfTimeError)) \
                    or len(self.targets) < 2:
                raise
            self._fail_target(exc)
        self.result.api_calls += self.client.stats.calls - calls
        self.result.duration_s += time.monotonic() - started
        self.job.sudo().result = json.dumps(self.result.as_dict(), ensure_ascii=False, indent=1)

    # -- 1. start --------------------------------------------------------------

    def _step_start(self):
        if self.account.legacy_short_name_pending:
            self.account._resolve_legacy_warehouse(self.client)
        targets = self.account._zortout_sync_targets(self.payload.warehouse_code)
        valid = self._valid_warehouse_codes([target["code"] for target in targets if target["code"]])
        code = targets[0]["code"]
        if len(targets) == 1 and code and code not in valid:
            raise self.account._zortout_unknown_warehouse_error(code, valid)
        kept = [{"code": target["code"], "location_id": target["location"].id, "exclude_ids": target["exclude"].ids,
                 "location": target["location"].complete_name,
                 "unknown": bool(target["code"]) and target["code"] not in valid, "valid": valid}
                for target in targets]
        self.result = SyncResult(", ".join(target["code"] for target in targets if target["code"]) or None,
                                 ", ".join(target["location"] for target in kept), self.payload.dry_run)
        self.job.sudo().write({"sync_targets": json.dumps(kept), "pages_fetched": 0, "pages_total": 0,
                               "skus_total": 0, "skus_done": 0})
        self.job.sudo().page_ids.unlink()
        source = "payload" if self.payload.warehouse_code else (
            "mapping" if self.account.stock_scope == "warehouses" else "store_wide")
        self.log(logging.INFO, "start", warehouse=self.result.warehouse_code, location=self.result.location,
                 source=source, mode=self.payload.mode, dry_run=self.payload.dry_run)
        self._begin_target(0)

    def _valid_warehouse_codes(self, codes):
        """The store's warehouse codes, to check ``codes`` against. An instant sync takes those
        of the account's last pull when they hold every code (it runs after each sale: one
        GetWarehouses call each would cost the store's daily quota dearly); should Zortout answer
        that a code is unknown, the client asks GetWarehouses then (ZortoutClient._call). Any
        other pull asks, and keeps the answer for the instant syncs."""
        if not codes:
            return []
        known = self.account._known_warehouse_codes()
        if self.trust_known_codes and set(codes) <= set(known):
            return known
        valid = [warehouse.code for warehouse in self.client.list_warehouses()]
        self.account._remember_warehouse_codes(valid)
        return valid

    def _begin_target(self, index):
        """Make sweep ``index`` the current one: its location, its code, fresh notes.
        A sweep whose pages were copied from a preview (``from_preview``) begins at the
        check step with them; when they are gone or too old, it reads Zortout again."""
        target = self.targets[index]
        if target.get("from_preview"):
            if begin_preview_sweep(self.job, index, self.result.as_dict()):
                if len(self.targets) > 1:
                    self.log(logging.INFO, "warehouse", warehouse=target["code"], location=target["location"],
                             sweep=f"{index + 1}/{len(self.targets)}", from_preview=True)
                return
            self._drop_preview_pages(index)
        skus = self.payload.sku_list or ()
        offset = self.job.pages_fetched  # kept pages of the earlier sweeps: numbering goes on
        notes = {"offset": offset, "rows_before": self.job.skus_total, "done_before": self.job.skus_done,
                 "base": self.result.as_dict()}
        self.job.sudo().write({
            "sync_phase": "fetch", "sync_target_index": index, "sync_location_id": target["location_id"],
            "sync_warehouse_code": target["code"] or False, "sweep_notes": json.dumps(notes),
            "pages_total": offset + (math.ceil(len(skus) / self.client.sku_batch_size) if skus else 0),
        })
        if len(self.targets) > 1:
            self.log(logging.INFO, "warehouse", warehouse=target["code"], location=target["location"],
                     sweep=f"{index + 1}/{len(self.targets)}")

    def _restart_stale_sweep(self):
        """Read the current sweep again when it stood still longer than the kept pages' age
        limit (a failed job retried, Run Now, a dead worker's job, a preview applied): what
        Zortout said then is no longer what it says now. Its counts leave the result and its
        pages are dropped, applied ones included (their changes stay; re-reading repeats only
        what still differs). A sweep that is moving keeps its pages however long it takes.
        Returns True when the sweep starts again."""
        pages = self._sweep_pages()
        if not pages:
            return False
        max_age = param_value(self.env, PARAM_PAGE_MAX_AGE)
        newest = max(pages.mapped("read_at"))
        age_minutes = (fields.Datetime.now() - newest).total_seconds() / 60
        if age_minutes <= max_age:
            return False
        notes = json.loads(self.job.sweep_notes or "{}")
        kept = self.result
        self.result = SyncResult.from_dict(notes.get("base") or {})
        self.result.api_calls, self.result.duration_s = kept.api_calls, kept.duration_s
        pages.unlink()
        offset = notes.get("offset", 0)
        self.job.sudo().write({"pages_fetched": offset, "pages_total": offset,
                               "skus_total": notes.get("rows_before", 0),
                               "skus_done": notes.get("done_before", 0)})
        self.log(logging.INFO, "stale_pages", warehouse=self.target.get("code"), read_at=newest,
                 age_min=round(age_minutes), limit_min=max_age)
        self._drop_preview_pages(self.job.sync_target_index)
        self._begin_target(self.job.sync_target_index)
        return True

    def _drop_preview_pages(self, index):
        """The pages copied from a preview grew too old from sweep ``index`` on: that sweep and
        the later ones read Zortout like a pull's (the later ones were read little after it, and
        their kept page numbers must leave room for the pages read now)."""
        targets = self.targets
        if not any(target.pop("from_preview", None) for target in targets[index:]):
            return
        self.job.sudo().sync_targets = json.dumps(targets)
        self.env["marketplace.job.page"].sudo().search([("job_id", "=", self.job.id),
                                                        ("sweep", ">=", index)]).unlink()
        self.log(logging.INFO, "preview_pages_dropped", sweep=index + 1)

    def _fail_target(self, exc):
        """The current sweep failed: record why, drop its kept pages (none of them was
        applied: only steps 2-3 call Zortout or refuse) and begin the next sweep."""
        target = self.target
        message, details = self.job._error_message(exc)
        notes = json.loads(self.job.sweep_notes or "{}")
        base = notes.get("base") or {}
        kept = self.result
        # the failed sweep's counts are not part of the result: back to where the sweep began
        self.result = SyncResult.from_dict(base)
        self.result.api_calls, self.result.duration_s = kept.api_calls, kept.duration_s
        self.result.warehouses.append(self.result.warehouse_entry(
            self.result.as_dict(), code=target["code"], location=target["location"], state="failed",
            error=message, details=details, problem=getattr(exc, "problem", None)))
        self._sweep_pages(unapplied=True).unlink()
        # its rows leave the progress too: the bars of the other warehouses still end full
        offset = notes.get("offset", 0)
        self.job.sudo().write({"pages_fetched": offset, "pages_total": offset,
                               "skus_total": notes.get("rows_before", 0)})
        self.log(logging.WARNING, "warehouse_failed", warehouse=target["code"], location=target["location"],
                 error=render(self.job.with_context(lang="en_US").env, message))
        self._next_target()

    def _next_target(self):
        index = self.job.sync_target_index
        if index + 1 < len(self.targets):
            self._begin_target(index + 1)
            return
        self.job.sudo().sync_phase = "done"
        if not any(entry["state"] == "done" for entry in self.result.warehouses):
            failures = [msg(_lt("%(code)s: %(error)s"), code=entry["code"] or "-", error=entry["error"])
                        for entry in self.result.warehouses]
            raise SyncUserError(self.env, msg(_lt(
                "No Zortout warehouse could be pulled, so no stock was changed. %(failures)s"), failures=failures))

    # -- 2. fetch --------------------------------------------------------------

    def _step_fetch(self):
        job = self.job
        number = job.pages_fetched + 1  # the kept page's number, counting on across sweep passes
        notes = json.loads(job.sweep_notes or "{}")
        code = job.sync_warehouse_code or None
        if self.target.get("unknown"):
            raise self.account._zortout_unknown_warehouse_error(code, self.target["valid"])
        asked_at = fields.Datetime.now()  # the reading is at least this new
        try:
            if self.payload.sku_list:
                size = self.client.sku_batch_size
                batch_number = number - notes.get("offset", 0)
                batch = self.payload.sku_list[(batch_number - 1) * size:batch_number * size]
                page = self.client.fetch_page(code, page=1, sku_list=batch)
                complete, pages_total = number >= job.pages_total, job.pages_total
            else:
                page, complete, pages_total = self._fetch_sweep_page(code, number, notes)
        except ZortoutError as exc:
            in_sweep = number - notes.get("offset", 0)  # the page of this warehouse's sweep
            if in_sweep == 1 or not exc.transient or isinstance(exc, (ZortoutIncompleteSweepError,
                                                                     ZortoutQuotaExceededError,
                                                                     ZortoutOutOfTimeError)):
                raise
            rows = job.skus_total - notes.get("rows_before", 0)
            raise ZortoutIncompleteSweepError(
                f"Zortout sweep stopped at page {in_sweep} after {rows} rows: {exc}",
                rows_read=rows, page=in_sweep, cause=exc, endpoint=exc.endpoint, res_code=exc.res_code,
                res_desc=exc.res_desc, http_status=exc.http_status) from exc
        if page.rows:
            self.env["marketplace.job.page"].sudo().create({
                "job_id": job.id, "number": number, "sweep": job.sync_target_index, "read_at": asked_at,
                "rows": json.dumps([row_to_json(row) for row in page.rows])})
        values = {"pages_fetched": number, "pages_total": pages_total, "sweep_notes": json.dumps(notes),
                  "skus_total": job.skus_total + len(page.rows)}
        if complete:
            values.update(sync_phase="check", pages_total=number)
        job.sudo().write(values)
        self.log(logging.DEBUG, "page", page=number, rows=len(page.rows), count=page.count)
        if complete:
            self.log(logging.INFO, "fetched", rows=job.skus_total - notes.get("rows_before", 0),
                     api_calls=self.result.api_calls + self.client.stats.calls,
                     retries=self.client.stats.retries, ms=int(self.result.duration_s * 1000),
                     pages=number - notes.get("offset", 0))

    def _fetch_sweep_page(self, code, number, notes):
        """(page, sweep complete, pages expected) for kept page ``number`` of a full sweep.

        The client tells the last page (``last``) and an overstated ``count``.
        Paging is by offset, so a product added or removed while the sweep runs
        shifts the rows after it: one row is served twice or never. ``count``
        changing between pages shows it; such a sweep is read once more from
        page 1 (``notes["passes"]``), and the check step keeps each Zortout
        product's latest row, so every product listed in the second pass ends
        with its quantity.
        """
        offset = notes.get("offset", 0)  # kept pages of the earlier passes
        page = self.client.fetch_page(code, page=number - offset)
        if page.count is not None:
            first = notes.setdefault("count", page.count)
            if page.count != first:
                notes["drifted"] = True
        self.result.count_mismatch += page.count_mismatch
        if page.count_mismatch:
            self.log(logging.WARNING, "count_mismatch", count=page.count, missing=page.count_mismatch, page=number)
        in_pass = math.ceil(page.count / page.limit) if page.count else number - offset
        expected = offset + max(in_pass, number - offset + (0 if page.last else 1))
        if not page.last:
            return page, False, expected
        if notes.pop("drifted", False) and notes.get("passes", 1) < MAX_SWEEP_PASSES:
            notes.update(passes=notes.get("passes", 1) + 1, offset=number)
            notes.pop("count", None)
            self.log(logging.WARNING, "drift", page=number, passes=notes["passes"])
            return page, False, number + 1
        return page, True, number

    # -- 3. check --------------------------------------------------------------

    def _kept_rows(self):
        """(page, position, row as kept) of every kept row of the current sweep, in sweep
        order. The rows stay raw JSON values: each check decodes only what it looks at."""
        for page in self._sweep_pages():
            for index, data in enumerate(self._page_rows(page)):
                yield page, (page.number, index), data

    def _sweep_pages(self, unapplied=False):
        """The kept pages of the current sweep (only those not applied yet, with
        ``unapplied``), in sweep order; their numbers are read, not their rows."""
        domain = [("job_id", "=", self.job.id), ("sweep", "=", self.job.sync_target_index)]
        if unapplied:
            domain.append(("applied", "=", False))
        return self.env["marketplace.job.page"].sudo().search_fetch(domain, ["number", "read_at"], order="number")

    def _page_rows(self, page):
        """The rows kept on ``page``, as Zortout sent them; read through a record of its own, so
        that the rows of the sweep's other pages are not loaded with them, and not kept in the
        cache after (memory stays flat over a sweep of any size)."""
        record = self.env["marketplace.job.page"].sudo().browse(page.id)
        rows = json.loads(record.rows)
        record.invalidate_recordset(["rows"])
        return rows

    def _step_check(self):
        stocked = self._stocked_codes()
        guarded = self._zero_guarded
        source = self.account.quantity_source
        rows = []  # (position, zortout id, sku, zero?): zero? is looked at for the zero guard only
        for _page, position, data in self._kept_rows():
            zortout_id, sku = ProductRow.key_from_api(data)
            zero = guarded and sku in stocked and _says_zero(ProductRow.quantity_from_api(data, source))
            rows.append((position, zortout_id, sku, zero))
        superseded, duplicates = sweep_duplicates(row[:3] for row in rows)
        if superseded:
            self.log(logging.INFO, "served_twice", rows=len(superseded))
        listed = {sku for _position, _id, sku, _zero in rows if sku}
        wanted = set(self.payload.sku_list) if self.payload.sku_list else None
        absent = sorted(code for code in stocked if code not in listed and (wanted is None or code in wanted))
        # the zero guard's view of the listed products with stock here; settle adds the absent ones
        zero_by_sku = {sku: zero for position, _id, sku, zero in rows
                       if sku in stocked and position not in superseded and sku not in duplicates}
        notes = json.loads(self.job.sweep_notes or "{}")
        notes.update(superseded=sorted(superseded), duplicates=sorted(duplicates), absent=absent, absent_done=0,
                     settled=[], not_in_zortout=[],
                     guard={"stocked": len(zero_by_sku), "zeroing": sum(zero_by_sku.values()),
                            "samples": sorted(sku for sku, zero in zero_by_sku.items() if zero)[:5]})
        self.job.sudo().write({"sweep_notes": json.dumps(notes), "sync_phase": "settle"})

    @property
    def _zero_guarded(self):
        """The zero guard looks at this sweep: a full pull that is not forced nor a preview."""
        return self.payload.mode == "full" and not self.payload.force and not self.payload.dry_run

    def _stocked_codes(self):
        """Stripped codes of the products with a non-zero on hand in the target tree
        (without the locations that other mapped warehouses fill)."""
        condition, params = tree_condition(self.job.sync_location_id, self._excluded())
        self.env["stock.quant"].flush_model()
        self.env.cr.execute(f"""
            SELECT btrim(product.default_code)
              FROM stock_quant quant
              JOIN product_product product ON product.id = quant.product_id
              JOIN stock_location location ON location.id = quant.location_id
             WHERE {condition}
               AND product.default_code IS NOT NULL AND btrim(product.default_code) <> '' AND product.active
          GROUP BY product.id
            HAVING SUM(quant.quantity) <> 0
        """, params)
        return {code for (code,) in self.env.cr.fetchall()}

    # -- 3b. settle: products that Zortout left out, then the zero guard ----------

    def _step_settle(self):
        """Products with stock here whose SKU the sweep did not list, one batch per step.

        A warehouse sweep leaves out what the warehouse no longer holds, and a
        product renamed or deleted in Zortout vanishes from it too. Each batch is
        read again with ``skulist`` (same warehouse code): a product listed now
        takes that quantity; one still missing there but known to Zortout
        store-wide holds nothing in the warehouse and goes to 0; one that Zortout
        does not know at all is left alone and reported (``not_in_zortout``).
        At most two calls per 100 absent SKUs. When every batch is read, the
        settled rows become one more kept page and the zero guard looks at all.
        """
        notes = json.loads(self.job.sweep_notes)
        if "guard" not in notes:
            # checked by an earlier version of the addon, which kept no zero-guard counts
            self.job.sudo().sync_phase = "check"
            return
        absent, done = notes["absent"], notes["absent_done"]
        if done < len(absent):
            batch = absent[done:done + self.client.sku_batch_size]
            code = self.job.sync_warehouse_code or None
            # the settled rows become one kept page, as new as its first batch
            notes.setdefault("settled_at", fields.Datetime.to_string(fields.Datetime.now()))
            found = {row.sku: row for row in self.client.fetch_page(code, page=1, sku_list=batch).rows}
            missing = [sku for sku in batch if sku not in found]
            known = set()
            if code and missing:
                known = {row.sku for row in self.client.fetch_page(None, page=1, sku_list=missing).rows}
            notes["settled"].extend(row_to_json(row) for row in found.values())
            notes["settled"].extend({"id": None, "sku": sku, "producttype": 0, "stock": "0", "availablestock": "0"}
                                    for sku in missing if sku in known)
            notes["not_in_zortout"].extend(sku for sku in missing if sku not in known)
            notes["absent_done"] = done + len(batch)
            self.job.sudo().sweep_notes = json.dumps(notes)
            return
        if absent:
            self.log(logging.INFO, "settled", absent=len(absent), found=len(notes["settled"]),
                     not_in_zortout=len(notes["not_in_zortout"]))
        if notes["settled"]:
            number = self.job.pages_fetched + 1
            self.env["marketplace.job.page"].sudo().create({
                "job_id": self.job.id, "number": number, "sweep": self.job.sync_target_index,
                "read_at": notes.get("settled_at") or fields.Datetime.now(), "rows": json.dumps(notes["settled"])})
            self.job.sudo().write({"pages_fetched": number, "skus_total": self.job.skus_total + len(notes["settled"])})
        for sku in notes["not_in_zortout"]:
            self.result.not_in_zortout += 1
            self.result.sample("not_in_zortout", sku)
        if notes["not_in_zortout"]:
            lines = self._not_in_zortout_lines(notes["not_in_zortout"])
            for line in lines:
                line["_always"] = self.payload.dry_run
            self._write_lines(lines)
        if self._zero_guarded:
            self._zero_guard(notes["guard"], notes["settled"])
        self.job.sudo().sync_phase = "apply"

    def _not_in_zortout_lines(self, skus):
        """Lines of the products with stock here that Zortout does not know: left alone, so
        their on hand before and after is what they hold here, and there is no Zortout quantity."""
        facts = self._product_index.facts_by_sku(skus)
        ids = {sku: [product.id for product in facts.get(sku, ())] for sku in skus}
        levels = stock_levels(self.env, self.job.sync_location_id, [pid for found in ids.values() for pid in found],
                              self._excluded())
        lines = []
        for sku in skus:
            on_hand = sum(levels.get(pid, (0.0, False))[0] for pid in ids[sku])
            product_id = ids[sku][0] if len(ids[sku]) == 1 else None
            lines.append(self._line("not_in_zortout", sku, product_id, None, on_hand, on_hand))
        return lines

    def _zero_guard(self, guard, settled):
        """Refuse a sweep in which Zortout says zero for most of the products that have
        stock here: a wrong warehouse code or quantity source, not a sell-out.
        ``guard`` counts the listed products with stock here (check step); the settled
        rows are all products with stock here that the sweep left out."""
        source = self.account.quantity_source
        zeroing = [row["sku"] for row in settled if _says_zero(ProductRow.quantity_from_api(row, source))]
        stocked = guard["stocked"] + len(settled)
        zero = guard["zeroing"] + len(zeroing)
        if zero > ZERO_GUARD_MIN and zero > stocked * ZERO_GUARD_SHARE:
            raise SyncUserError(self.env, msg(_lt(
                "Zortout reports zero stock for %(zero)s of the %(stocked)s matched products that have stock "
                "in Odoo (e.g. %(samples)s). Nothing was changed: check the warehouse code and the quantity "
                "source of the account, or preview the pull. To apply these quantities anyway, a Marketplace "
                "Administrator can run a job with the payload {\"force\": true}."),
                zero=zero, stocked=stocked, samples=", ".join(sorted(guard["samples"] + zeroing)[:5])),
                problem="zero_guard")

    # -- 4. apply --------------------------------------------------------------


    def _step_apply(self):
        """Apply kept pages of the current sweep, several per step: each page is planned
        (matched, its quants read and locked, its changes decided), until the step holds
        ``apply_step_rows`` rows or ``apply_step_changes`` changes, or has planned for
        ``APPLY_STEP_PLAN_SECONDS``; then all the changes go through Odoo's Apply at
        once and the pages are marked applied in the same transaction."""
        pages = self._sweep_pages(unapplied=True)
        if not pages:
            self.job.sudo().sync_phase = "finish"
            return
        # unchanged readings are recorded too only when a reading older than this job's could still
        # be applied after it: another job of the account keeps Zortout pages (one spread over runs,
        # a failed one Retry may go on with, a preview that may be applied). The account's jobs run
        # one at a time and a job that reads later reads newer, so otherwise nothing older can
        # follow, and a pull of 10,000 unchanged SKUs writes no reading rows
        self._record_unchanged = other_job_keeps_pages(self.env, self.job)
        notes = json.loads(self.job.sweep_notes or "{}")
        superseded = {tuple(position) for position in notes.get("superseded", ())}
        duplicates = set(notes.get("duplicates", ()))
        max_rows, max_changes = self._apply_step_limits()
        started = time.monotonic()
        taken, lines, changes, served_count, rows_count = pages.browse(), [], [], 0, 0
        for page in pages:
            served = self._page_rows(page)
            rows = [row for index, row in enumerate(map(ProductRow.from_api, served))
                    if (page.number, index) not in superseded]
            changes += self._plan_rows(rows, duplicates, lines, page.read_at)
            taken |= page
            served_count += len(served)
            rows_count += len(rows)
            if (served_count >= max_rows or len(changes) >= max_changes
                    or time.monotonic() - started >= APPLY_STEP_PLAN_SECONDS):
                break
        updated = self._apply_planned(changes, lines)
        self._write_lines(lines)
        taken.applied = True
        self.job.sudo().skus_done += served_count
        if len(taken) == len(pages):
            self.job.sudo().sync_phase = "finish"
        self.env.flush_all()
        self.env.invalidate_all()  # the pages' records are no longer needed: memory stays flat
        self.log(logging.DEBUG, "applied_pages", page=taken[0].number, pages=len(taken), rows=rows_count,
                 updated=updated)

    def _apply_step_limits(self):
        """(rows, changes) an apply step takes at most: the system parameters."""
        return param_value(self.env, PARAM_APPLY_STEP_ROWS), param_value(self.env, PARAM_APPLY_STEP_CHANGES)

    def _plan_rows(self, rows, duplicates, lines, read_at):
        """Decide one page's rows, read from Zortout at ``read_at``: append the skip lines to
        ``lines`` and return the changes to apply, ``[(Candidate, target, QuantState, on hand)]``;
        their quants are read and locked now, so that nothing moves them before they are
        applied, and a row older than a reading applied since is not applied."""
        result = self.result
        source = self.account.quantity_source
        location = self.job.sync_location_id
        result.fetched += len(rows)
        candidates = []
        facts = self._product_index.facts_by_sku(
            [row.sku for row in rows if row.sku and row.sku not in duplicates])
        for row in rows:
            if not row.sku:
                result.skip("no_sku", "")
                self._decision("", "no_sku")
                continue
            if row.sku in duplicates:
                self._skip(lines, "duplicate_in_zortout", row.sku)
                continue
            reason, candidate = match_row(row, facts.get(row.sku, []), source)
            if reason:
                products = facts.get(row.sku, [])
                self._skip(lines, reason, row.sku, products[0].id if len(products) == 1 else None,
                           row.quantity(source))
            else:
                candidates.append(candidate)
        # most SKUs are unchanged: an unlocked read of the levels tells them apart; only the
        # products that may change have their quants read again, locked, and decided on that
        exclude = self._excluded()
        levels = stock_levels(self.env, location, [candidate.product.id for candidate in candidates], exclude)
        to_lock = [candidate for candidate in candidates
                   if self._decide(lines, candidate, *levels.get(candidate.product.id, (0.0, False)))]
        states = read_quants(self.env, location, [candidate.product.id for candidate in to_lock], exclude)
        older = self._older_than_applied(location, candidates, to_lock, read_at)
        changes = []
        for candidate in to_lock:
            if candidate.product.id in older:
                self._skip(lines, "superseded_by_newer", candidate.sku, candidate.product.id, candidate.quantity,
                           levels.get(candidate.product.id, (0.0, False))[0], always=True)
                continue
            state = states[candidate.product.id]
            if self._decide(lines, candidate, state.on_hand, state.being_counted):
                self._note_clamped(candidate)
                changes.append((candidate, float(candidate.quantity), state, state.on_hand))
        return changes

    def _older_than_applied(self, location, candidates, changing, read_at):
        """The product ids of ``changing`` (of the page's matched ``candidates``) whose reading
        (``read_at``) is older than one already applied at ``location`` (by any job). A sync
        records its readings as it decides, under the quants' lock; a preview only looks. The
        unchanged ones are recorded too (they are what Odoo holds) when an older reading could
        still come after this one (see _step_apply)."""
        if self.payload.dry_run:
            return newer_readings(self.env, location, {candidate.product.id: read_at for candidate in changing})
        recorded = candidates if self._record_unchanged else changing
        older = record_newest_readings(self.env, location, self.job,
                                       {candidate.product.id: read_at for candidate in recorded})
        return older & {candidate.product.id for candidate in changing}


    def _decide(self, lines, candidate, on_hand, being_counted):
        """True when ``candidate``'s stock is to be set; otherwise record why not
        (someone is counting it, or it already holds Zortout's quantity)."""
        if being_counted:
            # someone is counting this product right now: their count wins
            self._skip(lines, "being_counted", candidate.sku, candidate.product.id, candidate.quantity, on_hand)
            return False
        target = float(candidate.quantity)
        if float_compare(target, on_hand, precision_rounding=candidate.product.rounding) == 0:
            self._note_clamped(candidate)
            self.result.matched += 1
            self.result.unchanged += 1
            self._decision(candidate.sku, "unchanged", on_hand, target)
            return False
        return True

    def _note_clamped(self, candidate):
        if candidate.clamped:
            self.result.negative_clamped += 1
            self.result.sample("negative_clamped", candidate.sku)

    def _apply_planned(self, changes, lines):
        """Apply planned ``changes`` (see :meth:`_plan_rows`) in one go; append their
        change lines to ``lines``. Returns the number of products updated (or that a
        preview would update)."""
        result = self.result
        if self.payload.dry_run:
            for candidate, target, _state, on_hand in changes:
                result.matched += 1
                result.updated += 1
                lines.append(self._line("would_update", candidate.sku, candidate.product.id, target, on_hand, target))
            return len(changes)
        move_floor = self._last_move_id()
        refused = apply_changes(self.env, [(candidate.product.id, target, state, candidate.product.rounding)
                                           for candidate, target, state, _on_hand in changes],
                                self.job.sync_location_id, self.move_name)
        moves = self._moves_since(move_floor, [candidate.product.id for candidate, *_rest in changes])
        updated = 0
        for candidate, target, _state, on_hand in changes:
            product_id = candidate.product.id
            if product_id in refused:
                self._skip(lines, "apply_failed", candidate.sku, product_id, target, on_hand,
                           message=refused[product_id], always=True)
                continue
            result.matched += 1
            result.updated += 1
            updated += 1
            self._decision(candidate.sku, "updated", on_hand, target)
            lines.append(self._line("updated", candidate.sku, product_id, target, on_hand, target,
                                    move_id=moves.get(product_id)))
        return updated

    def _decision(self, sku, decision, before=None, after=None):
        if _logger.isEnabledFor(logging.DEBUG):
            self.log(logging.DEBUG, "decision", sku=sku or '""', decision=decision, **{"from": before, "to": after})

    def _skip(self, lines, reason, sku, product_id=None, zortout_quantity=None, on_hand=None, message=None,
              always=False):
        self.result.skip(reason, sku)
        self._decision(sku, reason, on_hand, None if isinstance(zortout_quantity, QuantityProblem)
                       else zortout_quantity)
        quantity = None if isinstance(zortout_quantity, QuantityProblem) else zortout_quantity
        line = self._line(reason, sku, product_id, quantity, on_hand, on_hand, message=message)
        line["_always"] = always or self.payload.dry_run
        lines.append(line)

    def _line(self, decision, sku, product_id, zortout_quantity, before, after, move_id=None, message=None):
        """A change line's values: the SKU's decision in the current sweep's warehouse and location.
        No Zortout quantity (Zortout does not know the SKU, or sent none) stays empty, not 0."""
        return {"job_id": self.job.id, "account_id": self.account.id, "sku": sku, "product_id": product_id,
                "decision": decision, "zortout_quantity": float(zortout_quantity) if zortout_quantity is not None
                else False, "zortout_quantity_missing": zortout_quantity is None,
                "quantity_before": before if before is not None else False,
                "quantity_after": after if after is not None else False, "move_id": move_id,
                "message": message or False, "warehouse_code": self.job.sync_warehouse_code or False,
                "location_id": self.job.sync_location_id.id or False}

    def _write_lines(self, lines):
        """Create the page's change lines. A skip line is written only when the SKU's
        latest line on this account says something else: a pull that skips the same
        SKUs for the same reasons as the one before adds no line."""
        skip_skus = [line["sku"] for line in lines if line["decision"] not in ("updated", "would_update")
                     and not line["_always"]]
        latest = self.env["marketplace.job.line"]._latest_decisions(self.account, skip_skus,
                                                                     self.job.sync_location_id)
        values = []
        for line in lines:
            always = line.pop("_always", True)
            decision = line["decision"]
            if decision in ("updated", "would_update") or always or latest.get(line["sku"]) != decision:
                values.append(line)
        if values:
            self.env["marketplace.job.line"]._insert_log(values)

    def _last_move_id(self):
        self.env["stock.move"].flush_model()
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM stock_move")
        return self.env.cr.fetchone()[0]

    def _moves_since(self, floor, product_ids):
        """{product id: the inventory move this sync just made for it}."""
        if not product_ids:
            return {}
        self.env.cr.execute("""
            UPDATE stock_move SET marketplace_job_id = %s
             WHERE id > %s AND product_id = ANY(%s) AND is_inventory AND reference = %s
         RETURNING product_id, id
        """, [self.job.id, floor, list(product_ids), self.move_name])
        moves = {}
        for product_id, move_id in self.env.cr.fetchall():
            moves[product_id] = min(move_id, moves.get(product_id, move_id))
        self.env["stock.move"].invalidate_model(["marketplace_job_id"])
        return moves

    # -- 5. finish -------------------------------------------------------------

    def _step_finish(self):
        """Close the sweep: its line of the result, then the next sweep or the end."""
        target = self.target
        base = json.loads(self.job.sweep_notes or "{}").get("base") or {}
        self.result.warehouses.append(self.result.warehouse_entry(
            base, code=target["code"], location=target["location"], state="done"))
        if len(self.targets) > 1:
            self.log(logging.INFO, "warehouse_done", warehouse=target["code"], location=target["location"],
                     updated=self.result.warehouses[-1]["updated"])
        self._next_target()
        if self.finished:
            self.log(logging.INFO, "applied", updated=self.result.updated, unchanged=self.result.unchanged,
                     skipped=self.result.skipped_total, dry_run=self.payload.dry_run)
