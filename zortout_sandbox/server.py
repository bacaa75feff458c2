"""A local HTTP server that answers like the Zortout Open API v4.

Stdlib only. Every route lives under ``/v4``. Business errors come back with
HTTP 200 and a non-200 ``resCode``, as Zortout does; reads carry the code in
``res``, writes at the top level.

Where the real API's behaviour is not known for sure, the server can play each
plausible variant (see the constructor's keyword arguments). Every setting is a
plain attribute that tests may change between calls; ``faults`` injects
failures and ``drift`` adds or removes products while a sweep runs.
"""

import json
import logging
import socket
import struct
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .catalogue import QUANTITY_FORMATS, Catalogue, format_quantity
from .drift import DriftPlan
from .faults import FaultPlan
from .webhook import CONFIG_ENVELOPES, DELIVERY_FORMATS, NO_WEBHOOK_ANSWERS, WebhookState, deliver

__all__ = ["SandboxServer", "DEFAULT_STORE_NAME", "DEFAULT_API_KEY", "DEFAULT_API_SECRET",
           "UNKNOWN_WAREHOUSE_MODES", "SKULIST_MODES", "WAREHOUSE_FILTERS", "SKULIST_IN_WAREHOUSE",
           "EMPTY_LIST_SHAPES", "DETAIL_ENVELOPES", "QUANTITY_FORMATS", "QUOTA_NOTICE", "DELIVERY_FORMATS",
           "NO_WEBHOOK_ANSWERS", "CONFIG_ENVELOPES", "CONTROL_PREFIX"]

_logger = logging.getLogger(__name__)

DEFAULT_STORE_NAME = "sandbox-store"
DEFAULT_API_KEY = "sandbox-api-key"
DEFAULT_API_SECRET = "sandbox-api-secret"

MAX_LIMIT = 500
QUOTA_NOTICE = "API Request Limits (50000 requests/day)"
ACCESS_DENIED = "Access Denied"
INVALID_API = "Invalid API"
INVALID_WAREHOUSE = "Invalid Warehouse/Branch"
INVALID_ID = "Invalid ID."

#: How GetProducts answers an unknown ``warehousecode`` (the real answer is
#: not known): an "Invalid Warehouse/Branch" error, an "Access Denied" error,
#: or an empty list with count 0.
UNKNOWN_WAREHOUSE_MODES = ("invalid_warehouse", "access_denied", "empty")
#: ``exact``: the skulist header is an exact filter; ``contains``: rows whose
#: SKU contains a requested SKU are returned too.
SKULIST_MODES = ("exact", "contains")
#: Which products a GetProducts read with ``warehousecode`` lists. ``held``:
#: only those holding something there (on hand other than 0), as live clients
#: report ("a product only stocked elsewhere is never found"; it drops out when
#: its last unit sells); ``recorded``: those with a stock record there, even
#: one of 0; ``all``: every product (quantity 0 where it has none).
WAREHOUSE_FILTERS = ("held", "recorded", "all")
#: A ``skulist`` read with ``warehousecode``: ``omitted``: the warehouse filter
#: above applies as in a sweep; ``zero``: every requested product is listed,
#: with 0 where the warehouse holds none. A skulist read without a warehouse
#: code lists every requested product the store knows, either way.
SKULIST_IN_WAREHOUSE = ("omitted", "zero")
#: How a successful list answer with no rows looks: ``empty`` ``"list": []``
#: and ``"count": 0``; ``null`` ``"list": null`` and count 0; ``missing`` no
#: ``list``, count 0; ``bare`` neither ``list`` nor ``count``.
EMPTY_LIST_SHAPES = ("empty", "null", "missing", "bare")
#: ``wrapped``: GetProductDetail answers the product fields plus ``res``;
#: ``bare``: the product fields only.
DETAIL_ENVELOPES = ("wrapped", "bare")

_SECRET_HEADERS = ("apikey", "apisecret")
#: secrets of an UpdateWebhook body, masked in the request log like the API secrets
_SECRET_BODY_KEYS = ("key1", "key2", "key3")
#: the sandbox's own control routes (not Zortout's): change quantities "in Zortout"
CONTROL_PREFIX = "/_sandbox/"
#: the images GET /_sandbox/image/<name> serves: a small PNG, one over the import's 2 MB limit,
#: and a file that claims to be an image but is not
_PNG_1X1 = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                         "1f15c4890000000d49444154789c6360f8cf000000030101009d5a6b"
                         "4e0000000049454e44ae426082")
