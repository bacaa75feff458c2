"""A small, strict client for the Zortout (ZORT) Open API v4.

Plain Python on ``requests``; nothing here knows about Odoo.

A read is complete or raises: a failed page is never taken for
the last page, and a page that stays short of ``count`` while later pages still
hold rows raises :class:`~zortout.errors.ZortoutIncompleteSweepError` (see
:meth:`ZortoutClient.fetch_page` for how a short page is judged). Transient
failures are retried a bounded number of times with exponential backoff and
full jitter; a spent daily quota is not retried. No secret value reaches a log
line, an exception message or a repr.
"""

import contextlib
import email.utils
import logging
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from urllib.parse import urlencode

import requests
from requests.adapters import HTTPAdapter

from .catalogue_rows import CatalogueRow
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
from .quota import DAILY_REQUEST_LIMIT, QUOTA_NOTICE, ZORTOUT_TIMEZONE, limit_in_notice, next_quota_reset
from .values import QuantityProblem, clean_sku, parse_quantity
from .webhook import NO_WEBHOOK_MESSAGES, WebhookConfig, looks_like_config

__all__ = ["ZortoutClient", "DEFAULT_BASE_URL", "ProductRow", "Warehouse", "CallStats", "MAX_PAGE_LIMIT",
           "SKULIST_LIMIT"]

DEFAULT_BASE_URL = "https://open-api.zortout.com/v4"
#: Zortout serves at most 500 rows a page (v4); the client asks for full pages
#: of this size unless it is given a smaller ``page_limit``.
MAX_PAGE_LIMIT = 500
#: SKUs per ``skulist`` header. Zortout documents no maximum; 100 keeps the
#: header short and is the client's default batch size.
SKULIST_LIMIT = 100
#: with a deadline, no call starts (and no retry waits) unless this much time
#: would be left for the call itself
MIN_CALL_SECONDS = 1.0

PRODUCTS = "/Product/GetProducts"
WAREHOUSES = "/Warehouse/GetWarehouses"
GET_WEBHOOK = "/Webhook/GetWebhook"
UPDATE_WEBHOOK = "/Webhook/UpdateWebhook"

_AUTH_MESSAGES = ("access denied", "invalid api")
_WAREHOUSE_MESSAGE = "invalid warehouse"

_READ, _WRITE, _CONFIG = "read", "write", "config"


# ---------------------------------------------------------------------------
# values handed to callers
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ProductRow:
    """One product as read from GetProducts, normalized.

    ``sku`` is stripped ("" when Zortout sent none). ``stock`` (on hand) and
    ``available_stock`` (on hand minus open-order reservations) are Decimals,
    or the MISSING / UNREADABLE markers - never a silent 0. ``raw_stock`` and
    ``raw_available_stock`` keep the values exactly as received.
    """

    zortout_id: int | None
    sku: str
    name: str
    producttype: int
    active: bool | None
    stock: Decimal | QuantityProblem
    available_stock: Decimal | QuantityProblem
    raw_stock: object = None
    raw_available_stock: object = None

    SOURCES = ("availablestock", "stock")

    @classmethod
    def from_api(cls, data):
        raw_stock = data.get("stock")
        raw_available = data.get("availablestock")
        return cls(
            zortout_id=_int_or_none(data.get("id")),
            sku=_text(data.get("sku")),
            name=_text(data.get("name")),
            producttype=_int_or_none(data.get("producttype")) or 0,
            active=_bool_or_none(data.get("active")),
            stock=parse_quantity(raw_stock),
            available_stock=parse_quantity(raw_available),
            raw_stock=raw_stock,
            raw_available_stock=raw_available,
        )

    @staticmethod
    def key_from_api(data):
        """``(zortout_id, sku)`` of a row as received, as :meth:`from_api` reads them,
        without decoding the rest (a sweep's checks look at these two only)."""
        return _int_or_none(data.get("id")), _text(data.get("sku"))

    @classmethod
    def quantity_from_api(cls, data, source):
        """``from_api(data).quantity(source)``, decoding that quantity only."""
        if source not in cls.SOURCES:
            raise ValueError(f"unknown quantity source {source!r}; expected one of {cls.SOURCES}")
        return parse_quantity(data.get(source))

    @property
    def is_service(self):
        return self.producttype == 1

    def quantity(self, source):
        """The quantity for ``source``: 'availablestock' or 'stock'."""
        if source == "availablestock":
            return self.available_stock
        if source == "stock":
            return self.stock
        raise ValueError(f"unknown quantity source {source!r}; expected one of {self.SOURCES}")


