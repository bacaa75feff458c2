"""Create Products from Zortout: the wizard that reads Zortout's product list, lists the
products whose SKU matches nothing in Odoo and what each would become, and queues
their creation as a job (models/marketplace_job_product_import.py)."""

import json
import logging
import time
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.otd_marketplace_stock import zortout
from odoo.addons.otd_marketplace_stock.const import PARAM_REQUEST_BUDGET
from odoo.addons.otd_marketplace_stock.services.product_import import PAGE_ROWS
from odoo.addons.otd_marketplace_stock.services.product_import_odoo import odoo_barcodes, odoo_codes, unit_names
from odoo.addons.otd_marketplace_stock.services.product_import_plan import (
    GROUP_NOTES,
    REFUSALS,
    check_barcodes,
    group_variations,
    plan_row,
    sweep_duplicate_skus,
)
from odoo.addons.otd_marketplace_stock.tools.access import check_named_accounts_readable
from odoo.addons.otd_marketplace_stock.tools.job_message import SyncUserError, render
from odoo.addons.otd_marketplace_stock.tools.params import param_value

_logger = logging.getLogger(__name__)

STORE_WIDE = "__store__"
#: what a person may give the wizard (its form's choices); what it read and planned is the code's
WIZARD_USER_FIELDS = frozenset({"account_id", "warehouse_code", "category_mode", "category_id", "fetch_images",
                                "filter_category", "filter_active", "filter_barcode", "line_ids"})
#: ...and a row: whether to create it (what it becomes is planned by the code)
LINE_USER_FIELDS = frozenset({"selected"})
_DECIMALS = ("sell_price", "purchase_price", "weight_g")


def _row_to_json(row):
    data = {name: getattr(row, name) for name in row.__slots__}
    for name in _DECIMALS:
        data[name] = None if data[name] is None else str(data[name])
    data["options"] = [list(option) for option in row.options]
    return data


def _row_from_json(data):
    values = dict(data)
    for name in _DECIMALS:
        values[name] = None if values[name] is None else Decimal(values[name])
    values["options"] = tuple(tuple(option) for option in values["options"])
    return zortout.CatalogueRow(**values)


