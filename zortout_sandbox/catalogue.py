"""The products and warehouses a sandbox store holds.

Quantities are kept per warehouse as Decimals and served as strings, the way
Zortout documents them ("12.00"), or in one of the other shapes live answers
show (see :data:`QUANTITY_FORMATS`). Without a warehouse code the served
quantities are the totals over every warehouse.

A product may carry raw overrides that replace what would be served for a
field (store-wide and/or per warehouse), e.g. an ``availablestock`` of ``""``,
``None`` or ``"abc"``, or :data:`DROP` to leave the key out entirely.
"""

import copy
import json
import os
import random
import threading
from decimal import Decimal

__all__ = ["Catalogue", "DROP", "DEFAULT_WAREHOUSES", "DEMO_CATALOGUE_PATH", "QUANTITY_FORMATS"]

#: Override value meaning "leave this key out of the product object".
DROP = "__drop__"

#: How quantities are served: ``decimal`` "12.00" (as documented), ``integer``
#: "12" (integer-like strings, as live clients parse them with int()),
#: ``number`` a JSON number 12. Fractions keep their decimals in every format.
QUANTITY_FORMATS = ("decimal", "integer", "number")

DEMO_CATALOGUE_PATH = os.path.join(os.path.dirname(__file__), "demo_catalogue.json")

DEFAULT_WAREHOUSES = (
    {"id": 129821, "code": "W0001", "name": "คลังสินค้าหลัก"},
    {"id": 129822, "code": "W0002", "name": "คลังหน้าร้าน"},
    {"id": 129823, "code": "ODS001", "name": "คลังออนไลน์ ODS"},
)

_PRODUCT_DEFAULTS = {
    "description": "",
    "sellprice": "0.00",
    "purchaseprice": "0.00",
    "sell_vat_status": 0,
    "purchase_vat_status": 0,
    "barcode": "",
    "unittext": "Piece",
    "imagepath": "",
    "imageList": [],
    "weight": "0.00",
    "width": "0.00",
    "length": "0.00",
    "height": "0.00",
    "categoryid": 0,
    "category": "",
    "producttype": 0,
    "variationid": 0,
    "variant": [],
    "tag": [],
    "active": True,
    "properties": [],
}
# keys kept by the catalogue itself, not served as-is
_INTERNAL = ("stock", "availablestock", "raw", "raw_by_warehouse")


def _decimal(value):
    return Decimal(str(value).replace(",", "")) if value not in (None, "") else Decimal(0)


def format_quantity(value):
    """Serialize like Zortout: "12.00" (more decimals only when needed)."""
    cents = value.quantize(Decimal("0.01"))
    return f"{cents:.2f}" if cents == value else str(value)


def serve_quantity(value, quantity_format="decimal"):
    """``value`` in one of the :data:`QUANTITY_FORMATS`."""
    whole = value == value.to_integral_value()
    if quantity_format == "integer":
        return str(int(value)) if whole else format_quantity(value)
    if quantity_format == "number":
        return int(value) if whole else float(value)
    return format_quantity(value)


def _copy(value):
    """A value of a product as served: lists and objects copied, so that an answer
    never shares them with the catalogue; plain values as they are (immutable)."""
    return copy.deepcopy(value) if isinstance(value, (list, dict)) else value


def _warehouse(entry, index):
    if isinstance(entry, dict):
        return {"id": entry.get("id", 129821 + index), "code": entry["code"], "name": entry.get("name", entry["code"])}
    if isinstance(entry, (tuple, list)):
        code, name = entry[0], entry[1] if len(entry) > 1 else entry[0]
        return {"id": 129821 + index, "code": code, "name": name}
    return {"id": 129821 + index, "code": str(entry), "name": str(entry)}


