"""What Odoo already holds, as Create Products from Zortout needs it: SKUs (active and
archived), barcodes, units by name, categories by name. Reads only; the creating is in
services/product_import.py."""

from odoo.addons.otd_marketplace_stock.services.product_import_plan import UNIT_ALIASES, unit_key

__all__ = ["odoo_codes", "odoo_barcodes", "unit_names", "CategoryResolver"]


def odoo_codes(env, company, skus):
    """{sku: active?} of the Odoo products (active or archived) whose code, stripped, is one of
    ``skus``, among the company's products and the shared ones: the products a pull matches,
    and the archived ones it would match once unarchived. An SKU on an active product reads True."""
    if not skus:
        return {}
    env["product.product"].flush_model(["default_code", "active", "product_tmpl_id"])
    env["product.template"].flush_model(["company_id"])
    env.cr.execute("""
        SELECT btrim(product.default_code), bool_or(product.active)
          FROM product_product product
          JOIN product_template template ON template.id = product.product_tmpl_id
         WHERE btrim(product.default_code) = ANY(%s)
           AND (template.company_id = %s OR template.company_id IS NULL)
      GROUP BY btrim(product.default_code)
    """, [list(skus), company.id])
    return dict(env.cr.fetchall())


def odoo_barcodes(env, barcodes):
    """{barcode: who holds it} for ``barcodes`` held by an Odoo product (active or archived, any
    company: the new products are shared, and Odoo refuses a barcode twice among them) or a
    packaging."""
    if not barcodes:
        return {}
    env["product.product"].flush_model(["barcode", "default_code", "active"])
    env.cr.execute("""
        SELECT DISTINCT ON (barcode) barcode, COALESCE(NULLIF(btrim(default_code), ''), 'id ' || id::text)
          FROM product_product WHERE barcode = ANY(%s) ORDER BY barcode, id
    """, [list(barcodes)])
    held = dict(env.cr.fetchall())
    if "product.uom" in env and "barcode" in env["product.uom"]._fields:
        env["product.uom"].flush_model(["barcode"])
        env.cr.execute("SELECT DISTINCT barcode FROM product_uom WHERE barcode = ANY(%s)", [list(barcodes)])
        for (barcode,) in env.cr.fetchall():
            held.setdefault(barcode, "packaging")
    return held


def unit_names(env):
    """{unit key: unit id} of every active Odoo unit's name in English and Thai, and
    {alias XML id: unit id} for the alias table (services/product_import_plan.py)."""
    names = {}
    Uom = env["uom.uom"].sudo()
    installed = dict(env["res.lang"].get_installed())
    for lang in [code for code in ("en_US", "th_TH", env.lang) if code in installed]:
        for uom in Uom.with_context(lang=lang).search([]):
            names.setdefault(unit_key(uom.name), uom.id)
    for xmlid in UNIT_ALIASES:
        uom = env.ref(xmlid, raise_if_not_found=False)
        if uom:
            names[xmlid] = uom.id
    return names


class CategoryResolver:
    """Odoo's category for a Zortout category name: with ``by_name``, the Odoo category of
    that name (the first by id, compared without case), else a new one under ``fallback``;
    without it, or for a product without a Zortout category, ``fallback`` itself."""

    def __init__(self, env, fallback, by_name):
        self.env = env
        self.Category = env["product.category"].sudo()
        self.fallback = fallback
        self.by_name = by_name
        self._known = {}
        self.created = self.Category.browse()

    def resolve(self, name):
        name = (name or "").strip()
        if not (self.by_name and name):
            return self.fallback.id
        key = name.lower()
        if key not in self._known:
            found = self.Category.search([("name", "ilike", name)], order="id").filtered(
                lambda category: category.name.lower() == key)[:1]
            if not found:
                found = self.Category.create({"name": name, "parent_id": self.fallback.id})
                self.created |= found
            self._known[key] = found.id
        return self._known[key]