@dataclass(frozen=True)
class Warehouse:
    code: str
    name: str
    id: int | None = None

    @classmethod
    def from_api(cls, data):
        return cls(code=_text(data.get("code")), name=_text(data.get("name")), id=_int_or_none(data.get("id")))


@dataclass
class CallStats:
    """What the client spent. ``calls`` counts every HTTP request sent
    (retries included); ``retries`` the repeated ones; ``pages`` the pages
    read successfully; ``notices`` the non-fatal messages Zortout attached to
    successful answers (e.g. the daily quota notice)."""

    calls: int = 0
    retries: int = 0
    pages: int = 0
    notices: list = field(default_factory=list)

    def reset(self):
        self.calls = self.retries = self.pages = 0
        self.notices = []


# ---------------------------------------------------------------------------
# transport
# ---------------------------------------------------------------------------

class _DefaultTimeoutAdapter(HTTPAdapter):
    """Applies the (connect, read) timeouts that ``timeouts()`` gives for the next
    request, when the caller passed none.

    The timeouts are set here rather than on ``Session.request`` so that code
    wrapping ``Session.send`` (test harnesses do) sees ``timeout=None``.
    """

    def __init__(self, timeouts, **kwargs):
        self._timeouts = timeouts
        super().__init__(**kwargs)

    def send(self, request, stream=False, timeout=None, **kwargs):
        if timeout is None:
            timeout = self._timeouts()
        return super().send(request, stream=stream, timeout=timeout, **kwargs)


