"""What Create Products from Zortout would do with each Zortout product: plain Python.

The Odoo side (services/product_import_odoo.py) loads what Odoo already holds
(codes, barcodes, units); this module decides, row by row:

* a row whose SKU an Odoo product carries (active or archived) is *matched*:
  nothing is created, and the wizard says which are archived in Odoo;
* a row is *refused* (listed, not creatable, with the reason) when it has no
  SKU, when two Zortout products carry its SKU, when an Odoo product holds its
  barcode, or when an earlier row of the same list holds its barcode;
* every other row is *new*: what it becomes is :func:`plan_row`'s dict.

Variants (:func:`group_variations`): Zortout products that share a
``variationid`` become one Odoo template with variants when, and only when,
Odoo can hold them exactly: every one of them is new, each names the same
attributes (``variant[].name``) in its options, no two have the same options,
they share unit, type and category, and their sell prices are the template's
price plus one attribute's value extras (all equal, or set by one attribute
alone). Otherwise they become separate products and the row says why.
"""

from collections import defaultdict
from decimal import Decimal

__all__ = ["UNIT_ALIASES", "unit_key", "plan_row", "group_variations", "REFUSALS", "GROUP_NOTES",
           "check_barcodes", "sweep_duplicate_skus"]

def _lt(text):
    """Mark ``text`` for the translation template; the wizard translates it when it shows it."""
    return text


#: the Odoo unit (its XML id in the uom addon) of Zortout's unit texts, compared lower-cased
#: and without dots or spaces: Thai classifiers of countable goods are all Units
UNIT_ALIASES = {
    "uom.product_uom_unit": ("unit", "units", "piece", "pieces", "pcs", "pc", "ea", "each", "item", "items",
                             "ชิ้น", "อัน", "ตัว", "ใบ", "ลูก", "เล่ม", "ด้าม", "แท่ง", "เครื่อง", "หน่วย"),
    "uom.product_uom_dozen": ("dozen", "dozens", "dz", "doz", "โหล"),
    "uom.product_uom_kgm": ("kg", "kgs", "kilogram", "kilograms", "kilo", "กก", "กิโลกรัม", "กิโล"),
    "uom.product_uom_gram": ("g", "gr", "gram", "grams", "กรัม"),
    "uom.product_uom_litre": ("l", "litre", "liter", "litres", "liters", "ลิตร"),
    "uom.product_uom_milliliter": ("ml", "millilitre", "milliliter", "มล", "มิลลิลิตร"),
    "uom.product_uom_meter": ("m", "meter", "metre", "meters", "metres", "เมตร"),
    "uom.product_uom_cm": ("cm", "centimeter", "centimetre", "ซม", "เซนติเมตร", "เซน"),
    "uom.product_uom_hour": ("hour", "hours", "hr", "hrs", "ชั่วโมง", "ชม"),
    "uom.product_uom_day": ("day", "days", "วัน"),
}

#: why a listed row is not created (the wizard's and the change lines' words)
REFUSALS = {
    "no_sku": _lt("No SKU in Zortout"),
    "duplicate_in_zortout": _lt("SKU twice in Zortout"),
    "barcode_in_odoo": _lt("Barcode already on an Odoo product"),
    "barcode_twice": _lt("Barcode also on another product of this list"),
}

#: what a row of a Zortout variation becomes
GROUP_NOTES = {
    "template": _lt("One product with variants"),
    "no_options": _lt("Separate products: the variants' options do not name their attributes"),
    "mixed_attributes": _lt("Separate products: the variants do not name the same attributes"),
    "same_options": _lt("Separate products: two variants have the same options"),
    "mixed_settings": _lt("Separate products: the variants differ in unit, type or category"),
    "prices": _lt("Separate products: the variants' prices are not one price plus per-option extras"),
    "partly_in_odoo": _lt("Separate products: some variants of this product are in Odoo already"),
    "alone": _lt("A single product (the other variants are in Odoo or not chosen)"),
}


def unit_key(text):
    """Zortout's unit text as the alias table compares it."""
    return "".join(ch for ch in (text or "").strip().lower() if ch not in ". ")


def _alias_index():
    return {alias: xmlid for xmlid, aliases in UNIT_ALIASES.items() for alias in aliases}


_ALIASES = _alias_index()


