"""What a Create Products from Zortout job did: counts, and a few sample SKUs per outcome.

Kept on the job as JSON after every step, so that a job that continues in a later
run adds to the counts of the earlier runs (as services/sync_result.py does for a pull).
"""

MAX_SAMPLES = 20

__all__ = ["ImportResult", "OUTCOMES"]

#: the counted outcomes, in the order the result shows them
OUTCOMES = ("created", "already_in_odoo", "create_refused", "image_failed")
_COUNTERS = ("listed", "templates", "variants", "categories_created", "images_done", "api_calls", *OUTCOMES)


class ImportResult:
    """``listed``: rows the job was given; ``created``: products created (variants
    included); ``templates``: templates with variants among them; ``already_in_odoo``: rows
    whose SKU an Odoo product carried when the job came to them (created by an earlier run,
    or by a person meanwhile); ``create_refused``: rows Odoo refused (a barcode taken
    meanwhile); ``image_failed``: images that could not be fetched (the product stays)."""

    def __init__(self):
        for name in _COUNTERS:
            setattr(self, name, 0)
        self.duration_s = 0.0
        self.samples = {}

    @classmethod
    def from_dict(cls, data):
        result = cls()
        for name in _COUNTERS:
            setattr(result, name, int(data.get(name) or 0))
        result.duration_s = float(data.get("duration_s") or 0.0)
        result.samples = {key: list(skus) for key, skus in (data.get("samples") or {}).items()}
        return result

    def count(self, outcome, sku, amount=1):
        setattr(self, outcome, getattr(self, outcome) + amount)
        samples = self.samples.setdefault(outcome, [])
        if len(samples) < MAX_SAMPLES and sku not in samples:
            samples.append(sku)

    def as_dict(self):
        data = {name: getattr(self, name) for name in _COUNTERS}
        data.update(duration_s=round(self.duration_s, 3), samples=self.samples)
        return data
