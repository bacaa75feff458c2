"""Products that come and go while a sweep runs.

Zortout pages GetProducts by offset and documents no ordering, so a product
added or removed during a sweep shifts every later row by one: a row is served
twice, or never, and ``count`` changes between pages. A :class:`Shift` plays
that: after a GetProducts page with its number has been served, it adds a
product at the front of the ordering (``insert``) or removes the first product
of the listing just served (``remove``).
"""

import threading
from dataclasses import dataclass, field

__all__ = ["DriftPlan", "Shift", "SHIFT_ACTIONS"]

SHIFT_ACTIONS = ("insert", "remove")


@dataclass
class Shift:
    after_page: int
    action: str
    #: how many times it plays; None = after every such page
    times: int | None = 1
    #: the product ``insert`` adds (a catalogue product dict); one holding a
    #: unit in every warehouse when not given
    product: dict | None = None
    #: SKUs inserted or removed so far, in order
    played: list = field(default_factory=list)

    @property
    def fired(self):
        return len(self.played)

    @property
    def used_up(self):
        return self.times is not None and self.fired >= self.times


class DriftPlan:
    def __init__(self):
        self._lock = threading.Lock()
        self._shifts = []

    def add(self, after_page, action, times=1, product=None):
        if action not in SHIFT_ACTIONS:
            raise ValueError(f"unknown shift {action!r}; known: {', '.join(SHIFT_ACTIONS)}")
        if int(after_page) < 1:
            raise ValueError("after_page starts at 1")
        shift = Shift(int(after_page), action, times, product)
        with self._lock:
            self._shifts.append(shift)
        return shift

    def clear(self):
        with self._lock:
            self._shifts.clear()

    @property
    def pending(self):
        with self._lock:
            return [shift for shift in self._shifts if not shift.used_up]

    def play(self, page, listing, catalogue, warehouse_codes):
        """Play the shifts due after serving ``page`` of ``listing`` (the
        product items of that answer's filter, in served order)."""
        with self._lock:
            due = [shift for shift in self._shifts if shift.after_page == page and not shift.used_up]
            for shift in due:
                if shift.action == "insert":
                    shift.played.append(self._insert(shift, catalogue, warehouse_codes))
                elif listing:
                    first = listing[0]
                    catalogue.remove_product_by_id(first["id"])
                    shift.played.append(first["sku"])

    @staticmethod
    def _insert(shift, catalogue, warehouse_codes):
        product = dict(shift.product) if shift.product else {}
        product.setdefault("id", catalogue.front_id())
        product.setdefault("sku", f"DRIFT-{product['id']}")
        product.setdefault("name", f"Product added during a sweep {product['id']}")
        product.setdefault("stock", {code: 1 for code in warehouse_codes})
        catalogue.add_product(product)
        return product["sku"]
