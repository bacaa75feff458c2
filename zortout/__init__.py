"""Plain-Python access to the Zortout (ZORT) Open API v4 (no Odoo import)."""

from .client import DEFAULT_BASE_URL, CallStats, ProductPage, ProductRow, Warehouse, ZortoutClient
from .errors import (
    ZortoutAuthError,
    ZortoutBadResponseError,
    ZortoutConnectionError,
    ZortoutError,
    ZortoutIncompleteSweepError,
    ZortoutPermanentError,
    ZortoutRateLimitError,
    ZortoutServerError,
    ZortoutTimeoutError,
    ZortoutTransientError,
    ZortoutUnknownWarehouseError,
)
from .values import MISSING, UNREADABLE, QuantityProblem, parse_quantity

__all__ = [
    "DEFAULT_BASE_URL", "CallStats", "ProductPage", "ProductRow", "Warehouse", "ZortoutClient",
    "ZortoutError", "ZortoutPermanentError", "ZortoutAuthError", "ZortoutUnknownWarehouseError",
    "ZortoutTransientError", "ZortoutTimeoutError", "ZortoutConnectionError", "ZortoutServerError",
    "ZortoutRateLimitError", "ZortoutBadResponseError", "ZortoutIncompleteSweepError",
    "parse_quantity", "QuantityProblem", "MISSING", "UNREADABLE",
]
