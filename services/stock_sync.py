"""The Zortout -> Odoo stock pull of one job.

Order of work, so that a failure anywhere writes nothing:

1. resolve the warehouse code (at most one GetWarehouses call) and the target location;
2. fetch the complete sweep (the client returns every row or raises);
3. plan in batches: one product search and one quant read per batch of SKUs;
4. check the zero guard over the whole plan;
5. apply the changes as inventory adjustments, batch by batch.

Steps 1-4 write nothing. In a request (Pull Stock, Run Now) the caller
(``marketplace.job._execute``) runs all of it inside a savepoint, so a failure
rolls back whatever was written. Run by the runner cron, each applied batch is
committed: a time limit or a dead worker loses no finished batch, and the
re-run is harmless because the quantities are absolute.
"""

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from odoo.exceptions import UserError

from odoo.addons.otd_marketplace_stock.models.job_payload import parse_payload
from odoo.addons.otd_marketplace_stock.zortout import QuantityProblem

from .joblog import log_job_event
from .sync_result import SyncResult

_logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
#: the zero guard trips when more than this many stocked products would go to zero...
ZERO_GUARD_MIN = 10
#: ...and they are more than this share of the matched products that have stock
ZERO_GUARD_SHARE = 0.5

__all__ = ["StockSync", "BATCH_SIZE", "ZERO_GUARD_MIN"]


@dataclass(slots=True)
class _Source:
    """One quant of the target tree that a decrease may take from."""
    quant_id: int
    location_id: int
    quantity: float
    package_id: int
    owner_id: int


