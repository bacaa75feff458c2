"""Odoo's side of the sync: the products a batch of SKUs names, their quants at
the target, and setting their on hand through Odoo's inventory mode.

Every write goes through Odoo's counted quantity (``inventory_quantity``) and
its Apply (``_apply_inventory``), so each change is an inventory-adjustment
stock move with its history, exactly as a person's count would be.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from odoo.exceptions import UserError, ValidationError
from odoo.tools.float_utils import float_compare

from .matching import ProductFacts

_logger = logging.getLogger(__name__)

__all__ = ["ProductIndex", "QuantState", "stock_levels", "read_quants", "tree_condition", "apply_changes"]


class ProductIndex:
    """Looks up the Odoo products of a batch of SKUs for one company."""

    def __init__(self, env, company):
        # sudo: matching must see exactly the account company's products and the
        # shared ones, whatever companies the user has selected in the web client;
        # it only reads product codes and settings, and never writes them.
        self.products = env["product.product"].sudo().with_company(company)
        self.company = company
        self.env = env
        self._padded = None

    def _padded_codes(self):
        """{stripped code: [product ids]} for the few codes stored with surrounding
        spaces: one query per sync, so that the per-batch search can use the index
        on default_code while still matching " SKU-1 " to Zortout's "SKU-1"."""
        if self._padded is None:
            self.env["product.product"].flush_model(["default_code", "active"])
            self.env.cr.execute("""
                SELECT id, btrim(default_code) FROM product_product
                 WHERE default_code IS NOT NULL AND default_code <> btrim(default_code) AND active
            """)
            self._padded = defaultdict(list)
            for product_id, code in self.env.cr.fetchall():
                if code:
                    self._padded[code].append(product_id)
        return self._padded

    def facts_by_sku(self, skus):
        """{sku: [ProductFacts]} for the active products of the company (or of no company).

        SQL over the product and its template: matching needs a few
        plain columns of each product, which the ORM would compute through
        ``product.product``'s fields related to its template, product by product
        (a third of a sync in which nothing changed). The query reads what a
        superuser search of the company's active products would.
        """
        padded = self._padded_codes()
        extra_ids = [product_id for sku in skus for product_id in padded.get(sku, ())]
        self.env["product.product"].flush_model(["default_code", "active", "product_tmpl_id"])
        self.env["product.template"].flush_model(["type", "is_storable", "tracking", "uom_id", "company_id"])
        records = {record[0]: record for record in self._product_records(list(set(skus)), extra_ids)}
        records = [records[product_id] for product_id in sorted(records)]
        kits = self._kit_ids(records)
        # a page holds a handful of units: their rounding through the ORM, once each
        rounding = {uom.id: uom.rounding for uom in self.env["uom.uom"].browse({record[5] for record in records})}
        found = defaultdict(list)
        for product_id, code, product_type, is_storable, tracking, uom_id, _template_id in records:
            code = (code or "").strip()
            found[code].append(ProductFacts(product_id, code, product_type, bool(is_storable), tracking or "none",
                                            rounding[uom_id], product_id in kits))
        return found

    #: the product and template columns that matching needs (see ProductFacts)
    _PRODUCT_COLUMNS = """product.id, product.default_code, template.type, template.is_storable, template.tracking,
                          template.uom_id, template.id"""
    _PRODUCT_FROM = """product_product product
                  JOIN product_template template ON template.id = product.product_tmpl_id
                 WHERE product.active AND (template.company_id = %s OR template.company_id IS NULL)"""

    def _product_records(self, codes, product_ids):
        """Rows of ``_PRODUCT_COLUMNS`` for the products whose code is one of ``codes``,
        then for ``product_ids`` (the padded codes)."""
        # Each code is looked up through the index on default_code (a LATERAL subquery, kept
        # apart by OFFSET 0): for a page of codes the planner would otherwise read the whole
        # product and template tables (15 ms a page at 50,000 products, against 2 ms).
        self.env.cr.execute(f"""
            SELECT found.* FROM unnest(%s::varchar[]) AS wanted(code)
            CROSS JOIN LATERAL (SELECT {self._PRODUCT_COLUMNS} FROM {self._PRODUCT_FROM}
                                   AND product.default_code = wanted.code OFFSET 0) found
        """, [codes, self.company.id])
        records = self.env.cr.fetchall()
        if product_ids:
            self.env.cr.execute(f"SELECT {self._PRODUCT_COLUMNS} FROM {self._PRODUCT_FROM} AND product.id = ANY(%s)",
                                [self.company.id, product_ids])
            records += self.env.cr.fetchall()
        return records

    def _kit_ids(self, records):
        """Products that are kits (a phantom bill of materials) when Manufacturing is
        installed; without it there is no kit and no dependency on it. ``records``
        are (product id, ..., template id) rows."""
        if "mrp.bom" not in self.env or not records:
            return set()
        product_ids = [record[0] for record in records]
        template_ids = list({record[-1] for record in records})
        boms = self.env["mrp.bom"].sudo().search_fetch([
            ("type", "=", "phantom"), ("active", "=", True),
            ("company_id", "in", [self.company.id, False]),
            "|", ("product_id", "in", product_ids),
            "&", ("product_id", "=", False), ("product_tmpl_id", "in", template_ids),
        ], ["product_id", "product_tmpl_id"])
        kit_products = set(boms.product_id.ids)
        kit_templates = set(boms.filtered(lambda bom: not bom.product_id).product_tmpl_id.ids)
        return {record[0] for record in records if record[0] in kit_products or record[-1] in kit_templates}