def resolve_unit(text, unit_names):
    """``(unit id, note)``: ``unit_names`` maps a unit key (see :func:`unit_key`) of every Odoo
    unit's name (each language) to its id, and each alias XML id to its unit id. An
    unknown unit is Units, with a note naming Zortout's text."""
    key = unit_key(text)
    units = unit_names.get("uom.product_uom_unit")
    if not key:
        return units, None
    if key in unit_names:
        return unit_names[key], None
    xmlid = _ALIASES.get(key)
    if xmlid and xmlid in unit_names:
        return unit_names[xmlid], None
    return units, "unknown_unit"


def sweep_duplicate_skus(rows):
    """SKUs that two different Zortout products (ids) carry; a product served twice by
    shifting pages (the same id) is one product."""
    ids = defaultdict(set)
    for row in rows:
        if row.sku:
            ids[row.sku].add(row.zortout_id if row.zortout_id is not None else id(row))
    return {sku for sku, found in ids.items() if len(found) > 1}


def _money(value):
    return float(value) if value is not None else 0.0


def plan_row(row, unit_names):
    """The creation values of a new row (JSON-ready): what the wizard shows and the job creates."""
    uom_id, unit_note = resolve_unit(row.unit, unit_names)
    notes = [unit_note] if unit_note else []
    if row.sell_price is None:
        notes.append("no_price")
    return {
        "zid": row.zortout_id, "sku": row.sku, "name": row.name or row.sku, "barcode": row.barcode,
        "list_price": _money(row.sell_price), "standard_price": _money(row.purchase_price),
        "unit_text": row.unit, "uom_id": uom_id, "category": row.category,
        "kind": "service" if row.is_service else "goods",
        "weight": float(row.weight_g / 1000) if row.weight_g else 0.0,
        "active": row.active, "image_url": row.image_url, "variation_id": row.variation_id or 0,
        "options": [list(option) for option in row.options], "notes": notes,
    }


def check_barcodes(planned, odoo_barcodes):
    """Refuse, in order, the planned rows whose barcode an Odoo product holds
    (``odoo_barcodes``: {barcode: holder's display}) or an earlier row holds.
    Returns {sku: (reason, detail)}."""
    refused, seen = {}, {}
    for entry in planned:
        barcode = entry["barcode"]
        if not barcode:
            continue
        if barcode in odoo_barcodes:
            refused[entry["sku"]] = ("barcode_in_odoo", odoo_barcodes[barcode])
        elif barcode in seen:
            refused[entry["sku"]] = ("barcode_twice", seen[barcode])
        else:
            seen[barcode] = entry["sku"]
    return refused


def group_variations(planned, matched_variations=frozenset()):
    """Decide the variations of ``planned`` (the rows to create, in order): set each entry's
    ``group`` ("template" or a reason for separate products, see :data:`GROUP_NOTES`; None
    for a plain product). ``matched_variations``: variation ids some of whose products are
    in Odoo already."""
    groups = defaultdict(list)
    for entry in planned:
        entry["group"] = None
        if entry["variation_id"]:
            groups[entry["variation_id"]].append(entry)
    for variation_id, entries in groups.items():
        decision = _variation_decision(entries, variation_id in matched_variations)
        for entry in entries:
            entry["group"] = decision


def _variation_decision(entries, partly_in_odoo):
    if partly_in_odoo:
        return "partly_in_odoo"
    if len(entries) < 2:
        return "alone"
    if any(not entry["options"] for entry in entries):
        return "no_options"
    names = [tuple(option[0] for option in entry["options"]) for entry in entries]
    if len(set(names)) > 1 or len(set(names[0])) != len(names[0]):
        return "mixed_attributes"
    combos = [tuple(option[1] for option in entry["options"]) for entry in entries]
    if len(set(combos)) != len(combos):
        return "same_options"
    if len({(entry["uom_id"], entry["kind"], entry["category"]) for entry in entries}) > 1:
        return "mixed_settings"
    if price_extras(entries) is None:
        return "prices"
    return "template"


def price_extras(entries):
    """``(base price, {(attribute, value): extra})`` that give every variant its sell price, or
    None: the prices are all equal (no extras) or set by one attribute's value alone."""
    prices = [Decimal(str(entry["list_price"])) for entry in entries]
    base = min(prices)
    if len(set(prices)) == 1:
        return base, {}
    for index in range(len(entries[0]["options"])):
        by_value = {}
        consistent = True
        for entry, price in zip(entries, prices):
            attribute, value = entry["options"][index]
            if by_value.setdefault((attribute, value), price) != price:
                consistent = False
                break
        if consistent:
            return base, {key: float(price - base) for key, price in by_value.items()}
    return None
