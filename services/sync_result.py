"""What a stock sync did: counts per outcome and a few sample SKUs per skip reason.

The result is kept on the job as JSON after every step of the sync, so that a
sync that continues in a later run adds to the counts of the earlier runs.
"""

from odoo.addons.otd_marketplace_stock.const import MATCHED_SKIP_REASONS, MAX_SAMPLES, SKIP_REASONS

__all__ = ["SyncResult"]

_COUNTERS = ("fetched", "matched", "updated", "unchanged", "negative_clamped", "api_calls", "count_mismatch",
             "not_in_zortout")


class SyncResult:
    """Accumulates the outcome of one sync; :meth:`as_dict` is the job's ``result``.

    Invariants: ``fetched == matched + no_sku + duplicate_in_zortout +
    ambiguous_in_odoo + not_in_odoo`` and ``matched == updated + unchanged +``
    the skips decided after matching. In a preview (``dry_run``) ``updated``
    counts the products that would be updated.
    """

    def __init__(self, warehouse_code=None, location=None, dry_run=False):
        self.fetched = 0
        self.matched = 0
        self.updated = 0
        self.unchanged = 0
        self.negative_clamped = 0
        self.count_mismatch = 0
        self.not_in_zortout = 0  # products with stock here that Zortout does not know: left alone
        self.skipped = dict.fromkeys(SKIP_REASONS, 0)
        self.samples = {}
        self.warehouse_code = warehouse_code
        self.location = location
        self.dry_run = dry_run
        self.api_calls = 0
        self.duration_s = 0.0
        # one entry per Zortout warehouse swept: code, location, state, counts, error (a message)
        self.warehouses = []

    @classmethod
    def from_dict(cls, data):
        result = cls(data.get("warehouse_code"), data.get("location"), bool(data.get("dry_run")))
        for name in _COUNTERS:
            setattr(result, name, int(data.get(name) or 0))
        result.duration_s = float(data.get("duration_s") or 0.0)
        for reason, count in (data.get("skipped") or {}).items():
            if reason in result.skipped:
                result.skipped[reason] = int(count or 0)
        result.samples = {reason: list(skus) for reason, skus in (data.get("samples") or {}).items()}
        result.warehouses = [dict(entry) for entry in data.get("warehouses") or ()]
        return result

    @property
    def failed_warehouses(self):
        return [entry for entry in self.warehouses if entry.get("state") == "failed"]

    def warehouse_entry(self, base, **values):
        """A warehouse's line of the result: its counts are this result's minus ``base``
        (the result as it stood when the warehouse's sweep began)."""
        entry = dict(values)
        for name in ("fetched", "updated", "unchanged", "not_in_zortout"):
            entry[name] = getattr(self, name) - int(base.get(name) or 0)
        entry["skipped"] = self.skipped_total - sum((base.get("skipped") or {}).values())
        return entry

    def skip(self, reason, sku):
        self.skipped[reason] += 1
        if reason in MATCHED_SKIP_REASONS:
            self.matched += 1
        self.sample(reason, sku)

    def sample(self, reason, sku):
        samples = self.samples.setdefault(reason, [])
        sku = sku if sku else "(no SKU)"
        # the sweep of each mapped warehouse may skip the same SKU: name it once
        if len(samples) < MAX_SAMPLES and sku not in samples:
            samples.append(sku)

    @property
    def skipped_total(self):
        return sum(self.skipped.values())

    def as_dict(self):
        return {
            "fetched": self.fetched,
            "matched": self.matched,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": dict(self.skipped),
            "negative_clamped": self.negative_clamped,
            "count_mismatch": self.count_mismatch,
            "not_in_zortout": self.not_in_zortout,
            "dry_run": self.dry_run,
            "warehouse_code": self.warehouse_code,
            "location": self.location,
            "api_calls": self.api_calls,
            "duration_s": round(self.duration_s, 3),
            "samples": {reason: list(skus) for reason, skus in self.samples.items()},
            "warehouses": [dict(entry) for entry in self.warehouses],
        }