@dataclass(slots=True)
class QuantState:
    """The quants of one product in the target tree, read (and locked) at apply time."""
    quants: list = field(default_factory=list)  # stock.quant records, own plain quant first
    on_hand: float = 0.0  # their quantities, summed as they were read
    being_counted: bool = False  # one of them holds a counted quantity not applied yet


def tree_condition(location, exclude):
    """(SQL condition on ``location``, its parameters): the target ``location``, its
    internal children, without the trees of the ``exclude`` locations (filled by
    other Zortout warehouses). The same tree as the ``child_of`` domain, read
    through ``parent_path`` so that a page's quants come in one query."""
    excluded = [other.parent_path + "%" for other in exclude or ()] or ["-"]
    condition = ("location.parent_path LIKE %s AND location.usage = 'internal'"
                 " AND NOT location.parent_path LIKE ANY(%s)")
    return condition, [location.parent_path + "%", excluded]


def _flush_quants(env):
    env["stock.quant"].flush_model(["product_id", "location_id", "package_id", "owner_id", "quantity",
                                    "inventory_quantity_set"])
    env["stock.location"].flush_model(["parent_path", "usage"])


def stock_levels(env, location, product_ids, exclude=None):
    """{product id: (on hand, being counted)} in the target tree, read without a lock.

    Planning compares Zortout's quantity with this: most SKUs of a sweep are
    unchanged, and they need neither their quant records nor a lock. A product
    with no quant in the tree is absent (nothing on hand, nobody counting).
    """
    if not product_ids:
        return {}
    _flush_quants(env)
    condition, params = tree_condition(location, exclude)
    env.cr.execute(f"""
        SELECT quant.product_id, SUM(quant.quantity), bool_or(quant.inventory_quantity_set)
          FROM stock_quant quant
          JOIN stock_location location ON location.id = quant.location_id
         WHERE quant.product_id = ANY(%s) AND {condition}
      GROUP BY quant.product_id
    """, [list(product_ids), *params])
    return {product_id: (quantity or 0.0, bool(counted)) for product_id, quantity, counted in env.cr.fetchall()}


