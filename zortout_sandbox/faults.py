"""Faults the sandbox injects on demand.

A fault targets a route (``"/Product/GetProducts"``, with or without the
``/v4`` prefix, or ``"*"`` for every route), optionally one page number and
one warehouse code (a read with that ``warehousecode``), and fires for ``times`` matching requests before it is used up.
"""

import threading
from dataclasses import dataclass, field

__all__ = ["FaultPlan", "Fault", "FAULT_KINDS"]

FAULT_KINDS = {
    "http_500": "HTTP 500 with an HTML error page",
    "hang": "wait opts['seconds'] (default 2) before answering normally",
    "reset": "close the connection abruptly, without an answer",
    "rate_limit": "HTTP 429 with Retry-After opts['retry_after'] (default 1)",
    "not_json": "HTTP 200 with an HTML body",
    "quota_no_data": "resCode 100 'API Request Limits (50000 requests/day)' and no data: the quota is spent",
    "quota_with_data": "the same notice, with the normal list and count",
    "short_page": "drop the last row of the page (count unchanged; on the last page, an overstated count)",
    "res_500": "HTTP 200 with resCode 500",
    "no_list": "resCode 200 and the count as usual, but no 'list'",
    "superset": "GetProducts: also return rows whose SKU merely contains a requested SKU",
}


def normalize_route(route):
    route = "/" + route.strip("/")
    if route.startswith("/v4/"):
        route = route[3:]
    return route


@dataclass
class Fault:
    route: str
    kind: str
    page: int | None = None
    times: int = 1
    opts: dict = field(default_factory=dict)
    fired: int = 0
    warehouse: str | None = None

    def matches(self, route, page, warehouse=None):
        if self.route not in ("/*", route):
            return False
        if self.warehouse is not None and self.warehouse != warehouse:
            return False
        return self.page is None or self.page == page


class FaultPlan:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []

    def add(self, route, kind, page=None, times=1, warehouse=None, **opts):
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(FAULT_KINDS)}")
        fault = Fault(normalize_route(route), kind, page, times, opts, warehouse=warehouse)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self):
        with self._lock:
            self._faults.clear()

    def take(self, route, page, warehouse=None):
        """The next fault to play for this request, using one occurrence."""
        with self._lock:
            for fault in self._faults:
                if fault.fired < fault.times and fault.matches(route, page, warehouse):
                    fault.fired += 1
                    return fault
        return None

    @property
    def pending(self):
        with self._lock:
            return [f for f in self._faults if f.fired < f.times]
