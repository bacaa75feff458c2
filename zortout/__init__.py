"""Plain-Python access to the Zortout (ZORT) Open API v4 (no Odoo import)."""

from .client import (
    DEFAULT_BASE_URL,
    MAX_PAGE_LIMIT,
    SKULIST_LIMIT,
    CallStats,
    ProductRow,
    Warehouse,
    ZortoutClient,
)
from .catalogue_rows import CatalogueRow, parse_amount
from .errors import (
    ZortoutAuthError,
    ZortoutBadResponseError,
    ZortoutConnectionError,
    ZortoutError,
    ZortoutIncompleteSweepError,
    ZortoutOutOfTimeError,
    ZortoutPermanentError,
    ZortoutQuotaExceededError,
    ZortoutRateLimitError,
    ZortoutServerError,
    ZortoutTimeoutError,
    ZortoutTransientError,
    ZortoutUnknownWarehouseError,
)
from .pages import ProductPage
from .quota import DAILY_REQUEST_LIMIT, ZORTOUT_TIMEZONE, next_quota_reset
from .values import MISSING, UNREADABLE, QuantityProblem, clean_sku, parse_quantity
from .webhook import QUANTITY_URL_KEY, WEBHOOK_URL_KEYS, WebhookConfig

__all__ = [
    "DEFAULT_BASE_URL", "MAX_PAGE_LIMIT", "SKULIST_LIMIT", "CallStats", "ProductRow", "Warehouse", "ZortoutClient",
    "ProductPage", "CatalogueRow", "parse_amount", "DAILY_REQUEST_LIMIT", "ZORTOUT_TIMEZONE", "next_quota_reset",
    "ZortoutError", "ZortoutPermanentError", "ZortoutAuthError", "ZortoutUnknownWarehouseError",
    "ZortoutTransientError", "ZortoutTimeoutError", "ZortoutConnectionError", "ZortoutServerError",
    "ZortoutRateLimitError", "ZortoutQuotaExceededError", "ZortoutBadResponseError", "ZortoutIncompleteSweepError",
    "ZortoutOutOfTimeError", "parse_quantity", "clean_sku", "QuantityProblem", "MISSING", "UNREADABLE",
    "WebhookConfig", "WEBHOOK_URL_KEYS", "QUANTITY_URL_KEY",
]
