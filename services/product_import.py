"""Create Products from Zortout, as a series of small steps (the job type
``create_products_from_zortout``).

The wizard (wizards/zortout_product_import.py) read Zortout and planned each row
(services/product_import_plan.py); its Create keeps the ticked rows on the job as
pages (``marketplace.job.page``, at most :data:`PAGE_ROWS` rows each, a variation
never split) and the job's options in ``sweep_notes``. Each :meth:`ImportEngine.step`:

1. ``start``: nothing to read (the rows are kept): on to ``create_products``.
2. ``create_products``: one kept page. Under the company's import guard (below),
   its SKUs and barcodes are looked up again in Odoo *now*: a SKU that an Odoo
   product carries (created by an earlier run, a person, another job) is matched,
   not created; a barcode taken meanwhile leaves its row out. The rest is created
   in one ``create`` (a variation: one template with its variants), a change line
   is written per row and the page is marked applied, all in the step's transaction.
3. ``fetch_images`` (only when asked): the main image of each created product,
   downloaded once, under :data:`IMAGE_MAX_BYTES`; a failure is a change line, never
   the job's failure.

The import guard: each create step locks the company's row and stamps it. Two
steps of two jobs (two accounts of one company) then run one after the other, and
the second one's transaction, if it began before the first one committed, fails
with a serialization failure and is taken again on a fresh snapshot (the runner's
conflict rule): it sees the first one's products and matches them.
"""

import base64
import json
import logging
import time
from urllib.parse import urlsplit

import requests

from odoo import Command
from odoo.exceptions import UserError, ValidationError

from odoo.addons.otd_marketplace_stock.services.image_address import image_address_problem
from odoo.addons.otd_marketplace_stock.services.joblog import log_job_event
from odoo.addons.otd_marketplace_stock.services.product_import_odoo import (
    CategoryResolver,
    odoo_barcodes,
    odoo_codes,
)
from odoo.addons.otd_marketplace_stock.services.product_import_plan import price_extras
from odoo.addons.otd_marketplace_stock.services.product_import_result import ImportResult

_logger = logging.getLogger(__name__)

__all__ = ["ImportEngine", "PAGE_ROWS", "IMAGE_MAX_BYTES", "CREATE_CONTEXT", "product_values"]

#: rows a kept page (one create step) holds at most: 500 creates take about 1-2 s
PAGE_ROWS = 500
#: an image larger than this is not fetched (the row says so)
IMAGE_MAX_BYTES = 2 * 1024 * 1024
#: images fetched in one step at most, and seconds a step may spend on them
IMAGES_PER_STEP = 20
IMAGE_STEP_SECONDS = 8.0
#: seconds to wait for an image server to connect, and then between two parts of its answer
IMAGE_TIMEOUT = 10.0
#: how the products are created: no chatter message nor follower per product (50,000 of
#: them), as an import does; the bench compares Odoo's own create with the same context
CREATE_CONTEXT = {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True}


def product_values(entry, categ_id):
    """``product.product`` create values of a planned row (see product_import_plan.plan_row)."""
    goods = entry["kind"] == "goods"
    return {
        "name": entry["name"], "default_code": entry["sku"], "barcode": entry["barcode"] or False,
        "list_price": entry["list_price"], "standard_price": entry["standard_price"],
        "uom_id": entry["uom_id"], "categ_id": categ_id, "type": "consu" if goods else "service",
        "is_storable": goods, "weight": entry["weight"], "active": entry["active"],
    }


def _common_name(names):
    """The template's name: what the variants' names start with (whole words), else the first."""
    words = [name.split() for name in names]
    common = []
    for group in zip(*words):
        if len(set(group)) > 1:
            break
        common.append(group[0])
    return " ".join(common).strip(" -/,") or names[0]