IMAGES = {
    "small.png": ("image/png", _PNG_1X1),
    "huge.png": ("image/png", _PNG_1X1 + b"\0" * (3 * 1024 * 1024)),
    "broken.png": ("image/png", b"this is no image"),
}
_HTML_ERROR = b"<html><head><title>Error</title></head><body><h1>Service Unavailable</h1></body></html>"


def _choice(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, not {value!r}")
    return value


class Answer:
    """What the handler sends back."""

    def __init__(self, status=200, body=None, raw=None, content_type="application/json; charset=utf-8",
                 headers=None):
        self.status = status
        self.body = body
        self.raw = raw
        self.content_type = content_type
        self.headers = headers or {}


def read_answer(code, desc, **data):
    return Answer(body={"res": {"resCode": code, "resDesc": desc}, **data})


def write_answer(code, desc):
    return Answer(body={"resCode": code, "resDesc": desc})


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, sandbox):
        self.sandbox = sandbox
        self.aborted = set()
        super().__init__(address, _Handler)

    def shutdown_request(self, request):
        if request in self.aborted:
            # linger 0 + close without shutdown: the peer gets a TCP reset
            self.aborted.discard(request)
            self.close_request(request)
            return
        super().shutdown_request(request)

    def handle_error(self, request, client_address):
        # a client that gave up (timeout) makes our late write fail; not news
        _logger.debug("sandbox connection from %s ended with an error", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ZortoutSandbox/1.0"

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        _logger.debug("sandbox %s " + format, self.client_address[0], *args)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def _dispatch(self, method):
        sandbox = self.server.sandbox
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {key.lower(): _header_text(value) for key, value in self.headers.items()}
        if parts.path.startswith(CONTROL_PREFIX):
            self._send(sandbox._control(method, parts.path[len(CONTROL_PREFIX):], body))
            return
        sandbox._record(method, parts.path, query, headers, body, self.client_address)
        answer = sandbox._answer(method, parts.path, query, headers, body, self)
        if answer is not None:
            self._send(answer)

    def _send(self, answer):
        payload = answer.raw if answer.raw is not None else json.dumps(answer.body, ensure_ascii=False).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for key, value in answer.headers.items():
            self.send_header(key, str(value))
        self.end_headers()
        self.wfile.write(payload)

    def abort(self):
        """Drop the connection with a TCP reset, sending nothing."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.server.aborted.add(self.connection)


def _header_text(value):
    # http.server decodes header bytes as latin-1; SKUs travel as UTF-8
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _int(value, default):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _json_or_none(body):
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def _decimal_of(value):
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a quantity: {value!r}")
    return Decimal(str(value))


def _split_list(value):
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class SandboxServer:
    """A Zortout store on 127.0.0.1.

    ``requests`` records every request (secret header values masked);
    ``faults`` injects failures; ``drift`` shifts rows between pages;
    ``catalogue`` may be changed between calls.

    Settings (keyword arguments, then attributes of the same name):
    ``unknown_warehouse_mode``, ``skulist_mode``, ``warehouse_filter``,
    ``skulist_in_warehouse``, ``detail_envelope``, ``empty_list``,
    ``quantity_format`` (see the tuples of allowed values above);
    ``count_overstated_by``: GetProducts answers ``count`` = the rows it
    lists + this; ``daily_quota``: calls a day the store may make (None = no
    limit), counted in ``quota_used`` from the last :meth:`reset_quota` - once
    spent, every call is answered resCode 100 "API Request Limits" with an
    empty list (writes: the same code and notice at the top level);
    ``quota_notice_margin``: the answers to the last this many calls within
    the quota carry the same notice with their rows; ``latency``: seconds
    every answer waits before it is sent (a live service far slower than
    127.0.0.1; the ``hang`` fault plays a slow answer for chosen calls only).

    Webhook (see webhook.py): GetWebhook and UpdateWebhook keep the store's
    configuration in ``webhook``; :meth:`sell` and :meth:`set_quantity` (also
    reachable over HTTP under ``/_sandbox/`` and from ``python -m
    zortout_sandbox sell``) change a quantity "in Zortout" and deliver the
    product to the ``updatequantityurl``, in ``webhook_format``; stock
    written through the API is never delivered (no echo).
    ``webhook_none_answer``: GetWebhook's words when none is set;
    ``webhook_envelope``: where GetWebhook puts the keys and URLs.
    """

    def __init__(self, catalogue=None, store_name=DEFAULT_STORE_NAME, api_key=DEFAULT_API_KEY,
                 api_secret=DEFAULT_API_SECRET, port=0, unknown_warehouse_mode="invalid_warehouse", *,
                 host="127.0.0.1", skulist_mode="exact", warehouse_filter="held", skulist_in_warehouse="omitted",
                 detail_envelope="wrapped", empty_list="empty", quantity_format="decimal", count_overstated_by=0,
                 daily_quota=None, quota_notice_margin=0, default_limit=20, webhook_format="json",
                 webhook_none_answer=NO_WEBHOOK_ANSWERS[0], webhook_envelope="flat", delivery_timeout=10.0,
                 latency=0.0):
        self.catalogue = catalogue if catalogue is not None else Catalogue.demo()
        self.store_name = store_name
        self.api_key = api_key
        self.api_secret = api_secret
        self.host = host
        self.port = port
        self.unknown_warehouse_mode = _choice("unknown_warehouse_mode", unknown_warehouse_mode,
                                              UNKNOWN_WAREHOUSE_MODES)
        self.skulist_mode = _choice("skulist_mode", skulist_mode, SKULIST_MODES)
        self.warehouse_filter = _choice("warehouse_filter", warehouse_filter, WAREHOUSE_FILTERS)
        self.skulist_in_warehouse = _choice("skulist_in_warehouse", skulist_in_warehouse, SKULIST_IN_WAREHOUSE)
        self.detail_envelope = _choice("detail_envelope", detail_envelope, DETAIL_ENVELOPES)
        self.empty_list = _choice("empty_list", empty_list, EMPTY_LIST_SHAPES)
        self.quantity_format = _choice("quantity_format", quantity_format, QUANTITY_FORMATS)
        self.count_overstated_by = int(count_overstated_by)
        self.daily_quota = None if daily_quota is None else int(daily_quota)
        self.quota_notice_margin = int(quota_notice_margin)
        self.latency = float(latency)
        self.quota_used = 0
        self._quota_lock = threading.Lock()
        self.default_limit = default_limit
        self.webhook_format = _choice("webhook_format", webhook_format, DELIVERY_FORMATS)
        self.webhook_none_answer = _choice("webhook_none_answer", webhook_none_answer, NO_WEBHOOK_ANSWERS)
        self.webhook_envelope = _choice("webhook_envelope", webhook_envelope, CONFIG_ENVELOPES)
        self.delivery_timeout = float(delivery_timeout)
        self.webhook = WebhookState()
        self.faults = FaultPlan()
        self.drift = DriftPlan()
        self._requests = []
        self._requests_lock = threading.Lock()
        self._httpd = None
        self._thread = None
        self._routes = {
            "/Product/GetProducts": ("GET", self._get_products),
            "/Product/GetProductDetail": ("GET", self._get_product_detail),
            "/Warehouse/GetWarehouses": ("GET", self._get_warehouses),
            "/Product/UpdateProductStockList": ("POST", self._update_stock),
            "/Product/UpdateProductAvailableStockList": ("POST", self._update_available_stock),
            "/Webhook/GetWebhook": ("GET", self._get_webhook),
            "/Webhook/UpdateWebhook": ("POST", self._update_webhook),
        }

    # -- lifecycle -----------------------------------------------------------

    def bind(self):
        if self._httpd is None:
            self._httpd = _HTTPServer((self.host, self.port), self)
            self.port = self._httpd.server_address[1]
        return self

    def start(self):
        """Serve from a background thread; returns self."""
        self.bind()
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"zortout-sandbox-{self.port}", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        """Serve from the calling thread until interrupted."""
        self.bind()
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self._httpd.server_close()
            self._httpd = None

    def stop(self):
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def base_url(self):
        return f"http://{self.host}:{self.port}/v4"

    # -- request log ---------------------------------------------------------

    @property
    def requests(self):
        with self._requests_lock:
            return list(self._requests)

    def clear_requests(self):
        with self._requests_lock:
            self._requests.clear()

    def requests_to(self, route):
        """Recorded requests whose route (path without /v4) is ``route``."""
        return [r for r in self.requests if r["route"] == route]

    def reset_quota(self):
        """A new day: the quota counts from 0 again."""
        with self._quota_lock:
            self.quota_used = 0

    def _spend_quota(self):
        """Count one call: None (no quota or far from it), "notice" (near the
        limit) or "spent"."""
        with self._quota_lock:
            self.quota_used += 1
            if self.daily_quota is None:
                return None
            if self.quota_used > self.daily_quota:
                return "spent"
            if self.daily_quota - self.quota_used < self.quota_notice_margin:
                return "notice"
            return None

    def _record(self, method, path, query, headers, body, peer=None):
        masked = {k: ("***" if k in _SECRET_HEADERS and v else v) for k, v in headers.items()}
        try:
            decoded = json.loads(body) if body else None
        except ValueError:
            decoded = body.decode("utf-8", "replace")
        if isinstance(decoded, dict):
            decoded = {k: ("***" if k in _SECRET_BODY_KEYS and v else v) for k, v in decoded.items()}
        route = path[3:] if path.startswith("/v4/") else path
        with self._requests_lock:
            self._requests.append({"method": method, "path": path, "route": route, "query": query,
                                   "headers": masked, "body": decoded, "time": time.time(),
                                   "peer": peer})

    # -- answering -----------------------------------------------------------

    def _answer(self, method, path, query, headers, body, handler):
        if not path.startswith("/v4/") or path[3:] not in self._routes:
            return Answer(404, raw=b"<html><body><h1>404 - File or directory not found.</h1></body></html>",
                          content_type="text/html")
        route = path[3:]
        expected, action = self._routes[route]
        if method != expected:
            return Answer(405, raw=b"<html><body><h1>405 - Method Not Allowed</h1></body></html>",
                          content_type="text/html", headers={"Allow": expected})
        is_write = expected == "POST"
        if self.latency > 0:
            time.sleep(self.latency)
        page = _int(query.get("page"), 1) if route in ("/Product/GetProducts", "/Warehouse/GetWarehouses") else None
        fault = self.faults.take(route, page, query.get("warehousecode") or None)
        kind = fault.kind if fault else None
        if kind == "hang":
            time.sleep(fault.opts.get("seconds", 2))
        elif kind == "reset":
            handler.abort()
            return None
        elif kind == "http_500":
            return Answer(500, raw=_HTML_ERROR, content_type="text/html")
        elif kind == "rate_limit":
            return Answer(429, raw=b"Too Many Requests", content_type="text/plain",
                          headers={"Retry-After": fault.opts.get("retry_after", 1)})
        elif kind == "not_json":
            return Answer(200, raw=_HTML_ERROR, content_type="text/html")
        elif kind == "quota_no_data":
            return write_answer("100", QUOTA_NOTICE) if is_write else read_answer("100", QUOTA_NOTICE)
        elif kind == "res_500":
            desc = "Internal server error"
            return write_answer("500", desc) if is_write else read_answer("500", desc)

        denied = self._check_credentials(headers)
        if denied:
            return write_answer("100", denied) if is_write else read_answer("100", denied)
        quota = self._spend_quota()
        if quota == "spent":
            # what an exhausted quota answers is not documented; the notice with an empty list is the likely shape
            return write_answer("100", QUOTA_NOTICE) if is_write else read_answer("100", QUOTA_NOTICE, list=[], count=0)
        payload = _json_or_none(body) if is_write else None
        answer = action(query, headers, payload, superset=(kind == "superset"))
        if kind == "quota_with_data" and "res" in answer.body:
            answer.body["res"] = {"resCode": "100", "resDesc": QUOTA_NOTICE}
        if quota == "notice" and answer.body.get("list"):
            # near the limit the notice rides along on answers that carry rows
            answer.body["res"] = {"resCode": "100", "resDesc": QUOTA_NOTICE}
        if kind == "short_page" and answer.body.get("list"):
            answer.body["list"] = answer.body["list"][:-1]
        if kind == "no_list":
            answer.body.pop("list", None)
        return answer

    def _check_credentials(self, headers):
        given = [headers.get(k, "") for k in ("storename", "apikey", "apisecret")]
        if not any(given):
            return INVALID_API
        if given != [self.store_name, self.api_key, self.api_secret]:
            return ACCESS_DENIED
        return None

    def _unknown_warehouse(self):
        if self.unknown_warehouse_mode == "access_denied":
            return read_answer("100", ACCESS_DENIED)
        if self.unknown_warehouse_mode == "empty":
            return self._list_answer([], 0)
        return read_answer("100", INVALID_WAREHOUSE)

    def _list_answer(self, rows, count):
        if rows or count:
            return read_answer("200", "Success", list=rows, count=count)
        if self.empty_list == "null":
            return read_answer("200", "Success", list=None, count=0)
        if self.empty_list == "missing":
            return read_answer("200", "Success", count=0)
        if self.empty_list == "bare":
            return read_answer("200", "Success")
        return read_answer("200", "Success", list=[], count=0)

    def _in_warehouse(self, items, warehouse, skulist):
        """The products a read with ``warehousecode`` lists."""
        if self.warehouse_filter == "all" or (skulist and self.skulist_in_warehouse == "zero"):
            return items
        if self.warehouse_filter == "recorded":
            return [p for p in items if self.catalogue.stocked_in(p, warehouse)]
        return [p for p in items if self.catalogue.holds(p, warehouse)]

    def _page(self, rows, query):
        limit = _int(query.get("limit"), self.default_limit)
        limit = self.default_limit if limit <= 0 else min(limit, MAX_LIMIT)
        page = max(1, _int(query.get("page"), 1))
        start = (page - 1) * limit
        return rows[start:start + limit]

    def _get_products(self, query, headers, payload, superset=False):
        catalogue = self.catalogue
        warehouse = query.get("warehousecode") or None
        if warehouse and not catalogue.has_warehouse(warehouse):
            return self._unknown_warehouse()
        items = sorted(catalogue.products, key=lambda p: p["id"])
        skus = _split_list(headers.get("skulist"))
        if warehouse:
            items = self._in_warehouse(items, warehouse, bool(skus))
        if query.get("activestatus") == "1":
            items = [p for p in items if p.get("active")]
        if query.get("variationid"):
            items = [p for p in items if str(p.get("variationid")) == query["variationid"]]
        if query.get("searchsku"):
            needle = query["searchsku"].lower()
            items = [p for p in items if needle in p["sku"].lower()]
        if "keyword" in query:
            needle = query["keyword"].lower()
            items = [p for p in items if len(needle) >= 3
                     and (needle in p["sku"].lower() or needle in p.get("name", "").lower())]
        if skus:
            if superset or self.skulist_mode == "contains":
                items = [p for p in items if any(s.lower() in p["sku"].lower() for s in skus)]
            else:
                wanted = set(skus)
                items = [p for p in items if p["sku"] in wanted]
        ids = _split_list(headers.get("productidlist"))
        if ids:
            items = [p for p in items if str(p["id"]) in ids]
        rows = [catalogue.render(p, warehouse, self.quantity_format) for p in self._page(items, query)]
        self.drift.play(max(1, _int(query.get("page"), 1)), items, catalogue, catalogue.warehouse_codes())
        return self._list_answer(rows, len(items) + self.count_overstated_by)

    def _get_product_detail(self, query, headers, payload, superset=False):
        warehouse = query.get("warehousecode") or None
        if warehouse and not self.catalogue.has_warehouse(warehouse):
            return self._unknown_warehouse()
        item = self.catalogue.product_by_id(query.get("id", ""))
        if item is None:
            return read_answer("100", INVALID_ID)
        data = self.catalogue.render(item, warehouse, self.quantity_format)
        if self.detail_envelope == "wrapped":
            data["res"] = {"resCode": "200", "resDesc": "Success"}
        return Answer(body=data)

    def _get_warehouses(self, query, headers, payload, superset=False):
        rows = [dict(w) for w in self.catalogue.warehouses]
        return self._list_answer(self._page(rows, query), len(rows))

    def _update_stock(self, query, headers, payload, superset=False):
        return self._write_stocks(query, payload, self.catalogue.set_stock)

    def _update_available_stock(self, query, headers, payload, superset=False):
        return self._write_stocks(query, payload, self.catalogue.set_available)

    def _write_stocks(self, query, payload, setter):
        warehouse = query.get("warehousecode") or ""
        stocks = payload.get("stocks") if isinstance(payload, dict) else None
        if not self.catalogue.has_warehouse(warehouse) or not isinstance(stocks, list):
            return write_answer("100", INVALID_WAREHOUSE)
        for line in stocks:
            if not isinstance(line, dict):
                return write_answer("100", INVALID_WAREHOUSE)
            try:
                setter(str(line.get("sku", "")).strip(), warehouse, line.get("stock"))
            except (KeyError, ArithmeticError):
                continue  # unknown SKU or unreadable quantity: the line is ignored
        return write_answer("200", "Success")

    def _get_webhook(self, query, headers, payload, superset=False):
        config = self.webhook.current_config()
        if config is None:
            return read_answer("100", self.webhook_none_answer)
        if self.webhook_envelope == "detail":
            return read_answer("200", "Success", detail=config)
        return read_answer("200", "Success", **config)

    def _update_webhook(self, query, headers, payload, superset=False):
        problem = self.webhook.update(payload)
        if problem:
            return write_answer("100", problem)
        return write_answer("200", "Success")

    # -- quantities changed "in Zortout" (a sale, a count): delivered ----------

    def sell(self, sku, quantity=1, warehouse_code=None):
        """A sale of ``quantity`` in a warehouse (default: the first one): on hand
        and sellable stock drop together. Returns the delivery record, if any."""
        code = warehouse_code or self.catalogue.warehouse_codes()[0]
        stock, _available = self.catalogue.stock_of(sku, code)
        self.catalogue.set_stock(sku, code, stock - _decimal_of(quantity))
        return self.quantity_changed(sku)

    def set_quantity(self, sku, stock, warehouse_code=None, available=None):
        """A count in Zortout: set on hand (and sellable) stock. Returns the delivery record, if any."""
        code = warehouse_code or self.catalogue.warehouse_codes()[0]
        self.catalogue.set_stock(sku, code, stock, available)
        return self.quantity_changed(sku)

    def quantity_changed(self, sku):
        """Deliver UPDATEPRODUCTQUANTITY for ``sku`` (store-wide quantities, no
        warehouse code, as Zortout's example shows) when the event is on."""
        item = self.catalogue.product(sku)
        stock, available = self.catalogue.stock_of(sku)
        product = {"id": item["id"], "sku": item["sku"], "name": item.get("name", ""),
                   "stock": format_quantity(stock), "availablestock": format_quantity(available)}
        return deliver(self.webhook, product, self.webhook_format, self.delivery_timeout)

    def image_url(self, name):
        """An ``imagepath`` the sandbox serves (see :data:`IMAGES`); any other name answers 404."""
        return f"http://{self.host}:{self.port}{CONTROL_PREFIX}image/{name}"

    def _control(self, method, action, body):
        """``POST /_sandbox/sell`` {"sku", "quantity", "warehouse"} and ``POST /_sandbox/set``
        {"sku", "stock", "available", "warehouse"}; ``GET /_sandbox/webhook`` (keys hidden);
        ``GET /_sandbox/image/<name>``: a product image Zortout's ``imagepath`` points to."""
        data = _json_or_none(body) or {}
        if action.startswith("image/") and method == "GET":
            image = IMAGES.get(action[len("image/"):])
            if image is None:
                return Answer(404, raw=b"not found", content_type="text/plain")
            content_type, payload = image
            return Answer(raw=payload, content_type=content_type)
        try:
            if action == "webhook" and method == "GET":
                config = self.webhook.current_config()
                if config is not None:
                    config = {k: ("***" if k in _SECRET_BODY_KEYS and v else v) for k, v in config.items()}
                return Answer(body={"config": config, "deliveries": self.webhook.deliveries[-20:]})
            if method != "POST" or action not in ("sell", "set") or not isinstance(data, dict):
                return Answer(404, body={"error": "unknown control action"})
            sku, code = str(data.get("sku", "")).strip(), data.get("warehouse") or None
            if action == "sell":
                delivery = self.sell(sku, data.get("quantity", 1), code)
            else:
                delivery = self.set_quantity(sku, data.get("stock"), code, data.get("available"))
        except KeyError:
            return Answer(404, body={"error": f"unknown SKU {data.get('sku')!r}"})
        except (ArithmeticError, TypeError, ValueError) as exc:
            return Answer(400, body={"error": str(exc)})
        code = code or self.catalogue.warehouse_codes()[0]
        stock, available = self.catalogue.stock_of(sku, code)
        return Answer(body={"sku": sku, "warehouse": code, "stock": format_quantity(stock),
                            "availablestock": format_quantity(available), "delivery": delivery})

    # convenience for tests and demos
    def quantities(self, sku, warehouse_code=None):
        stock, available = self.catalogue.stock_of(sku, warehouse_code)
        return format_quantity(stock), format_quantity(available)