@dataclass(slots=True)
class _Change:
    """A product whose on hand must change; plain values, so that a batch's
    records can leave the ORM cache once it is planned (memory at 50,000 SKUs)."""
    sku: str
    product_id: int
    uom_id: int
    target: float
    on_hand: float
    had_stock: bool
    sources: list = field(default_factory=list)  # _Source, own quants at the target first


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class StockSync:
    """Pull the stock of ``job.account_id`` from Zortout through ``client``."""

    def __init__(self, job, client, batch_size=BATCH_SIZE, on_batch_applied=None):
        """:param batch_size: SKUs planned and applied together (1 gives the per-record path)
        :param on_batch_applied: called with the batch size after each applied batch
        """
        self.job = job
        self.env = job.env
        self.account = job.account_id
        self.client = client
        self.batch_size = batch_size
        self.on_batch_applied = on_batch_applied
        self.move_name = f"Zortout sync {job.reference}"
        self.stocked = 0  # matched, eligible products that have stock in Odoo now

    def log(self, level, event, **values):
        log_job_event(_logger, level, self.job, event, **values)

    # -- the steps -----------------------------------------------------------

    def run(self):
        started = time.monotonic()
        payload = parse_payload(self.job.payload)
        location = self.account._zortout_target_location()
        code, source = self.account._zortout_resolve_warehouse_code(self.client, payload.warehouse_code)
        result = SyncResult(code, location.complete_name)
        self.log(logging.INFO, "start", warehouse=code, location=location.complete_name, source=source,
                 mode=payload.mode)

        fetch_started = time.monotonic()
        rows = self.client.fetch_products(code, list(payload.sku_list) if payload.sku_list else None)
        result.fetched = len(rows)
        self.log(logging.INFO, "fetched", rows=len(rows), api_calls=self.client.stats.calls,
                 retries=self.client.stats.retries, ms=int((time.monotonic() - fetch_started) * 1000))

        apply_started = time.monotonic()
        changes = self._plan(rows, location, result)
        if payload.mode == "full" and not payload.force:
            self._zero_guard(changes)
        self._apply(changes, location)
        result.updated = len(changes)
        result.api_calls = self.client.stats.calls
        self.log(logging.INFO, "applied", updated=result.updated, unchanged=result.unchanged,
                 skipped=result.skipped_total, ms=int((time.monotonic() - apply_started) * 1000))
        result.duration_s = time.monotonic() - started
        return result

    def _decision(self, sku, decision, before=None, after=None):
        if _logger.isEnabledFor(logging.DEBUG):
            self.log(logging.DEBUG, "decision", sku=sku or '""', decision=decision, **{"from": before, "to": after})

    def _skip(self, result, reason, sku, before=None, after=None):
        result.skip(reason, sku)
        self._decision(sku, reason, before, after)

    # -- planning ------------------------------------------------------------

    def _plan(self, rows, location, result):
        by_sku = defaultdict(list)
        for row in rows:
            if not row.sku:
                self._skip(result, "no_sku", "")
                continue
            by_sku[row.sku].append(row)
        unique = []
        for sku, group in by_sku.items():
            if len(group) > 1:
                # the same SKU twice in one sweep: no way to know which quantity is right
                for _row in group:
                    self._skip(result, "duplicate_in_zortout", sku)
                continue
            unique.append(group[0])
        padded = self._padded_codes()
        changes = []
        for batch in _chunks(unique, self.batch_size):
            changes.extend(self._plan_batch(batch, location, result, padded))
            self.env.invalidate_all()  # the batch's records are no longer needed
        return changes

    def _product_model(self):
        # sudo: matching must see exactly the account company's products and the
        # shared ones, whatever companies the user has selected in the web client;
        # it only reads product codes and settings, and never writes them.
        return self.env["product.product"].sudo().with_company(self.account.company_id)

    def _company_domain(self):
        return [("company_id", "in", [self.account.company_id.id, False])]

    def _padded_codes(self):
        """{stripped code: [product ids]} for the few codes stored with surrounding spaces.

        One query per sync, so that the per-batch search can use the index on
        default_code while still matching " SKU-1 " to Zortout's "SKU-1".
        """
        self.env["product.product"].flush_model(["default_code", "active"])
        self.env.cr.execute("""
            SELECT id, btrim(default_code)
              FROM product_product
             WHERE default_code IS NOT NULL AND default_code <> btrim(default_code) AND active
        """)
        padded = defaultdict(list)
        for product_id, code in self.env.cr.fetchall():
            if code:
                padded[code].append(product_id)
        return padded

    def _plan_batch(self, batch, location, result, padded):
        skus = [row.sku for row in batch]
        extra_ids = [product_id for sku in skus for product_id in padded.get(sku, ())]
        code_domain = [("default_code", "in", skus)]
        if extra_ids:
            code_domain = ["|", ("default_code", "in", skus), ("id", "in", extra_ids)]
        products = self._product_model().search(code_domain + self._company_domain())
        by_code = defaultdict(list)
        for product in products:
            by_code[(product.default_code or "").strip()].append(product)

        source = self.account.quantity_source
        candidates = []
        for row in batch:
            found = by_code.get(row.sku, [])
            if not found:
                self._skip(result, "not_in_odoo", row.sku)
                continue
            if len(found) > 1:
                self._skip(result, "ambiguous_in_odoo", row.sku)
                continue
            product = found[0]
            if product.type in ("service", "combo") or row.is_service:
                self._skip(result, "service", row.sku)
            elif not product.is_storable:
                self._skip(result, "not_tracked", row.sku)
            elif product.tracking != "none":
                self._skip(result, "tracked_by_lot", row.sku)
            else:
                quantity = row.quantity(source)
                if isinstance(quantity, QuantityProblem):
                    self._skip(result, "bad_quantity", row.sku, after=quantity.name)
                else:
                    candidates.append((row, product, quantity))
        if not candidates:
            return []

        quants_by_product = defaultdict(list)
        quants = self.env["stock.quant"].search([
            ("product_id", "in", [product.id for _row, product, _qty in candidates]),
            ("location_id", "child_of", location.id),
            ("location_id.usage", "=", "internal"),
        ])
        for quant in quants:
            quants_by_product[quant.product_id.id].append(quant)

        changes = []
        for row, product, quantity in candidates:
            product_quants = quants_by_product.get(product.id, [])
            on_hand = sum(quant.quantity for quant in product_quants)
            if any(quant.inventory_quantity_set for quant in product_quants):
                # someone is counting this product right now: their count wins
                self._skip(result, "being_counted", row.sku, on_hand, quantity)
                continue
            result.matched += 1
            if quantity < 0:
                result.negative_clamped += 1
                result.sample("negative_clamped", row.sku)
                quantity = 0
            target = float(quantity)
            had_stock = product.uom_id.compare(on_hand, 0) > 0
            if had_stock:
                self.stocked += 1
            if product.uom_id.compare(target, on_hand) == 0:
                result.unchanged += 1
                self._decision(row.sku, "unchanged", on_hand, target)
                continue
            self._decision(row.sku, "updated", on_hand, target)
            changes.append(_Change(row.sku, product.id, product.uom_id.id, target, on_hand, had_stock,
                                   self._sources(product_quants, location)))
        return changes

    @staticmethod
    def _sources(quants, location):
        """The quants a decrease takes from: the target location's own plain quant
        first, then the others of its tree, oldest first."""
        def own_first(quant):
            plain = quant.location_id == location and not (quant.package_id or quant.owner_id)
            return (not plain, quant.id)
        return [_Source(quant.id, quant.location_id.id, quant.quantity, quant.package_id.id, quant.owner_id.id)
                for quant in sorted(quants, key=own_first)]

    # -- safety --------------------------------------------------------------

    def _zero_guard(self, changes):
        zeroing = [change for change in changes if change.had_stock and change.target == 0]
        if len(zeroing) > ZERO_GUARD_MIN and len(zeroing) > self.stocked * ZERO_GUARD_SHARE:
            raise UserError(self.env._(
                "Zortout reports zero stock for %(zero)s of the %(stocked)s matched products that have stock "
                "in Odoo (e.g. %(samples)s). Nothing was changed: check the warehouse code and the quantity "
                "source of the account. To apply these quantities anyway, run a job with the payload "
                "{\"force\": true}.",
                zero=len(zeroing), stocked=self.stocked,
                samples=", ".join(change.sku for change in zeroing[:5]),
            ))

    # -- applying ------------------------------------------------------------

    def _apply(self, changes, location):
        """Apply the changes as inventory adjustments, one batch at a time.

        After each batch the ORM cache is emptied (memory stays flat however
        large the store) and ``self.on_batch_applied`` is called: the runner
        commits there, so a time limit or a dead worker never loses a finished
        batch; a re-run is harmless because the quantities are absolute.
        """
        for batch in _chunks(changes, self.batch_size):
            self._apply_batch(batch, location)
            self.env.flush_all()
            self.env.invalidate_all()
            if self.on_batch_applied:
                self.on_batch_applied(len(batch))

    def _decrease_takes(self, change, location):
        """[(source quant or None, quantity)] for a decrease: from the quants with
        stock, own quant first, so that no negative quant is made while stock
        remains anywhere in the tree; None (the target itself) for any rest."""
        uom = self.env["uom.uom"].browse(change.uom_id)
        takes, need = [], change.on_hand - change.target
        for source in change.sources:
            if uom.compare(need, 0) <= 0:
                break
            if uom.compare(source.quantity, 0) <= 0:
                continue
            take = min(source.quantity, need)
            takes.append((source, take))
            need -= take
        if uom.compare(need, 0) > 0:
            takes.append((None, need))  # negative quants in the tree
        return takes

    def _apply_batch(self, batch, location):
        """One batch through Odoo's own inventory mode: the counted quantity
        (``inventory_quantity``) is set on the quants, then Odoo's Apply turns the
        differences into inventory-adjustment moves named after the job.

        An increase lands on the target location's own quant (created in
        inventory mode when missing). A decrease takes from the quants with
        stock, own quant first, so that no negative quant is made while stock
        remains anywhere in the tree.
        """
        quants_model = self.env["stock.quant"].with_context(inventory_mode=True)
        counted, to_create = {}, []
        for change in batch:
            own = change.sources[0] if change.sources else None
            own_is_plain = own and own.location_id == location.id and not (own.package_id or own.owner_id)
            if change.target > change.on_hand:
                if own_is_plain:
                    counted[own.quant_id] = own.quantity + change.target - change.on_hand
                else:
                    to_create.append({"product_id": change.product_id, "location_id": location.id,
                                      "inventory_quantity": change.target - change.on_hand})
                continue
            for source, quantity in self._decrease_takes(change, location):
                if source:
                    counted[source.quant_id] = source.quantity - quantity
                elif own_is_plain:  # the rest goes below zero on the own quant
                    counted[own.quant_id] = counted.get(own.quant_id, own.quantity) - quantity
                else:
                    to_create.append({"product_id": change.product_id, "location_id": location.id,
                                      "inventory_quantity": -quantity})
        quants = quants_model.browse(list(counted))
        for quant in quants:
            quant.inventory_quantity = counted[quant.id]
        if to_create:
            quants |= quants_model.create(to_create)
        if quants:
            quants.with_context(inventory_name=self.move_name)._apply_inventory()