class ZortoutProductImport(models.TransientModel):
    _name = "zortout.product.import"
    _description = "Create Products from Zortout"

    account_id = fields.Many2one("marketplace.account", "Account", required=True, readonly=True)
    warehouse_code = fields.Selection("_warehouse_choices", "Zortout Products Of", default=STORE_WIDE,
                                      help="Read the whole store, or the products of one mapped Zortout warehouse "
                                           "(a warehouse sweep lists only what that warehouse holds).")
    read_done = fields.Boolean("Read to the End", readonly=True)
    next_page = fields.Integer("Next Page to Read", default=1, readonly=True)
    pages_read = fields.Integer("Pages Read", readonly=True)
    zortout_count = fields.Integer("Products in Zortout", readonly=True)
    rows_json = fields.Text("Zortout Rows Read", readonly=True)
    matched_active = fields.Integer("Matched (active in Odoo)", readonly=True)
    matched_archived = fields.Integer("Matched (archived in Odoo)", readonly=True)
    matched_archived_skus = fields.Char("Archived in Odoo", readonly=True,
                                        help="SKUs that an archived Odoo product carries: nothing is created for "
                                             "them. Unarchive the product in Odoo for a pull to set its stock.")
    category_mode = fields.Selection([("zortout", "Zortout's category (matched by name, created when missing)"),
                                      ("fixed", "One category for all")], "Product Category", default="zortout",
                                     required=True)
    category_id = fields.Many2one("product.category", "Category", required=True,
                                  default=lambda self: self.env.ref("product.product_category_goods",
                                                                    raise_if_not_found=False)
                                  or self.env["product.category"].search([], limit=1),
                                  help="One category for all: this one. Zortout's category: the products without "
                                       "one go here, and the missing categories are created under it.")
    fetch_images = fields.Boolean("Fetch Main Images",
                                  help="Download each product's main image (imagepath) once, up to 2 MB each. A "
                                       "failure is reported on its row and never stops the creation.")
    filter_category = fields.Char("Zortout Category Contains")
    filter_active = fields.Selection([("all", "All"), ("active", "Active in Zortout"),
                                      ("archived", "Archived in Zortout")], "Zortout Status", default="all")
    filter_barcode = fields.Selection([("all", "All"), ("with", "With barcode"), ("without", "Without barcode")],
                                      "Barcode", default="all")
    line_ids = fields.One2many("zortout.product.import.line", "wizard_id", "Products")
    can_create = fields.Boolean(compute="_compute_can_create")
    count_new = fields.Integer("To Create", compute="_compute_counts")
    count_selected = fields.Integer("Ticked", compute="_compute_counts")
    count_refused = fields.Integer("Cannot Be Created", compute="_compute_counts")

    @api.depends("line_ids.selected", "line_ids.status")
    def _compute_counts(self):
        for wizard in self:
            lines = wizard.line_ids
            wizard.count_new = len(lines.filtered(lambda line: line.status == "new"))
            wizard.count_selected = len(lines.filtered(lambda line: line.selected and line.status == "new"))
            wizard.count_refused = len(lines) - wizard.count_new

    def _compute_can_create(self):
        can = all(self.env[model].has_access("create") for model in ("product.template", "product.product"))
        for wizard in self:
            wizard.can_create = can

    def _warehouse_choices(self):
        """The whole store, or a Zortout warehouse the account maps (the form's context names the
        account; without it, the codes of every mapping the user may read)."""
        account_id = self.env.context.get("default_account_id")
        domain = [("account_id", "=", account_id)] if account_id else []
        mappings = self.env["marketplace.warehouse.mapping"].search(domain, order="warehouse_code")
        return [(STORE_WIDE, self.env._("The whole store"))] + [
            (code, code) for code in dict.fromkeys(mappings.mapped("warehouse_code")) if code]

    @api.model_create_multi
    def create(self, vals_list):
        check_named_accounts_readable(self.env, vals_list)
        if not self.env.su:
            for vals in vals_list:
                _check_user_fields(self.env, vals, WIZARD_USER_FIELDS - {"line_ids"})
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            # the account is chosen once: a wizard read for one account never creates for another
            _check_user_fields(self.env, vals, WIZARD_USER_FIELDS - {"account_id"})
        return super().write(vals)

    # ------------------------------------------------------------------ reading

    @api.model
    def _open_for_account(self, account, warehouse_code=""):
        account.check_access("read")
        account._check_can_sync()
        wizard = self.with_context(default_account_id=account.id).create({
            "account_id": account.id, "warehouse_code": warehouse_code or STORE_WIDE})
        wizard._read_zortout()
        return wizard._reopen()

    def _reopen(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "views": [(False, "form")], "target": "new", "name": self.env._("Create Products from Zortout"),
                "context": {"default_account_id": self.account_id.id}}

    def _read_zortout(self):
        """Read Zortout's product list from the next page on, page by page (the pull's client:
        its retries, Retry-After and quota rules), until the list is complete or this request's
        time budget is spent (then Continue Reading goes on). Then plan the rows."""
        self.ensure_one()
        code = None if self.warehouse_code in (STORE_WIDE, False) else self.warehouse_code
        budget_end = time.monotonic() + param_value(self.env, PARAM_REQUEST_BUDGET)
        rows = json.loads(self.rows_json or "[]")
        page, done, count = self.next_page or 1, False, self.zortout_count
        try:
            with self.account_id._zortout_client() as client:
                while True:  # at least one page a request, then as many as the budget allows
                    result = client.fetch_catalogue_page(code, page)
                    rows.extend(_row_to_json(row) for row in result.rows)
                    count = result.count or len(rows)
                    if result.last:
                        done = True
                        break
                    page += 1
                    if time.monotonic() >= budget_end:
                        break
        except zortout.ZortoutOutOfTimeError as exc:
            # the pages read are kept: Continue Reading goes on from the next one
            _logger.info("zortout-import account=%s reading stopped at page %s: %s", self.account_id.id, page, exc)
        except zortout.ZortoutError as exc:
            message, _details = self.env["marketplace.job"].new({"account_id": self.account_id.id})._error_message(exc)
            raise UserError(render(self.env, message)) from None
        except SyncUserError as exc:
            raise UserError(render(self.env, exc.message)) from None
        # ``page``: the last page read when done, else the next one to read
        self.sudo().write({"rows_json": json.dumps(rows, ensure_ascii=False), "next_page": page,
                    "pages_read": page if done else page - 1, "read_done": done, "zortout_count": count})
        if done:
            self._plan()

    def action_continue_reading(self):
        self._read_zortout()
        return self._reopen()

    def action_read_again(self):
        self.sudo().line_ids.unlink()
        self.sudo().write({"rows_json": False, "next_page": 1, "pages_read": 0, "read_done": False})
        self._read_zortout()
        return self._reopen()

    def _plan(self):
        """List the rows whose SKU matches no Odoo product, with what each would become."""
        company = self.account_id.company_id
        by_id, rows = {}, []
        for data in json.loads(self.rows_json or "[]"):
            row = _row_from_json(data)
            if row.zortout_id is not None:
                if row.zortout_id in by_id:
                    rows[by_id[row.zortout_id]] = None  # served twice by shifting pages: the latest counts
                by_id[row.zortout_id] = len(rows)
            rows.append(row)
        rows = [row for row in rows if row is not None]
        duplicates = sweep_duplicate_skus(rows)
        codes = odoo_codes(self.env, company, {row.sku for row in rows if row.sku})
        names = unit_names(self.env)
        planned, lines = [], []
        for row in rows:
            if row.sku and row.sku in codes:
                continue
            if not row.sku or row.sku in duplicates:
                reason = "no_sku" if not row.sku else "duplicate_in_zortout"
                lines.append(self._line_values(plan_row(row, names), "refused", reason))
                continue
            planned.append(plan_row(row, names))
        refusals = check_barcodes(planned, odoo_barcodes(self.env, [entry["barcode"] for entry in planned
                                                                   if entry["barcode"]]))
        creatable = [entry for entry in planned if entry["sku"] not in refusals]
        group_variations(creatable, {row.variation_id for row in rows if row.variation_id and row.sku in codes})
        for entry in planned:
            reason, detail = refusals.get(entry["sku"], (None, None))
            lines.append(self._line_values(entry, "refused" if reason else "new", reason, detail))
        # sudo: the rows are the code's, a person only ticks them (see LINE_USER_FIELDS)
        self.sudo().line_ids.unlink()
        self.env["zortout.product.import.line"].sudo().create(lines)
        archived = sorted(sku for sku, active in codes.items() if not active)
        self.sudo().write({"matched_active": sum(1 for active in codes.values() if active),
                    "matched_archived": len(archived),
                    "matched_archived_skus": ", ".join(archived[:50]) + (" …" if len(archived) > 50 else "")})

    def _line_values(self, entry, status, reason=None, detail=None):
        why = False
        if reason:
            label = REFUSALS[reason]  # marked for translation where it is defined
            why = self.env._(label)
            if detail:
                why = f"{why}: {detail}"
        notes = []
        if "unknown_unit" in entry["notes"]:
            notes.append(self.env._('Unit "%(unit)s" unknown: Units', unit=entry["unit_text"]))
        if "no_price" in entry["notes"]:
            notes.append(self.env._("No readable sell price: 0"))
        if entry.get("group"):
            label = GROUP_NOTES[entry["group"]]
            notes.append(self.env._(label))
        return {"wizard_id": self.id, "status": status, "reason": why, "note": "; ".join(notes) or False,
                "selected": status == "new" and entry["active"], "sku": entry["sku"] or "", "name": entry["name"],
                "barcode": entry["barcode"] or False, "list_price": entry["list_price"],
                "standard_price": entry["standard_price"], "uom_id": entry["uom_id"],
                "unit_text": entry["unit_text"] or False, "zortout_category": entry["category"] or False,
                "kind": entry["kind"], "zortout_active": entry["active"], "weight": entry["weight"],
                "variation_id": entry["variation_id"] or 0,
                "entry_json": json.dumps(entry, ensure_ascii=False)}

    # ------------------------------------------------------------------ choosing

    def action_apply_filters(self):
        """Tick exactly the products that can be created and match the filters."""
        for line in self.line_ids:
            line.selected = line.status == "new" and line._matches(self)
        return self._reopen()

    def action_untick_all(self):
        self.line_ids.selected = False
        return self._reopen()

    # ------------------------------------------------------------------ creating

    def action_create(self):
        """Queue the creation of the ticked products as a job, and run it in this request for as
        long as its time budget allows; the job's form shows its progress and result."""
        self.ensure_one()
        if not self.read_done:
            raise UserError(self.env._("Zortout's product list is not read to the end yet: press Continue "
                                       "Reading first."))
        if not self.can_create:
            raise AccessError(self.env._(
                "Creating products needs the right to create products in Odoo (the Product: Create access "
                "right of the user). Ask someone who has it to press Create."))
        lines = self.line_ids.filtered(lambda line: line.selected and line.status == "new")
        if not lines:
            raise UserError(self.env._("Tick at least one product to create."))
        entries = [json.loads(line.entry_json) for line in lines.sorted("id")]
        job = self.env["marketplace.job"]._new_import_job(self.account_id, _pages(entries), {
            "category_mode": self.category_mode, "category_id": self.category_id.id, "images": self.fetch_images,
            "warehouse_code": "" if self.warehouse_code == STORE_WIDE else self.warehouse_code,
        }, self.env.uid)
        job._run_in_request()
        return job._action_open_form()


