"""A Zortout product as a catalogue entry: what Odoo needs to create the product.

GetProducts serves every product field on every page (see the facts file §2.2);
the stock pull reads only the SKU and the quantities (:class:`~zortout.client.ProductRow`).
:class:`CatalogueRow` reads the rest: name, barcode, prices, unit, category,
weight, type, variation and active flag, image URL. Nothing here knows about Odoo.

Zortout types most numbers as strings ("20.00"); live answers also carry plain
numbers, blanks and nulls. A price that is absent or unreadable is ``None`` (the
caller decides: 0 or "left empty"), never an exception: one odd row must not
stop the reading of 50,000.
"""

from dataclasses import dataclass
from decimal import Decimal

from .values import parse_quantity

__all__ = ["CatalogueRow", "parse_amount"]

#: no price or weight Zortout sends comes near this; a bigger one is a corrupted field
_AMOUNT_LIMIT = Decimal("1e9")


def parse_amount(raw):
    """A price or weight as a Decimal >= 0, or None when absent, unreadable, negative or absurd."""
    value = parse_quantity(raw)
    if not isinstance(value, Decimal) or value < 0 or value > _AMOUNT_LIMIT:
        return None
    return value


def _text(value):
    return "" if value is None or isinstance(value, (dict, list)) else str(value).strip()


def _int_or_zero(value):
    if value is None or isinstance(value, bool):
        return 0
    try:
        return int(Decimal(str(value).strip()))
    except (ArithmeticError, ValueError):
        return 0


def _active(value):
    """Zortout's ``active``: a boolean, "1"/"0", "true"/"false"; absent reads as active
    (the facts file's example products carry ``true``; a product without the flag is sold)."""
    if isinstance(value, bool):
        return value
    if value is None:
        return True
    text = str(value).strip().lower()
    return text not in ("0", "false", "no", "inactive")


def _variant_options(raw):
    """``variant`` as ((attribute name, value name), ...), in Zortout's order. Entries without
    an attribute name or a value are left out; a value that is not a list reads as none."""
    if not isinstance(raw, list):
        return ()
    options = []
    for entry in raw:
        if not isinstance(entry, dict):
            continue
        attribute, value = _text(entry.get("name")), _text(entry.get("variantname"))
        if attribute and value:
            options.append((attribute, value))
    return tuple(options)


@dataclass(frozen=True, slots=True)
class CatalogueRow:
    """One Zortout product as a catalogue entry.

    ``sell_price``, ``purchase_price`` and ``weight_g`` (grams, as Zortout keeps
    weight) are Decimals or None. ``is_service`` follows ``producttype`` 1.
    ``variation_id`` is the parent variation's id (0 for a plain product);
    ``options`` its variant options as (attribute, value) pairs.
    """

    zortout_id: int | None
    sku: str
    name: str
    barcode: str
    sell_price: Decimal | None
    purchase_price: Decimal | None
    unit: str
    category: str
    category_id: int
    weight_g: Decimal | None
    is_service: bool
    variation_id: int
    options: tuple
    active: bool
    image_url: str

    @classmethod
    def from_api(cls, data):
        zortout_id = _int_or_zero(data.get("id")) or None
        return cls(
            zortout_id=zortout_id,
            sku=_text(data.get("sku")),
            name=_text(data.get("name")),
            barcode=_text(data.get("barcode")),
            sell_price=parse_amount(data.get("sellprice")),
            purchase_price=parse_amount(data.get("purchaseprice")),
            unit=_text(data.get("unittext")),
            category=_text(data.get("category")),
            category_id=_int_or_zero(data.get("categoryid")),
            weight_g=parse_amount(data.get("weight")),
            is_service=_int_or_zero(data.get("producttype")) == 1,
            variation_id=_int_or_zero(data.get("variationid")),
            options=_variant_options(data.get("variant")),
            active=_active(data.get("active")),
            image_url=_text(data.get("imagepath")),
        )