class Catalogue:
    """Thread-safe in-memory store of warehouses and products."""

    def __init__(self, warehouses=DEFAULT_WAREHOUSES, products=()):
        self._lock = threading.RLock()
        self.warehouses = [_warehouse(w, i) for i, w in enumerate(warehouses)]
        self.products = []
        for product in products:
            self.add_product(product)

    # -- construction --------------------------------------------------------

    @classmethod
    def from_dict(cls, data):
        return cls(data.get("warehouses") or DEFAULT_WAREHOUSES, data.get("products") or ())

    @classmethod
    def from_json(cls, path):
        with open(path, encoding="utf-8") as handle:
            return cls.from_dict(json.load(handle))

    @classmethod
    def demo(cls):
        return cls.from_json(DEMO_CATALOGUE_PATH)

    @classmethod
    def generate(cls, n, seed=1, warehouses=DEFAULT_WAREHOUSES):
        """``n`` products "GEN-000001".. with quantities drawn from ``seed``.

        Every product holds at least one unit in every warehouse, is active and
        is a plain product, so counts and pages are predictable (a warehouse
        sweep leaves out products that hold nothing there).
        """
        rng = random.Random(seed)
        catalogue = cls(warehouses)
        codes = catalogue.warehouse_codes()
        for i in range(1, n + 1):
            stock, available = {}, {}
            for code in codes:
                on_hand = rng.randint(1, 500)
                stock[code] = on_hand
                available[code] = on_hand - rng.randint(0, min(on_hand, 5))
            catalogue.add_product({
                "id": 5_000_000 + i,
                "sku": f"GEN-{i:06d}",
                "name": f"Generated product {i}",
                "sellprice": f"{rng.randint(10, 2000)}.00",
                "stock": stock,
                "availablestock": available,
            })
        return catalogue

    def add_product(self, product):
        """Add a product dict (see demo_catalogue.json for the shape)."""
        with self._lock:
            item = copy.deepcopy(_PRODUCT_DEFAULTS)
            item.update({k: copy.deepcopy(v) for k, v in product.items() if k not in _INTERNAL})
            if "id" not in product:
                item["id"] = max((p["id"] for p in self.products), default=4_470_000) + 1
            stock = {code: _decimal(v) for code, v in (product.get("stock") or {}).items()}
            available = {code: _decimal(v) for code, v in (product.get("availablestock") or {}).items()}
            for code in stock:
                available.setdefault(code, stock[code])
            for code in available:
                stock.setdefault(code, available[code])
            item["_stock"] = stock
            item["_available"] = available
            item["_raw"] = dict(product.get("raw") or {})
            item["_raw_by_warehouse"] = {c: dict(v) for c, v in (product.get("raw_by_warehouse") or {}).items()}
            self.products.append(item)
            return item

    def snapshot(self):
        with self._lock:
            return copy.deepcopy((self.warehouses, self.products))

    def restore(self, snapshot):
        with self._lock:
            self.warehouses, self.products = copy.deepcopy(snapshot)

    # -- lookups -------------------------------------------------------------

    def warehouse_codes(self):
        return [w["code"] for w in self.warehouses]

    def has_warehouse(self, code):
        return code in self.warehouse_codes()

    def product(self, sku):
        with self._lock:
            for item in self.products:
                if item["sku"] == sku:
                    return item
        raise KeyError(sku)

    def product_by_id(self, product_id):
        with self._lock:
            for item in self.products:
                if str(item["id"]) == str(product_id):
                    return item
        return None

    def stock_of(self, sku, warehouse_code=None):
        """(stock, availablestock) as Decimals, for a warehouse or in total."""
        with self._lock:
            item = self.product(sku)
            return self._quantities(item, warehouse_code)

    # -- mutation ------------------------------------------------------------

    def set_stock(self, sku, warehouse_code, stock, available=None):
        """Set on-hand ``stock`` of ``sku`` in a warehouse.

        Without ``available`` the reservations are kept: the sellable quantity
        moves with the on-hand one.
        """
        with self._lock:
            item = self.product(sku)
            stock = _decimal(stock)
            if available is None:
                reserved = item["_stock"].get(warehouse_code, 0) - item["_available"].get(warehouse_code, 0)
                available = stock - reserved
            item["_stock"][warehouse_code] = stock
            item["_available"][warehouse_code] = _decimal(available)

    def set_available(self, sku, warehouse_code, available):
        """Set the sellable quantity; on hand = sellable + reservations."""
        with self._lock:
            item = self.product(sku)
            available = _decimal(available)
            reserved = item["_stock"].get(warehouse_code, 0) - item["_available"].get(warehouse_code, 0)
            item["_available"][warehouse_code] = available
            item["_stock"][warehouse_code] = available + reserved

    def set_raw(self, sku, field, value, warehouse_code=None):
        """Serve ``value`` verbatim for ``field`` (DROP leaves the key out).

        With ``warehouse_code`` the override applies only to answers for that
        warehouse; without it, to every answer.
        """
        with self._lock:
            item = self.product(sku)
            if warehouse_code is None:
                item["_raw"][field] = value
            else:
                item["_raw_by_warehouse"].setdefault(warehouse_code, {})[field] = value

    def clear_raw(self, sku):
        with self._lock:
            item = self.product(sku)
            item["_raw"].clear()
            item["_raw_by_warehouse"].clear()

    def update(self, sku, **fields):
        """Change served fields of a product (name, active, producttype...)."""
        with self._lock:
            self.product(sku).update(fields)

    def remove_product(self, sku):
        with self._lock:
            self.products.remove(self.product(sku))

    def remove_product_by_id(self, product_id):
        with self._lock:
            item = self.product_by_id(product_id)
            if item is not None:
                self.products.remove(item)

    # -- serving -------------------------------------------------------------

    def stocked_in(self, item, warehouse_code):
        """The product has a stock record in the warehouse (even one of 0)."""
        return warehouse_code in item["_stock"] or warehouse_code in item["_available"]

    def holds(self, item, warehouse_code):
        """The product holds something in the warehouse: an on-hand quantity
        other than 0 (a service holds nothing)."""
        if item.get("producttype") == 1:
            return False
        return item["_stock"].get(warehouse_code, Decimal(0)) != 0

    def front_id(self):
        """An id below every product's: a product with it comes first in the
        id ordering GetProducts uses."""
        with self._lock:
            return min((p["id"] for p in self.products), default=4_470_001) - 1

    def _quantities(self, item, warehouse_code):
        if warehouse_code:
            return item["_stock"].get(warehouse_code, Decimal(0)), item["_available"].get(warehouse_code, Decimal(0))
        return sum(item["_stock"].values(), Decimal(0)), sum(item["_available"].values(), Decimal(0))

    def render(self, item, warehouse_code=None, quantity_format="decimal"):
        """The product object as Zortout serves it."""
        with self._lock:
            data = {k: _copy(v) for k, v in item.items() if not k.startswith("_")}
            stock, available = self._quantities(item, warehouse_code)
            if data.get("producttype") == 1:
                stock = available = Decimal(0)
            data["stock"] = serve_quantity(stock, quantity_format)
            data["availablestock"] = serve_quantity(available, quantity_format)
            overrides = dict(item["_raw"])
            if warehouse_code:
                overrides.update(item["_raw_by_warehouse"].get(warehouse_code, {}))
            for key, value in overrides.items():
                if value == DROP:
                    data.pop(key, None)
                else:
                    data[key] = value
            return data