def read_quants(env, location, product_ids, exclude=None):
    """{product id: QuantState} for the target ``location`` and its internal children,
    without the trees of the ``exclude`` locations (filled by other Zortout warehouses).

    The quants are found and locked for this transaction in one query (``FOR NO
    KEY UPDATE``): a count or a move that another transaction is writing now
    makes this batch wait for it or fail with a concurrency error, never apply
    over it.
    """
    states = defaultdict(QuantState)
    if not product_ids:
        return states
    _flush_quants(env)
    condition, params = tree_condition(location, exclude)
    # waits for a transaction writing these quants now; one that wrote them after this
    # transaction began raises a serialization failure: the job tries again later.
    # Not lock_for_update(): that skips busy rows, and logs the expected failure as a bad query.
    # The locked rows' values come with the lock, as plain values: a page's quants are
    # sorted and summed without going through their records' fields.
    env.cr.execute(f"""
        SELECT quant.id, quant.product_id, quant.location_id, quant.package_id IS NULL AND quant.owner_id IS NULL,
               quant.quantity, quant.inventory_quantity_set
          FROM stock_quant quant
          JOIN stock_location location ON location.id = quant.location_id
         WHERE quant.product_id = ANY(%s) AND {condition}
           FOR NO KEY UPDATE OF quant
    """, [list(product_ids), *params], log_exceptions=False)
    rows = env.cr.fetchall()
    if not rows:
        return states
    quants = env["stock.quant"].browse([row[0] for row in rows])
    quants.invalidate_recordset()  # the records read the locked rows, not an earlier cache
    records = {quant.id: quant for quant in quants}  # one prefetch set: a batch's fields in one query

    def own_first(row):
        plain = row[2] == location.id and row[3]
        return (not plain, row[0])

    for quant_id, product_id, _location_id, _plain, quantity, counted in sorted(rows, key=own_first):
        state = states[product_id]
        state.quants.append(records[quant_id])
        state.on_hand += quantity or 0.0
        state.being_counted = state.being_counted or bool(counted)
    return states


def _counts_for(product_id, target, state, location, rounding):
    """({quant: counted quantity}, [values of quants to create]) that bring the
    product's on hand in the tree to ``target``.

    An increase lands on the target location's own plain quant (created when
    missing). A decrease takes from the quants with stock, own quant first, so
    that no negative quant is made while stock remains anywhere in the tree;
    any rest goes below zero on the own quant.
    """
    counted, to_create = {}, []
    own = state.quants[0] if state.quants else None
    own_is_plain = bool(own) and own.location_id == location and not (own.package_id or own.owner_id)
    on_hand = state.on_hand
    if float_compare(target, on_hand, precision_rounding=rounding) > 0:
        if own_is_plain:
            counted[own] = own.quantity + target - on_hand
        else:
            to_create.append({"product_id": product_id, "location_id": location.id,
                              "inventory_quantity": target - on_hand})
        return counted, to_create
    need = on_hand - target
    for quant in state.quants:
        if float_compare(need, 0, precision_rounding=rounding) <= 0:
            break
        if float_compare(quant.quantity, 0, precision_rounding=rounding) <= 0:
            continue
        take = min(quant.quantity, need)
        counted[quant] = quant.quantity - take
        need -= take
    if float_compare(need, 0, precision_rounding=rounding) > 0:
        if own_is_plain:
            counted[own] = counted.get(own, own.quantity) - need
        else:
            to_create.append({"product_id": product_id, "location_id": location.id, "inventory_quantity": -need})
    return counted, to_create


def _apply(env, changes, location, move_name):
    quants_model = env["stock.quant"].with_context(inventory_mode=True)
    counted, to_create = {}, []
    for product_id, target, state, rounding in changes:
        product_counted, product_new = _counts_for(product_id, target, state, location, rounding)
        counted.update(product_counted)
        to_create.extend(product_new)
    quants = quants_model.browse([quant.id for quant in counted])
    for quant, quantity in counted.items():
        quants_model.browse(quant.id).inventory_quantity = quantity
    if to_create:
        quants |= quants_model.create(to_create)
    if quants:
        quants.with_context(inventory_name=move_name)._apply_inventory()
    env.flush_all()


def apply_changes(env, changes, location, move_name):
    """Set each product's on hand in the tree: ``changes`` is
    ``[(product id, target, QuantState, unit rounding)]``.

    The batch goes through Odoo's Apply in one go. When Odoo refuses it, the
    batch is redone product by product, each in its own savepoint, so that one
    refused product (a kit, a rule of another addon) does not stop the others.
    Returns ``{product id: Odoo's message}`` for the refused products.
    """
    if not changes:
        return {}
    try:
        with env.cr.savepoint():
            _apply(env, changes, location, move_name)
        return {}
    except (UserError, ValidationError) as exc:
        _logger.info("zortout-sync batch of %s refused (%s); applying product by product", len(changes), exc)
    env.invalidate_all()
    refused = {}
    for change in changes:
        product_id = change[0]
        try:
            with env.cr.savepoint():
                _apply(env, [change], location, move_name)
        except (UserError, ValidationError) as exc:
            refused[product_id] = str(exc.args[0] if exc.args else exc)
            env.invalidate_all()
    return refused