class ImportEngine:
    """Steps of the product creation of ``job``."""

    def __init__(self, job, step_deadline=None):
        self.job = job
        # no step may run past it (time.monotonic()): Odoo's real-time limit, less its margin
        self.step_deadline = step_deadline
        self.env = job.env
        self.account = job.account_id
        self.notes = json.loads(job.sweep_notes or "{}")
        self.result = ImportResult.from_dict(json.loads(job.result)) if job.result else ImportResult()

    @property
    def finished(self):
        return self.job.sync_phase == "done"

    def step(self):
        started = time.monotonic()
        with self.env.cr.savepoint():
            getattr(self, f"_step_{self.job.sync_phase or 'start'}")()
        self.result.duration_s += time.monotonic() - started
        self.job.sudo().result = json.dumps(self.result.as_dict(), ensure_ascii=False)

    def _log(self, level, event, **values):
        log_job_event(_logger, level, self.job, event, **values)

    # -- 1. start --------------------------------------------------------------

    def _step_start(self):
        self.result.listed = self.job.skus_total
        self.job.sudo().sync_phase = "create_products"
        self._log(logging.INFO, "start", rows=self.job.skus_total, pages=self.job.pages_total)

    # -- 2. create ---------------------------------------------------------------

    def _creator_env(self):
        """Who creates: the person who pressed Create, whose right to create products was
        checked then (wizards/zortout_product_import.py), with the superuser's access, so that
        a run of the queue later creates the same as the request would have; the products
        name that person as their creator."""
        uid = self.notes.get("requested_by") or self.env.uid
        context = dict(self.env.context, **CREATE_CONTEXT, allowed_company_ids=[self.account.company_id.id])
        return self.env(user=uid, su=True, context=context)

    def _lock_guard(self):
        company_id = self.account.company_id.id
        self.env.cr.execute("SELECT id FROM res_company WHERE id = %s FOR NO KEY UPDATE", [company_id])
        self.env.cr.execute("UPDATE res_company SET zortout_products_created_at = now() AT TIME ZONE 'UTC' "
                            "WHERE id = %s", [company_id])

    def _step_create_products(self):
        page = self.env["marketplace.job.page"].sudo().search(
            [("job_id", "=", self.job.id), ("applied", "=", False)], order="number", limit=1)
        if not page:
            pending = self.notes.get("images_pending") or []
            self.job.sudo().sync_phase = "fetch_images" if pending else "done"
            if self.finished:
                self._log(logging.INFO, "created", created=self.result.created,
                          already=self.result.already_in_odoo, refused=self.result.create_refused)
            return
        entries = json.loads(page.rows)
        self._lock_guard()
        env = self._creator_env()
        lines = []
        existing = odoo_codes(env, self.account.company_id, [entry["sku"] for entry in entries])
        held = odoo_barcodes(env, [entry["barcode"] for entry in entries if entry["barcode"]])
        to_create = []
        for entry in entries:
            sku = entry["sku"]
            if sku in existing:
                state = self.env._("active") if existing[sku] else self.env._("archived")
                self.result.count("already_in_odoo", sku)
                lines.append(self._line(sku, "already_in_odoo", message=self.env._(
                    "An Odoo product (%(state)s) carries this SKU now: matched, not created.", state=state)))
            elif entry["barcode"] and entry["barcode"] in held:
                self.result.count("create_refused", sku)
                lines.append(self._line(sku, "create_refused", message=self.env._(
                    "Barcode %(barcode)s is on %(holder)s: not created.", barcode=entry["barcode"],
                    holder=held[entry["barcode"]])))
            else:
                to_create.append(entry)
        categories = CategoryResolver(env, env["product.category"].browse(self.notes.get("category_id")),
                                      self.notes.get("category_mode") == "zortout")
        created = self._create(env, to_create, categories, lines)
        self.result.categories_created += len(categories.created)
        if self.notes.get("images"):
            self.notes.setdefault("images_pending", []).extend(
                [product_id, url] for product_id, url in created if url)
        self._write_lines(lines)
        page.applied = True
        self.job.sudo().write({"skus_done": self.job.skus_done + len(entries), "sweep_notes": json.dumps(self.notes),
                               "pages_fetched": self.job.pages_fetched + 1})
        self.env.flush_all()
        self.env.invalidate_all()  # memory stays flat over 100 pages

    def _create(self, env, entries, categories, lines):
        """Create the products of ``entries``; returns [(product id, image URL)]."""
        plain, groups = [], {}
        for entry in entries:
            if entry.get("group") == "template":
                groups.setdefault(entry["variation_id"], []).append(entry)
            else:
                plain.append(entry)
        for members in groups.values():
            if len(members) < 2:
                plain.extend(members)  # its other variants were left out: a plain product
        created = []
        Product = env["product.product"]
        values = [product_values(entry, categories.resolve(entry["category"])) for entry in plain]
        try:
            with self.env.cr.savepoint():
                products = Product.create(values)
        except (UserError, ValidationError):
            products = None
        if products is None:
            # one row refused (a barcode taken in a way the check did not see): each on its own
            products = Product.browse()
            for entry, vals in zip(plain, values):
                try:
                    with self.env.cr.savepoint():
                        products |= Product.create(vals)
                except (UserError, ValidationError) as exc:
                    self.result.count("create_refused", entry["sku"])
                    lines.append(self._line(entry["sku"], "create_refused", message=str(exc.args[0])[:500]))
                    entry["_refused"] = True
            plain = [entry for entry in plain if not entry.get("_refused")]
        for entry, product in zip(plain, products):
            self.result.count("created", entry["sku"])
            lines.append(self._line(entry["sku"], "created", product.id, self._created_message(entry)))
            created.append((product.id, entry.get("image_url")))
        for members in groups.values():
            if len(members) >= 2:
                created += self._create_template(env, members, categories, lines)
        return created

    def _created_message(self, entry, template=None):
        notes = []
        if "unknown_unit" in entry.get("notes", ()):
            notes.append(self.env._('Zortout\'s unit "%(unit)s" is not an Odoo unit: created in Units.',
                                    unit=entry["unit_text"]))
        if "no_price" in entry.get("notes", ()):
            notes.append(self.env._("Zortout sent no readable sell price: 0."))
        if template:
            notes.append(self.env._("A variant of %(template)s.", template=template))
        return " ".join(notes) or False

    def _create_template(self, env, members, categories, lines):
        first = members[0]
        attribute_names = [option[0] for option in first["options"]]
        attributes = [self._attribute(env, name) for name in attribute_names]
        values = []  # per attribute: {value name: value record}
        for index, attribute in enumerate(attributes):
            names = list(dict.fromkeys(entry["options"][index][1] for entry in members))
            values.append({name: self._attribute_value(env, attribute, name) for name in names})
        base, extras = price_extras(members)
        goods = first["kind"] == "goods"
        template = env["product.template"].create({
            "name": _common_name([entry["name"] for entry in members]), "list_price": float(base),
            "uom_id": first["uom_id"], "categ_id": categories.resolve(first["category"]),
            "type": "consu" if goods else "service", "is_storable": goods,
            "attribute_line_ids": [Command.create({"attribute_id": attribute.id,
                                                   "value_ids": [Command.set([v.id for v in values[i].values()])]})
                                   for i, attribute in enumerate(attributes)],
        })
        for ptav in template.attribute_line_ids.product_template_value_ids:
            extra = extras.get((ptav.attribute_id.name, ptav.product_attribute_value_id.name))
            if extra:
                ptav.price_extra = extra
        by_combination = {}
        for variant in template.product_variant_ids:
            key = tuple(variant.product_template_attribute_value_ids.sorted(
                lambda ptav: attribute_names.index(ptav.attribute_id.name)).mapped("name"))
            by_combination[key] = variant
        created = []
        for entry in members:
            variant = by_combination.pop(tuple(option[1] for option in entry["options"]))
            variant.write({"default_code": entry["sku"], "barcode": entry["barcode"] or False,
                           "standard_price": entry["standard_price"], "weight": entry["weight"],
                           "active": entry["active"]})
            self.result.count("created", entry["sku"])
            self.result.variants += 1
            lines.append(self._line(entry["sku"], "created", variant.id,
                                    self._created_message(entry, template.name)))
            created.append((variant.id, entry.get("image_url")))
        # the combinations Zortout does not sell: Odoo made them, they go
        for variant in by_combination.values():
            variant._unlink_or_archive()
        self.result.templates += 1
        return created

    def _attribute(self, env, name):
        """Odoo's attribute of that name (case aside) that makes variants, else a new one: an
        attribute that makes none (or makes them on demand) could not hold Zortout's variants."""
        Attribute = env["product.attribute"]
        found = Attribute.search([("name", "ilike", name), ("create_variant", "=", "always")], order="id")
        found = found.filtered(lambda attribute: attribute.name.lower() == name.lower())[:1]
        return found or Attribute.create({"name": name, "create_variant": "always"})

    def _attribute_value(self, env, attribute, name):
        Value = env["product.attribute.value"]
        found = Value.search([("attribute_id", "=", attribute.id)], order="id").filtered(
            lambda value: value.name.lower() == name.lower())[:1]
        return found or Value.create({"attribute_id": attribute.id, "name": name})

    # -- 3. images ---------------------------------------------------------------

    def _step_fetch_images(self):
        pending = self.notes.get("images_pending") or []
        started = time.monotonic()
        done = 0
        env = self._creator_env()
        while pending and done < IMAGES_PER_STEP and time.monotonic() - started < IMAGE_STEP_SECONDS:
            if self._seconds_left() is not None and self._seconds_left() < 2 and done:
                break  # the next image waits for the next run
            product_id, url = pending.pop(0)
            product = env["product.product"].browse(product_id).exists()
            done += 1
            if not product:
                continue
            problem = self._fetch_image(product, url)
            if problem:
                self.result.count("image_failed", product.default_code or str(product.id))
                self._write_lines([self._line(product.default_code or "", "image_failed", product.id, problem)])
            else:
                self.result.images_done += 1
        self.notes["images_pending"] = pending
        values = {"sweep_notes": json.dumps(self.notes)}
        if not pending:
            values["sync_phase"] = "done"
        self.job.sudo().write(values)

    def _seconds_left(self):
        return None if self.step_deadline is None else self.step_deadline - time.monotonic()

    def _image_timeout(self):
        """The timeout of one image: the usual one, cut to half the step's time left."""
        left = self._seconds_left()
        return IMAGE_TIMEOUT if left is None else min(IMAGE_TIMEOUT, max(left, 1.0) / 2)

    def _image_address_message(self, problem, detail):
        detail = detail[:200]
        if problem == "not_web":
            return self.env._("The image address is not a web address: %(url)s", url=detail)
        if problem == "unresolved":
            return self.env._("The image's host %(host)s could not be found.", host=detail)
        return self.env._("The image address is on a private or local network (%(address)s): Odoo fetches images "
                          "from public addresses only.", address=detail)

    def _fetch_image(self, product, url):
        """Set the product's image from ``url``; returns None, or what went wrong (a message)."""
        problem = image_address_problem(url, urlsplit(self.account._zortout_base_url()).hostname)
        if problem:
            return self._image_address_message(*problem)
        try:
            # no redirect is followed: it could lead to an address the check above refuses
            with requests.get(url, timeout=self._image_timeout(), stream=True, allow_redirects=False) as answer:
                if answer.status_code != 200:
                    return self.env._("The image could not be fetched (HTTP %(status)s).", status=answer.status_code)
                data = b""
                for chunk in answer.iter_content(64 * 1024):
                    data += chunk
                    if len(data) > IMAGE_MAX_BYTES:
                        return self.env._("The image is larger than %(size)s MB: not fetched.",
                                          size=IMAGE_MAX_BYTES // (1024 * 1024))
        except requests.RequestException as exc:
            return self.env._("The image could not be fetched (%(error)s).", error=type(exc).__name__)
        try:
            with self.env.cr.savepoint():
                product.image_1920 = base64.b64encode(data)
                product.flush_recordset(["image_1920"])
        except (UserError, ValidationError, ValueError, OSError):
            return self.env._("The file at the image address is not an image Odoo can read.")
        return None

    # -- lines ---------------------------------------------------------------------

    def _line(self, sku, decision, product_id=None, message=None):
        return {"job_id": self.job.id, "account_id": self.account.id, "sku": sku, "product_id": product_id,
                "decision": decision, "zortout_quantity_missing": True, "message": message or False,
                "warehouse_code": self.notes.get("warehouse_code") or False}

    def _write_lines(self, lines):
        self.env["marketplace.job.line"]._insert_log(lines)
