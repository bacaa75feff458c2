"""Zortout's webhook configuration, as GetWebhook reads it and UpdateWebhook writes it.

A store has one configuration: three shared keys (``key1``, ``key2``,
``key3``, sent back with every delivery) and one URL per event. UpdateWebhook
replaces the whole configuration - a URL left out is switched off - so a
change is always "read, change one URL, write everything back".

GetWebhook's answer is not documented beyond its name. It is read leniently:
the keys and URLs at the top level or in one nested object (``detail``,
``data``, ``webhook``, or the first row of ``list``); "Invalid webhook" or
"Webhook not found" means no configuration.
"""

from dataclasses import dataclass, field

__all__ = ["WebhookConfig", "WEBHOOK_URL_KEYS", "QUANTITY_URL_KEY", "NO_WEBHOOK_MESSAGES", "looks_like_config"]

#: the URL of the product-quantity event (UPDATEPRODUCTQUANTITY)
QUANTITY_URL_KEY = "updatequantityurl"

#: every event URL UpdateWebhook takes (the documented ones, then those seen in public code)
WEBHOOK_URL_KEYS = (
    "addproducturl", "updateproducturl", "deleteproducturl", QUANTITY_URL_KEY,
    "addorderurl", "updateorderurl", "deleteorderurl", "updateordertrackingurl", "updateorderpaymenturl",
    "addpurchaseurl", "updatepurchaseurl", "updatepurchasepaymenturl",
    "addreturnorderurl", "updatereturnorderurl", "updatereturnorderpaymenturl",
    "addreturnpurchaseurl", "updatereturnpurchaseurl", "updatereturnpurchasepaymenturl",
    "addtransferurl", "updatetransferurl",
    "addwarehouseurl", "updatewarehouseurl", "deletewarehouseurl",
    "addcontacturl", "updatecontacturl", "deletecontacturl",
    "updatepriceurl",
)

#: what GetWebhook answers when the store has no configuration (compared in lower case)
NO_WEBHOOK_MESSAGES = ("invalid webhook", "webhook not found")

_KEYS = ("key1", "key2", "key3")
_NESTED = ("detail", "data", "webhook", "Detail", "Data")


@dataclass(frozen=True)
class WebhookConfig:
    """A store's webhook configuration.

    ``keys`` is the (key1, key2, key3) triple, or None when Zortout did not
    show all three. ``urls`` maps every event URL Zortout returned (known or
    not, blank ones included) to its value; ``exists`` is False when the store
    has none. The keys never appear in ``repr``.
    """

    keys: tuple | None = field(default=None, repr=False)
    urls: dict = field(default_factory=dict)
    exists: bool = True
    version: str | None = None

    @classmethod
    def none(cls):
        return cls(exists=False)

    @classmethod
    def from_api(cls, body):
        data = _config_object(body)
        keys = tuple(_text(data.get(key)) for key in _KEYS)
        urls = {}
        for key, value in data.items():
            lowered = str(key).lower()
            if lowered in WEBHOOK_URL_KEYS or (lowered.endswith("url") and isinstance(value, (str, type(None)))):
                urls[lowered] = _text(value)
        version = data.get("hookVersion", data.get("hookversion"))
        return cls(keys=keys if all(keys) else None, urls=urls,
                   version=None if version is None else str(version))

    def url(self, key=QUANTITY_URL_KEY):
        return self.urls.get(key, "")

    def active_urls(self):
        """{event URL key: URL} of the events that are switched on."""
        return {key: value for key, value in self.urls.items() if value}

    def with_url(self, key, value):
        """A copy with one URL changed (blank switches the event off)."""
        return WebhookConfig(keys=self.keys, urls=dict(self.urls, **{key: value or ""}), exists=True,
                             version=self.version)

    def update_body(self, keys):
        """The body of UpdateWebhook: ``keys`` and every URL of this configuration."""
        key1, key2, key3 = keys
        return {"key1": key1, "key2": key2, "key3": key3, **self.urls}


def _config_object(body):
    """The object holding the keys and URLs: the answer itself, or one nested object."""
    if not isinstance(body, dict):
        return {}
    if looks_like_config(body):
        return body
    for name in _NESTED:
        nested = body.get(name)
        if isinstance(nested, dict) and looks_like_config(nested):
            return nested
    rows = body.get("list")
    if isinstance(rows, list) and rows and isinstance(rows[0], dict) and looks_like_config(rows[0]):
        return rows[0]
    return body


def looks_like_config(data):
    return any(key in data for key in (*_KEYS, *WEBHOOK_URL_KEYS))


def _text(value):
    return "" if value is None else str(value).strip()
