"""Reading one delivery of Zortout's stock webhook (no Odoo import).

A delivery is a POST with the headers ``Authorization: Basic {key1}`` (key1
itself, not base64 of user:password) and ``key1``, ``key2``, ``key3``, and a
product such as ``{"id": 1234, "sku": "P0001", "name": "Product1", "stock":
"20.00", "availablestock": "10.00"}``. Receivers in the wild find that JSON in
three places and the event name in two, so all are read:

* the raw body (``Content-Type: application/json`` or anything not a form);
* a form field ``payload`` (the event name in a ``method`` query parameter);
* a form field ``datas`` (the event name in a ``method`` form field).

The JSON may also be a list of products, or hold them under ``list``,
``data``, ``datas`` or ``payload`` (one level). The quantities in it are only
a hint that the SKU changed - they carry no warehouse code - and are never
read: the instant sync asks Zortout again.
"""

import base64
import hmac
import json
from dataclasses import dataclass

from odoo.addons.otd_marketplace_stock.const import MAX_PRODUCTS
from odoo.addons.otd_marketplace_stock.zortout.values import clean_sku

__all__ = ["Delivery", "DeliveryError", "check_keys", "parse_delivery", "clean_sku",
           "REFUSAL_REASONS"]


#: why a delivery was refused, as the log, the account form and the README name it
REFUSAL_REASONS = {
    "missing_keys": "Keys missing",
    "wrong_keys": "Wrong keys",
    "too_large": "Body too large",
    "unreadable": "Unreadable body",
}

_CONTAINERS = ("list", "data", "datas", "payload")


class DeliveryError(ValueError):
    """The delivery cannot be read; ``reason`` is a key of REFUSAL_REASONS,
    the message says what was wrong (never a key)."""

    def __init__(self, message, reason="unreadable"):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Delivery:
    """What one delivery says: its event (None when it names none), the SKUs
    (stripped, without repeats, in their order), where the JSON was found
    (``json``, ``payload`` or ``datas``) and how many products carried a SKU
    the sync cannot use (a comma or a control character)."""

    event: str | None
    skus: tuple
    shape: str
    unusable: int = 0


def parse_delivery(body, form=None, query=None):
    """A :class:`Delivery` read from the raw ``body`` (bytes), the parsed
    ``form`` fields and the ``query`` parameters (mappings of str to str).

    Raises :class:`DeliveryError` when there is nothing to read or the JSON
    does not parse; a JSON document without any SKU is a delivery with no SKU.
    """
    form = form or {}
    query = query or {}
    event = _text(query.get("method")) or _text(form.get("method")) or None
    if _text(form.get("payload")):
        shape, document = "payload", form.get("payload")
    elif _text(form.get("datas")):
        shape, document = "datas", form.get("datas")
    else:
        shape = "json"
        if not body or not body.strip():
            raise DeliveryError("the delivery has no body and no payload or datas field")
        try:
            document = body.decode("utf-8-sig") if isinstance(body, bytes) else str(body)
        except UnicodeDecodeError:
            raise DeliveryError("the delivery's body is not UTF-8 text") from None
    try:
        data = json.loads(document)
    except ValueError:
        raise DeliveryError(f"the delivery's {shape} is not JSON") from None
    skus, unusable = {}, 0
    for product in _products(data):
        sku = clean_sku(_sku_of(product))
        if sku is None:
            unusable += 1
        elif sku:
            skus[sku] = None
    return Delivery(event=event, skus=tuple(skus), shape=shape, unusable=unusable)


def _products(data, depth=0):
    """The product objects of a delivery's JSON (at most MAX_PRODUCTS)."""
    if isinstance(data, str) and depth < 2:
        # a field holding JSON text inside JSON (seen with form fields)
        try:
            return _products(json.loads(data), depth + 1)
        except ValueError:
            return []
    if isinstance(data, list):
        return [item for item in data[:MAX_PRODUCTS] if isinstance(item, dict)]
    if not isinstance(data, dict):
        return []
    if _sku_of(data) is not None:
        return [data]
    if depth < 2:
        for name in _CONTAINERS:
            if name in data:
                return _products(data[name], depth + 1)
    return []


def _sku_of(product):
    for key in ("sku", "SKU", "Sku"):
        if key in product:
            return product[key]
    return None


def _text(value):
    return "" if value is None else str(value).strip()


# -- the keys ---------------------------------------------------------------------------


def check_keys(expected, headers):
    """None when the delivery's headers carry the account's three keys, else the
    refusal reason: ``missing_keys`` or ``wrong_keys``.

    ``expected`` is (key1, key2, key3); ``headers`` a case-insensitive mapping.
    key1 comes in the ``key1`` header and in ``Authorization: Basic {key1}``
    (the value is key1 itself; its base64 form is accepted too); whichever of
    the two is present must match, and at least one must be. key2 and key3 are
    required. Every comparison is made, each in constant time, before the
    answer is known, so the time taken does not tell which key was wrong.
    """
    if not (expected and len(expected) == 3 and all(expected)):
        return "wrong_keys"
    key1, key2, key3 = (_bytes(key) for key in expected)
    given1 = headers.get("key1")
    given2 = headers.get("key2")
    given3 = headers.get("key3")
    basic = _basic_value(headers.get("Authorization"))
    if not (given1 or basic) or not given2 or not given3:
        return "missing_keys"
    checks = [_same(given2, key2), _same(given3, key3)]
    if given1:
        checks.append(_same(given1, key1))
    if basic:
        checks.append(_same(basic, key1) | _same(basic, base64.b64encode(key1)))
    return None if all(checks) else "wrong_keys"


def _basic_value(header):
    """The value after ``Basic`` in an Authorization header, or None."""
    if not header:
        return None
    scheme, _, value = str(header).strip().partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    return value.strip()


def _same(given, expected):
    return hmac.compare_digest(_bytes(given), expected)


def _bytes(value):
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "replace")
