"""The sandbox's webhook: the store's configuration and the deliveries it makes.

Zortout keeps one webhook configuration per store (three shared keys and one
URL per event) and, when a product's quantity changes, POSTs the product to
the ``updatequantityurl`` with the headers ``Authorization: Basic {key1}``,
``key1``, ``key2`` and ``key3``. A change made through the API with the
store's own API key is not delivered (no echo): only changes made "in
Zortout" - the sandbox's control endpoint and command line - are.

How a delivery carries the product is not settled by the documentation;
receivers in the wild read it in three shapes, each a setting here
(``DELIVERY_FORMATS``): the raw JSON body, a form field ``payload`` with the
event name in a ``method`` query parameter, or a form field ``datas`` with
``method`` in the form.

Stdlib only, like the rest of the sandbox.
"""

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["WebhookState", "DELIVERY_FORMATS", "NO_WEBHOOK_ANSWERS", "CONFIG_ENVELOPES", "QUANTITY_EVENT",
           "URL_KEYS", "deliver"]

QUANTITY_EVENT = "UPDATEPRODUCTQUANTITY"
#: ``json``: the product as the raw JSON body; ``payload``: form field ``payload``
#: holding the JSON, event name in the query (``?method=...``); ``datas``: form
#: field ``datas`` holding the JSON, event name in the form field ``method``
DELIVERY_FORMATS = ("json", "payload", "datas")
#: what GetWebhook answers when no configuration is set
NO_WEBHOOK_ANSWERS = ("Webhook not found", "Invalid webhook")
#: ``flat``: keys and URLs beside ``res``; ``detail``: inside a ``detail`` object
CONFIG_ENVELOPES = ("flat", "detail")

#: the event URLs UpdateWebhook keeps (others in the body are ignored)
URL_KEYS = (
    "addproducturl", "updateproducturl", "deleteproducturl", "updatequantityurl",
    "addorderurl", "updateorderurl", "deleteorderurl", "updateordertrackingurl", "updateorderpaymenturl",
    "addpurchaseurl", "updatepurchaseurl", "updatepurchasepaymenturl",
    "addreturnorderurl", "updatereturnorderurl", "updatereturnorderpaymenturl",
    "addreturnpurchaseurl", "updatereturnpurchaseurl", "updatereturnpurchasepaymenturl",
    "addtransferurl", "updatetransferurl",
    "addwarehouseurl", "updatewarehouseurl", "deletewarehouseurl",
    "addcontacturl", "updatecontacturl", "deletecontacturl",
    "updatepriceurl",
)
KEY_NAMES = ("key1", "key2", "key3")


class WebhookState:
    """The store's webhook configuration and the log of deliveries made.

    ``config`` is None (no webhook set) or a dict with ``key1``..``key3`` and
    every URL key (blank = event off). ``deliveries`` lists what was sent:
    url, event, format, sku, status (HTTP status, or None when no answer came),
    error, ms - never the keys.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self.config = None
        self._deliveries = []

    def reset(self):
        with self._lock:
            self.config = None
            self._deliveries.clear()

    def set(self, key1, key2, key3, **urls):
        """Set the configuration as UpdateWebhook would (tests and demos)."""
        return self.update(dict(urls, key1=key1, key2=key2, key3=key3))

    def update(self, body):
        """UpdateWebhook: replace the whole configuration. Returns an error
        message (the keys are required) or None."""
        if not isinstance(body, dict):
            return "Invalid request body"
        keys = {name: "" if body.get(name) is None else str(body.get(name)).strip() for name in KEY_NAMES}
        if not all(keys.values()):
            return "key1, key2 and key3 are required"
        urls = {name: "" if body.get(name) is None else str(body.get(name)).strip() for name in URL_KEYS}
        with self._lock:
            self.config = {**keys, **urls}
        return None

    def current_config(self):
        """A copy of the configuration (None when no webhook is set), as GetWebhook reads it."""
        with self._lock:
            return dict(self.config) if self.config is not None else None

    @property
    def deliveries(self):
        with self._lock:
            return list(self._deliveries)

    def clear_deliveries(self):
        with self._lock:
            self._deliveries.clear()

    def _log(self, record):
        with self._lock:
            self._deliveries.append(record)


def delivery_request(url, keys, product, delivery_format="json", event=QUANTITY_EVENT):
    """(url, body bytes, headers) of one delivery of ``product`` (a dict)."""
    key1, key2, key3 = keys
    headers = {"Authorization": f"Basic {key1}", "key1": key1, "key2": key2, "key3": key3,
               "User-Agent": "ZortoutSandbox/1.0"}
    document = json.dumps(product, ensure_ascii=False)
    if delivery_format == "json":
        headers["Content-Type"] = "application/json; charset=utf-8"
        return url, document.encode("utf-8"), headers
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    if delivery_format == "payload":
        separator = "&" if urllib.parse.urlsplit(url).query else "?"
        url = f"{url}{separator}{urllib.parse.urlencode({'method': event})}"
        return url, urllib.parse.urlencode({"payload": document}).encode("ascii"), headers
    if delivery_format == "datas":
        return url, urllib.parse.urlencode({"method": event, "datas": document}).encode("ascii"), headers
    raise ValueError(f"delivery format must be one of {DELIVERY_FORMATS}, not {delivery_format!r}")


def deliver(state, product, delivery_format="json", timeout=10.0, event=QUANTITY_EVENT):
    """POST ``product`` to the configured ``updatequantityurl``, if any; log and
    return the delivery record (None when the event is off)."""
    config = state.current_config()
    url = (config or {}).get("updatequantityurl")
    if not url:
        return None
    keys = tuple(config[name] for name in KEY_NAMES)
    target, body, headers = delivery_request(url, keys, product, delivery_format, event)
    record = {"url": url, "event": event, "format": delivery_format, "sku": product.get("sku"),
              "status": None, "error": None, "ms": None, "time": time.time()}
    started = time.monotonic()
    try:
        with urllib.request.urlopen(urllib.request.Request(target, data=body, headers=headers, method="POST"),
                                    timeout=timeout) as answer:
            answer.read()
            record["status"] = answer.status
    except urllib.error.HTTPError as exc:
        record["status"] = exc.code
        exc.close()
    except (OSError, ValueError) as exc:
        record["error"] = f"{type(exc).__name__}: {exc}"
    record["ms"] = round((time.monotonic() - started) * 1000, 1)
    state._log(record)
    return record
