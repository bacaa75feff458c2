"""What a stock sync did: counts per outcome and a few sample SKUs per skip reason."""

SKIP_REASONS = (
    "no_sku",
    "duplicate_in_zortout",
    "ambiguous_in_odoo",
    "not_in_odoo",
    "service",
    "not_tracked",
    "tracked_by_lot",
    "bad_quantity",
    "being_counted",
)
#: the reasons that are decided after the SKU matched exactly one Odoo product
MATCHED_SKIP_REASONS = ("service", "not_tracked", "tracked_by_lot", "bad_quantity", "being_counted")
MAX_SAMPLES = 20

__all__ = ["SyncResult", "SKIP_REASONS", "MATCHED_SKIP_REASONS", "MAX_SAMPLES"]


class SyncResult:
    """Accumulates the outcome of one sync; :meth:`as_dict` is the job's ``result``.

    Invariants: ``fetched == matched + no_sku + duplicate_in_zortout +
    ambiguous_in_odoo + not_in_odoo`` and ``matched == updated + unchanged +``
    the skips decided after matching.
    """

    def __init__(self, warehouse_code=None, location=None):
        self.fetched = 0
        self.matched = 0
        self.updated = 0
        self.unchanged = 0
        self.negative_clamped = 0
        self.skipped = dict.fromkeys(SKIP_REASONS, 0)
        self.samples = {}
        self.warehouse_code = warehouse_code
        self.location = location
        self.api_calls = 0
        self.duration_s = 0.0

    def skip(self, reason, sku):
        self.skipped[reason] += 1
        if reason in MATCHED_SKIP_REASONS:
            self.matched += 1
        self.sample(reason, sku)

    def sample(self, reason, sku):
        samples = self.samples.setdefault(reason, [])
        if len(samples) < MAX_SAMPLES:
            samples.append(sku if sku else "(no SKU)")

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
            "warehouse_code": self.warehouse_code,
            "location": self.location,
            "api_calls": self.api_calls,
            "duration_s": round(self.duration_s, 3),
            "samples": {reason: list(skus) for reason, skus in self.samples.items()},
        }