class ZortoutClient:
    """Client for one Zortout store.

    ``sleep`` is called with the number of seconds to wait between retries
    (tests inject a recorder); ``rng`` supplies the jitter (``uniform(a, b)``);
    ``clock`` returns the current time as an aware datetime (for the quota's
    reset time).

    ``deadline`` (a ``time.monotonic()`` value, or None) is when the caller's
    time is up: no call starts, no retry waits and no answer is awaited past it;
    the client raises :class:`~zortout.errors.ZortoutOutOfTimeError` instead.
    The caller may move it between calls.
    """

    def __init__(self, store_name, api_key, api_secret, base_url=DEFAULT_BASE_URL, *,
                 connect_timeout=10.0, read_timeout=30.0, max_retries=3, backoff_base=0.5,
                 backoff_cap=8.0, retry_after_cap=30.0, page_limit=MAX_PAGE_LIMIT, sku_batch_size=SKULIST_LIMIT,
                 logger=None, sleep=time.sleep, rng=None, clock=None, deadline=None):
        if not (store_name and api_key and api_secret):
            raise ValueError("store name, API key and API secret are all required")
        self.store_name = store_name
        self._api_key = api_key
        self._api_secret = api_secret
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_retries = max(0, int(max_retries))
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.retry_after_cap = retry_after_cap
        self.page_limit = max(1, min(int(page_limit), MAX_PAGE_LIMIT))
        self.sku_batch_size = max(1, int(sku_batch_size))
        self.logger = logger or logging.getLogger(__name__)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._clock = clock or _utc_now
        self.deadline = deadline
        self.stats = CallStats()
        self._session = requests.Session()
        adapter = _DefaultTimeoutAdapter(self._timeouts)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def __repr__(self):
        return f"<ZortoutClient store={self.store_name!r} base_url={self.base_url!r}>"

    def close(self):
        self._session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def reset_stats(self):
        self.stats.reset()

    def time_left(self):
        """Seconds until ``deadline``; None without one."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def _timeouts(self):
        """(connect, read) timeouts of the next request: the client's, cut to the time left."""
        left = self.time_left()
        if left is None:
            return self.connect_timeout, self.read_timeout
        left = max(left, 0.01)
        return min(self.connect_timeout, left), min(self.read_timeout, left)

    def _ensure_time(self, seconds, endpoint, cause=None):
        """Raise ZortoutOutOfTimeError unless ``seconds`` and one short call still fit before the deadline."""
        left = self.time_left()
        if left is None or left >= seconds + MIN_CALL_SECONDS:
            return
        raise ZortoutOutOfTimeError(
            f"no time left for {endpoint}: {max(left, 0):.1f} s left"
            + (f", {seconds:.1f} s to wait before a retry" if seconds else "")
            + (f" (after: {cause})" if cause else ""),
            time_left=max(left, 0), cause=cause, endpoint=endpoint) from cause

    # -- public reads --------------------------------------------------------

    def fetch_page(self, warehouse_code=None, page=1, limit=None, sku_list=None, active_only=False):
        """One page of GetProducts, as a :class:`~zortout.pages.ProductPage`.

        With ``warehouse_code`` the quantities are those of that warehouse,
        without it the store-wide totals. ``limit`` defaults to the client's
        ``page_limit`` (500) and never exceeds 500; every page of one read must
        use the same limit, since Zortout pages by offset. ``sku_list`` (at most
        ``sku_batch_size`` SKUs, 100 by default) goes in the ``skulist`` header,
        stripped and de-duplicated, and only rows whose stripped SKU equals a
        requested SKU are kept; a list with no SKU in it sends nothing and gives
        an empty last page.

        How the answer is read:

        * transient failures (timeouts, resets, HTTP 5xx/429, resCode 500, a
          body that is not JSON) are retried with backoff, then raised typed;
        * resCode 200 with ``"list": null`` or no ``list``, and a ``count`` of 0
          or none, is an empty page;
        * the quota notice ("API Request Limits") with rows is a success (the
          notice goes to ``stats.notices``); with no rows it means the daily
          quota is spent: :class:`ZortoutQuotaExceededError` at once, no retry
          (with no rows the client cannot tell a refusal from an empty
          result, and taking a refusal for "nothing listed" could zero stock);
        * "Access Denied" or "Invalid Warehouse/Branch" for a call with a
          warehouse code costs one GetWarehouses call with the same
          credentials: when that works and the code is not among the store's,
          :class:`ZortoutUnknownWarehouseError` (``code``, ``valid_codes``);
          otherwise the error stands (:class:`ZortoutAuthError` for bad
          credentials);
        * a page holding fewer rows than ``count`` promises for it (``count``
          minus the full pages before it, at most ``limit``) is read again, up
          to ``max_retries`` times with backoff. If it stays short and holds
          rows, the next page is read once: when that one is empty, this page
          is the last and ``count_mismatch`` is the number of rows ``count``
          overstated; when it holds rows, rows are missing inside the listing:
          :class:`ZortoutIncompleteSweepError`. A page that stays empty is the
          last page the same way (an empty page is itself the empty next page).
        """
        page = int(page)
        if page < 1:
            raise ValueError(f"pages start at 1, not {page}")
        limit = self.page_limit if limit is None else max(1, min(int(limit), MAX_PAGE_LIMIT))
        params = self._product_params(warehouse_code, active_only)
        headers = wanted = None
        if sku_list is not None:
            skus = self._clean_skus(sku_list)
            if len(skus) > self.sku_batch_size:
                raise ValueError(f"at most {self.sku_batch_size} SKUs fit in one skulist, not {len(skus)}")
            if not skus:
                # an empty skulist header would not filter at all
                return ProductPage(rows=(), count=0, page=page, limit=limit, served=0, last=True)
            wanted = set(skus)
            headers = {"skulist": ",".join(skus).encode("utf-8")}
        served, count, last, mismatch = self._read_page(PRODUCTS, params, page, limit, headers, warehouse_code)
        rows = tuple(row for row in map(ProductRow.from_api, served) if wanted is None or row.sku in wanted)
        return ProductPage(rows=rows, count=count, page=page, limit=limit, served=len(served), last=last,
                           count_mismatch=mismatch)

    def fetch_catalogue_page(self, warehouse_code=None, page=1, limit=None):
        """One page of GetProducts read for its product fields: a
        :class:`~zortout.pages.ProductPage` whose ``rows`` are
        :class:`~zortout.catalogue_rows.CatalogueRow`. The same call, retries,
        quota and short-page rules as :meth:`fetch_page` (a sweep of the store,
        or of one warehouse with ``warehouse_code``)."""
        page = int(page)
        if page < 1:
            raise ValueError(f"pages start at 1, not {page}")
        limit = self.page_limit if limit is None else max(1, min(int(limit), MAX_PAGE_LIMIT))
        params = self._product_params(warehouse_code, False)
        served, count, last, mismatch = self._read_page(PRODUCTS, params, page, limit, None, warehouse_code)
        rows = tuple(CatalogueRow.from_api(data) for data in served if isinstance(data, dict))
        return ProductPage(rows=rows, count=count, page=page, limit=limit, served=len(served), last=last,
                           count_mismatch=mismatch)

    def count_products(self, warehouse_code=None):
        """How many products GetProducts reports (one call, ``limit=1``)."""
        params = {"page": 1, "limit": 1}
        if warehouse_code:
            params["warehousecode"] = warehouse_code
        body = self._call("GET", PRODUCTS, params=params, warehouse_code=warehouse_code)
        if body.get("count") is None and not body["list"]:
            return 0  # an empty answer may leave the count out
        count = _int_or_none(body.get("count"))
        if count is None:
            raise ZortoutBadResponseError(
                f"Zortout answered {PRODUCTS} without a readable 'count'", endpoint=PRODUCTS, http_status=200)
        return count

    def list_warehouses(self):
        """Every warehouse of the store (paged GetWarehouses)."""
        warehouses, page = [], 1
        while True:
            rows, _count, last, _mismatch = self._read_page(WAREHOUSES, {}, page, self.page_limit)
            warehouses.extend(Warehouse.from_api(data) for data in rows)
            if last:
                return warehouses
            page += 1

    # -- webhook configuration -----------------------------------------------

    def get_webhook(self):
        """The store's webhook configuration (GetWebhook) as a
        :class:`~zortout.webhook.WebhookConfig`; ``WebhookConfig.none()`` when
        Zortout answers that none is set ("Invalid webhook", "Webhook not found")."""
        try:
            body = self._call("GET", GET_WEBHOOK, kind=_CONFIG)
        except ZortoutPermanentError as exc:
            if type(exc) is ZortoutPermanentError and any(
                    message in (exc.res_desc or "").lower() for message in NO_WEBHOOK_MESSAGES):
                return WebhookConfig.none()
            raise
        return WebhookConfig.from_api(body)

    def update_webhook(self, config, keys):
        """Write the whole webhook configuration (UpdateWebhook): ``keys`` (key1,
        key2, key3) and every URL of ``config``; an event whose URL is blank is
        off. UpdateWebhook replaces what Zortout had, so ``config`` should be
        what :meth:`get_webhook` read, with only the intended URL changed.
        Returns the decoded answer. The keys go in the body only, never in a
        log line or an error."""
        if not (isinstance(keys, (tuple, list)) and len(keys) == 3 and all(keys)):
            raise ValueError("UpdateWebhook needs three non-blank keys")
        return self._call("POST", UPDATE_WEBHOOK, json_body=config.update_body(tuple(keys)), kind=_WRITE)

    # -- paging --------------------------------------------------------------

    @staticmethod
    def _product_params(warehouse_code, active_only):
        params = {}
        if warehouse_code:
            params["warehousecode"] = warehouse_code
        if active_only:
            params["activestatus"] = 1
        return params

    @staticmethod
    def _clean_skus(sku_list):
        """The SKUs stripped, without blanks and repeats, in their order."""
        skus, known = [], set()
        for raw in sku_list:
            sku = clean_sku(raw)
            if sku is None:
                raise ValueError(f"SKU {raw!r} contains a comma or a control character and cannot be sent in a "
                                 "skulist")
            if not sku or sku in known:
                continue
            known.add(sku)
            skus.append(sku)
        return skus

    def _read_page(self, endpoint, params, page, limit, headers=None, warehouse_code=None):
        """(rows, count, last, count_mismatch) of one page of a list endpoint,
        judged by the rules of :meth:`fetch_page`."""
        query = dict(params, page=page, limit=limit)
        before = (page - 1) * limit  # rows on the pages before this one, all full
        attempt = 0
        while True:
            body = self._call("GET", endpoint, params=query, headers=headers, warehouse_code=warehouse_code)
            rows = body["list"]
            count = _int_or_none(body.get("count"))
            if count is None:
                # no usable count: "a short page is the last page"
                self.stats.pages += 1
                return rows, None, len(rows) < limit, 0
            if len(rows) >= min(limit, count - before):
                self.stats.pages += 1
                return rows, count, before + len(rows) >= count, 0
            if attempt >= self.max_retries:
                break
            self._wait_before_retry(attempt, None, endpoint)
            attempt += 1
        # the page stays short of count
        if rows and self._page_holds_rows(endpoint, dict(query, page=page + 1), headers, warehouse_code):
            raise ZortoutIncompleteSweepError(
                f"Zortout page {page} of {endpoint} held {len(rows)} rows, "
                f"but {count - before} of {count} were still expected, and page {page + 1} holds rows",
                rows_read=before + len(rows), count=count, page=page,
                endpoint=endpoint, http_status=200, res_code="200",
            )
        mismatch = count - before - len(rows)
        self.logger.debug("Zortout %s: count %d overstated by %d (page %d is the last)",
                          endpoint, count, mismatch, page)
        self.stats.pages += 1
        return rows, count, True, mismatch

    def _page_holds_rows(self, endpoint, query, headers, warehouse_code):
        body = self._call("GET", endpoint, params=query, headers=headers, warehouse_code=warehouse_code)
        return bool(body["list"])

    # -- one call with retries ----------------------------------------------

    def _call(self, method, endpoint, *, params=None, headers=None, json_body=None, kind=_READ,
              warehouse_code=None):
        try:
            return self._call_with_retries(method, endpoint, params, headers, json_body, kind, warehouse_code)
        except (ZortoutAuthError, ZortoutUnknownWarehouseError) as exc:
            if not warehouse_code or endpoint == WAREHOUSES:
                raise
            self._check_warehouse_exists(warehouse_code, endpoint, exc)
            raise

    def _check_warehouse_exists(self, code, endpoint, error):
        """Raise ZortoutUnknownWarehouseError if the store has no warehouse
        ``code``; otherwise return, and ``error`` stands as it is."""
        try:
            codes = [warehouse.code for warehouse in self.list_warehouses()]
        except ZortoutError:
            return
        if code in codes:
            return
        raise ZortoutUnknownWarehouseError(
            f"Zortout does not know warehouse {code!r} ({error.res_desc}) on {endpoint}; "
            f"the store has: {', '.join(codes) or 'no warehouses'}",
            code=code, valid_codes=codes, endpoint=endpoint, res_code=error.res_code,
            res_desc=error.res_desc, http_status=error.http_status) from None

    def _call_with_retries(self, method, endpoint, params, headers, json_body, kind, warehouse_code):
        attempt = 0
        while True:
            self._ensure_time(0, endpoint)
            try:
                return self._attempt(method, endpoint, params, headers, json_body, kind, warehouse_code, attempt)
            except ZortoutOutOfTimeError:
                raise
            except ZortoutError as exc:
                if not isinstance(exc, ZortoutTransientError) or attempt >= self.max_retries:
                    raise
                self._wait_before_retry(attempt, getattr(exc, "retry_after", None), endpoint, cause=exc)
                attempt += 1

    def _wait_before_retry(self, attempt, retry_after, endpoint, cause=None):
        if retry_after is not None:
            delay = min(float(retry_after), self.retry_after_cap)
        else:
            delay = self._rng.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** attempt))
        self._ensure_time(delay, endpoint, cause)
        self.stats.retries += 1
        self.logger.debug("Zortout %s: retry %d in %.2f s", endpoint, attempt + 1, delay)
        self._sleep(delay)

    def _attempt(self, method, endpoint, params, headers, json_body, kind, warehouse_code, attempt):
        url = self.base_url + endpoint
        request_headers = {
            "storename": self.store_name,
            "apikey": self._api_key,
            "apisecret": self._api_secret,
            "X-Request-ID": uuid.uuid4().hex,
            "Accept": "application/json",
        }
        if headers:
            request_headers.update(headers)
        query = urlencode(params or {})
        self.stats.calls += 1
        started = time.monotonic()
        status = None
        try:
            response = self._session.request(method, url, params=params, headers=request_headers, json=json_body)
            status = response.status_code
        except requests.Timeout as exc:
            # the answer was awaited only as long as the deadline allowed
            self._ensure_time(0, endpoint, cause=ZortoutTimeoutError(
                f"Zortout did not answer {endpoint} in time ({type(exc).__name__})", endpoint=endpoint))
            raise ZortoutTimeoutError(
                f"Zortout did not answer {endpoint} in time ({type(exc).__name__})", endpoint=endpoint) from None
        except requests.RequestException as exc:
            raise ZortoutConnectionError(
                f"could not reach Zortout for {endpoint} ({type(exc).__name__})", endpoint=endpoint) from None
        finally:
            self.logger.debug("Zortout %s %s?%s -> %s in %d ms (attempt %d)", method, endpoint, query,
                              status if status is not None else "no answer",
                              (time.monotonic() - started) * 1000, attempt + 1)
        return self._interpret(response, endpoint, kind, warehouse_code)

    def _interpret(self, response, endpoint, kind, warehouse_code):
        status = response.status_code
        context = {"http_status": status, "endpoint": endpoint}
        if status == 429:
            retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
            raise ZortoutRateLimitError(f"Zortout rate-limited {endpoint} (HTTP 429)",
                                        retry_after=retry_after, **context)
        if status >= 500:
            raise ZortoutServerError(f"Zortout had a server error on {endpoint} (HTTP {status})", **context)
        if status in (401, 403):
            raise ZortoutAuthError(f"Zortout rejected the credentials (HTTP {status}) on {endpoint}", **context)
        if status == 404:
            raise ZortoutPermanentError(f"Zortout has no route {endpoint} (HTTP 404)", **context)
        if status >= 400:
            raise ZortoutPermanentError(f"Zortout refused {endpoint} (HTTP {status})", **context)
        try:
            body = response.json()
        except ValueError:
            raise ZortoutBadResponseError(f"Zortout answered {endpoint} with a body that is not JSON",
                                          **context) from None
        if not isinstance(body, dict):
            raise ZortoutBadResponseError(f"Zortout answered {endpoint} with JSON that is not an object",
                                          **context)
        code, desc = _result(body, kind)
        if code is None:
            if kind == _CONFIG and looks_like_config(body):
                return body  # GetWebhook's envelope is not documented either
            raise ZortoutBadResponseError(f"Zortout answered {endpoint} without a result code", **context)
        context.update(res_code=code, res_desc=desc)
        lowered = (desc or "").lower()
        if code in ("200", "201"):
            if kind == _READ:
                return dict(body, list=_rows_of_success(body, endpoint, context))
            return body
        if code == "500":
            raise ZortoutServerError(f"Zortout reported a server error on {endpoint} ({desc})", **context)
        if any(message in lowered for message in _AUTH_MESSAGES):
            raise ZortoutAuthError(f"Zortout rejected the credentials ({desc}) on {endpoint}", **context)
        if _WAREHOUSE_MESSAGE in lowered:
            raise ZortoutUnknownWarehouseError(
                f"Zortout does not know warehouse {warehouse_code!r} ({desc}) on {endpoint}",
                code=warehouse_code, **context)
        rows = body.get("list")
        if kind == _READ and isinstance(rows, list) and rows:
            # a notice riding on a normal answer, e.g. the quota notice near the daily limit
            self.stats.notices.append(desc)
            self.logger.debug("Zortout %s: notice with data: %s", endpoint, desc)
            return body
        if QUOTA_NOTICE in lowered:
            resets_at = next_quota_reset(self._clock())
            raise ZortoutQuotaExceededError(
                f"Zortout's daily request quota is spent ({desc}) on {endpoint}; it resets at "
                f"{resets_at.astimezone(ZORTOUT_TIMEZONE):%Y-%m-%d %H:%M} Asia/Bangkok",
                resets_at=resets_at, daily_limit=limit_in_notice(desc) or DAILY_REQUEST_LIMIT, **context)
        raise ZortoutPermanentError(f"Zortout refused {endpoint} (resCode {code}: {desc})", **context)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def _result(body, kind):
    """(resCode as str or None, resDesc) from ``res`` or from the top level.

    Reads carry them in ``res``, writes at the top level; both are tried, in
    the order that fits the endpoint.
    """
    nested = body.get("res") if isinstance(body.get("res"), dict) else {}
    places = (body, nested) if kind == _WRITE else (nested, body)
    for place in places:
        if place.get("resCode") is not None:
            desc = place.get("resDesc")
            if desc is None:
                desc = place.get("resMessage")
            return str(place["resCode"]).strip(), ("" if desc is None else str(desc))
    return None, None


