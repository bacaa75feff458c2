"""Reading Zortout quantities.

Zortout documents quantities as strings like ``"12.00"``; live answers also
carry integer-like strings (``"12"``), and JSON numbers (``12``, ``12.0``) are
possible. All of them read as the same quantity. A value that is absent,
empty or unreadable must never be mistaken for zero: a zero would wipe the stock
of a product in Odoo. :func:`parse_quantity` therefore returns either a
:class:`~decimal.Decimal` or one of the two :class:`QuantityProblem` markers.
"""

import re
from decimal import Decimal, InvalidOperation

__all__ = ["QuantityProblem", "MISSING", "UNREADABLE", "QUANTITY_LIMIT", "parse_quantity", "clean_sku"]

#: Quantities whose absolute value exceeds this limit are reported as UNREADABLE.
#: No real stock level comes near a billion units; such a value is a corrupted
#: field (or an exponent typo such as "1e12") and must not reach the inventory.
QUANTITY_LIMIT = Decimal("1e9")

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


class QuantityProblem:
    """Marker for a quantity that cannot be used.

    There are exactly two instances, :data:`MISSING` and :data:`UNREADABLE`.
    Test with ``isinstance(value, QuantityProblem)`` (or ``value is MISSING``);
    the markers are falsy only as a last line of defence.
    """

    __slots__ = ("name", "description")

    def __init__(self, name, description):
        self.name = name
        self.description = description

    def __repr__(self):
        return f"<{self.name}>"

    __str__ = __repr__

    def __bool__(self):
        return False

    def __reduce__(self):
        # keep the singletons singletons through copy/pickle
        return self.name


MISSING = QuantityProblem("MISSING", "the quantity is absent, null or empty")
UNREADABLE = QuantityProblem("UNREADABLE", "the quantity is not a finite number within +/-1e9")


def parse_quantity(raw):
    """Return ``raw`` as a Decimal, or MISSING / UNREADABLE.

    * ``None``, ``""`` and blank strings -> MISSING
    * ``"12.00"`` -> ``Decimal("12.00")``; ``"-3"`` -> ``Decimal("-3")`` (negative
      values are returned as they are; deciding what to do with them is the
      caller's business)
    * ``"1,234"`` -> ``Decimal("1234")`` (a well-formed thousands separator)
    * ints, floats and Decimals are accepted; booleans are UNREADABLE
    * ``"abc"``, ``"NaN"``, ``"Infinity"``, ``"-Infinity"`` and anything whose
      absolute value exceeds :data:`QUANTITY_LIMIT` (1e9) -> UNREADABLE
    """
    if raw is None:
        return MISSING
    if isinstance(raw, bool):
        return UNREADABLE
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = _decimal_or_none(repr(raw))
    elif isinstance(raw, str):
        text = raw.strip()
        if not text:
            return MISSING
        if "," in text:
            if not _THOUSANDS.match(text):
                return UNREADABLE
            text = text.replace(",", "")
        value = _decimal_or_none(text)
    else:
        return UNREADABLE
    if value is None or not value.is_finite() or abs(value) > QUANTITY_LIMIT:
        return UNREADABLE
    return value


def _decimal_or_none(text):
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None


def clean_sku(value):
    """A SKU as the whole addon takes it: stripped text, "" for none, or None when it
    cannot travel in Zortout's comma-separated ``skulist`` header (a comma or a control
    character). The one rule for the client, the job payload and the webhook."""
    if value is None or isinstance(value, (bool, dict, list)):
        return ""
    sku = str(value).strip()
    if "," in sku or any(not char.isprintable() for char in sku):
        return None
    return sku
