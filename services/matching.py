"""Which Odoo product a Zortout row belongs to, and whether its stock may be set.

Plain Python over plain values: the caller loads :class:`ProductFacts` from
Odoo (see services/inventory.py), this module decides. No Odoo import.
"""

from dataclasses import dataclass

from odoo.addons.otd_marketplace_stock.zortout import QuantityProblem

__all__ = ["ProductFacts", "Candidate", "match_row", "sweep_duplicates"]


@dataclass(frozen=True, slots=True)
class ProductFacts:
    """What matching needs to know of one Odoo product."""
    id: int
    code: str  # default_code, stripped
    type: str  # 'consu', 'service', 'combo'
    is_storable: bool
    tracking: str  # 'none', 'lot', 'serial'
    rounding: float  # of its unit of measure: quantities closer than this are equal
    is_kit: bool = False


@dataclass(frozen=True, slots=True)
class Candidate:
    """A row whose SKU matched one eligible product: its stock may be set to ``quantity``."""
    sku: str
    product: ProductFacts
    quantity: object  # Decimal, never negative (see ``clamped``)
    clamped: bool = False  # Zortout said below zero; set to 0


def match_row(row, products, source):
    """``(skip reason, None)`` or ``(None, Candidate)`` for ``row``.

    :param row: a :class:`zortout.ProductRow`
    :param products: the :class:`ProductFacts` whose code equals the row's SKU
    :param source: 'availablestock' or 'stock'
    """
    if not products:
        return "not_in_odoo", None
    if len(products) > 1:
        return "ambiguous_in_odoo", None
    product = products[0]
    if product.type in ("service", "combo") or row.is_service:
        return "service", None
    if not product.is_storable:
        return "not_tracked", None
    if product.tracking != "none":
        return "tracked_by_lot", None
    if product.is_kit:
        # a kit's stock is its components': Odoo refuses a count on the kit itself
        return "kit", None
    quantity = row.quantity(source)
    if isinstance(quantity, QuantityProblem):
        return "bad_quantity", None
    if quantity < 0:
        return None, Candidate(row.sku, product, 0, clamped=True)
    return None, Candidate(row.sku, product, quantity)


def sweep_duplicates(rows):
    """Tell drift from real duplicates in a complete sweep.

    ``rows`` yields ``(position, zortout_id, sku)`` in sweep order. Paging by
    offset while products come and go can serve the same Zortout product twice:
    that is one product, kept at its last position. A SKU that two different
    Zortout products carry is a real duplicate. Returns ``(superseded positions,
    duplicate SKUs)``.
    """
    last_position = {}
    superseded = set()
    ids_by_sku = {}
    for position, zortout_id, sku in rows:
        if zortout_id is not None:
            if zortout_id in last_position:
                superseded.add(last_position[zortout_id])
            last_position[zortout_id] = position
        if sku:
            ids_by_sku.setdefault(sku, set()).add(zortout_id if zortout_id is not None else ("row", position))
    duplicates = {sku for sku, ids in ids_by_sku.items() if len(ids) > 1}
    return superseded, duplicates