def _rows_of_success(body, endpoint, context):
    """The rows of a successful list answer. ``"list": null`` or no ``list``
    with a count of 0 or none is an empty list (an empty warehouse, a skulist
    that matches nothing); without a list but with rows counted, the answer is
    broken."""
    rows = body.get("list")
    if isinstance(rows, list):
        return rows
    if rows is not None:
        raise ZortoutBadResponseError(f"Zortout answered {endpoint} with a 'list' that is not a list", **context)
    count = body.get("count")
    if count is None or _int_or_none(count) == 0:
        return []
    raise ZortoutBadResponseError(f"Zortout answered {endpoint} without a 'list' but with count {count!r}",
                                  **context)


def _utc_now():
    return datetime.now(timezone.utc)


def _retry_after_seconds(value):
    if not value:
        return None
    with contextlib.suppress(ValueError):
        return max(0.0, float(value))  # seconds; else an HTTP date
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _text(value):
    return "" if value is None else str(value).strip()


def _int_or_none(value):
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        try:
            number = Decimal(str(value).strip())
        except ArithmeticError:
            return None
        return int(number) if number.is_finite() and number == number.to_integral_value() else None


def _bool_or_none(value):
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in ("1", "true", "yes"):
        return True
    if text in ("0", "false", "no"):
        return False
    return None