def _pages(entries):
    """The rows in pages of at most PAGE_ROWS, the variants of one template on one page."""
    units, groups = [], {}
    for entry in entries:
        if entry.get("group") == "template":
            if entry["variation_id"] not in groups:
                groups[entry["variation_id"]] = []
                units.append(groups[entry["variation_id"]])
            groups[entry["variation_id"]].append(entry)
        else:
            units.append([entry])
    pages, page = [], []
    for unit in units:
        if page and len(page) + len(unit) > PAGE_ROWS:
            pages.append(page)
            page = []
        page.extend(unit)
    if page:
        pages.append(page)
    return pages


class ZortoutProductImportLine(models.TransientModel):
    _name = "zortout.product.import.line"
    _description = "Create Products from Zortout: Product"
    _order = "id"

    wizard_id = fields.Many2one("zortout.product.import", required=True, ondelete="cascade", index=True)
    selected = fields.Boolean("Create")
    status = fields.Selection([("new", "To create"), ("refused", "Cannot be created")], readonly=True)
    reason = fields.Char("Why Not", readonly=True)
    note = fields.Char("Note", readonly=True)
    sku = fields.Char("SKU → Internal Reference", readonly=True)
    name = fields.Char(readonly=True)
    barcode = fields.Char(readonly=True)
    list_price = fields.Float("Sales Price", readonly=True, digits="Product Price")
    standard_price = fields.Float("Cost", readonly=True, digits="Product Price")
    unit_text = fields.Char("Zortout Unit", readonly=True)
    uom_id = fields.Many2one("uom.uom", "Unit", readonly=True)
    zortout_category = fields.Char("Zortout Category", readonly=True)
    category_display = fields.Char("Product Category", compute="_compute_category_display")
    kind = fields.Selection([("goods", "Goods (storable)"), ("service", "Service")], "Product Type", readonly=True)
    zortout_active = fields.Boolean("Active in Zortout", readonly=True)
    weight = fields.Float("Weight (kg)", readonly=True)
    variation_id = fields.Integer("Zortout Variation", readonly=True)
    entry_json = fields.Text("What Is Created", readonly=True)

    def write(self, vals):
        if not self.env.su:
            _check_user_fields(self.env, vals, LINE_USER_FIELDS)
        return super().write(vals)

    @api.depends("zortout_category", "wizard_id.category_mode", "wizard_id.category_id")
    def _compute_category_display(self):
        for line in self:
            wizard = line.wizard_id
            if wizard.category_mode == "zortout" and line.zortout_category:
                line.category_display = line.zortout_category
            else:
                line.category_display = wizard.category_id.display_name

    def _matches(self, wizard):
        if wizard.filter_category and (wizard.filter_category.strip().lower()
                                       not in (self.zortout_category or "").lower()):
            return False
        if wizard.filter_active == "active" and not self.zortout_active:
            return False
        if wizard.filter_active == "archived" and self.zortout_active:
            return False
        if wizard.filter_barcode == "with" and not self.barcode:
            return False
        if wizard.filter_barcode == "without" and self.barcode:
            return False
        return True


def _check_user_fields(env, vals, allowed):
    """Refuse values a person may not give over RPC: what Zortout answered and what the plan made
    of it decide what is created, with the superuser's access (services/product_import.py)."""
    refused = sorted(set(vals) - allowed)
    if refused:
        raise AccessError(env._("Only Create Products from Zortout itself sets %(fields)s; a person chooses "
                                "the account, the warehouse, the defaults, the filters and the rows to create.",
                                fields=", ".join(refused)))
