"""What the job type "Create Products from Zortout" (job_types/product_import.py) adds to
the models: its steps and change lines' words, the company's import guard, the buttons of
its job form, and the account's button that opens the wizard."""

import json

from odoo import api, fields, models

from odoo.addons.otd_marketplace_stock.const import PRODUCT_IMPORT_JOB_TYPE
from odoo.addons.otd_marketplace_stock.tools.job_message import _lt, msg, stored_json

#: what a change line of this type says happened to its SKU
IMPORT_LINE_DECISIONS = [
    ("created", "Product created"),
    ("already_in_odoo", "Already in Odoo (matched)"),
    ("create_refused", "Not created"),
    ("image_failed", "Image not fetched"),
]


class MarketplaceJobLineProductImport(models.Model):
    _inherit = "marketplace.job.line"

    decision = fields.Selection(selection_add=IMPORT_LINE_DECISIONS,
                                ondelete={key: "cascade" for key, _label in IMPORT_LINE_DECISIONS})


class ResCompanyProductImport(models.Model):
    _inherit = "res.company"

    # stamped under the row's lock by each create step (services/product_import.py): two
    # imports of one company create one after the other, and the later one sees the products
    zortout_products_created_at = fields.Datetime("Zortout Products Last Created", readonly=True, copy=False)


class MarketplaceJobProductImport(models.Model):
    _inherit = "marketplace.job"

    sync_phase = fields.Selection(selection_add=[("create_products", "Creating products"),
                                                 ("fetch_images", "Fetching images")],
                                  ondelete={"create_products": "set default", "fetch_images": "set default"})
    origin = fields.Selection(selection_add=[("product_import", "Create Products")],
                              ondelete={"product_import": "set null"})
    created_product_count = fields.Integer("Created Products", compute="_compute_created_product_count")
    not_in_odoo_count = fields.Integer("SKUs Not in Odoo", compute="_compute_not_in_odoo_count")

    @api.depends("result")
    def _compute_not_in_odoo_count(self):
        """The pull's "SKU not in Odoo" count: its form offers Create Products from Zortout."""
        for job in self:
            data = stored_json(job.result) or {}
            skipped = data.get("skipped") if isinstance(data.get("skipped"), dict) else {}
            count = skipped.get("not_in_odoo") if job.job_type != PRODUCT_IMPORT_JOB_TYPE else 0
            job.not_in_odoo_count = count if isinstance(count, int) else 0

    def _compute_created_product_count(self):
        mine = self.filtered(lambda job: job.job_type == PRODUCT_IMPORT_JOB_TYPE and job.id)
        counts = dict(self.env["marketplace.job.line"]._read_group(
            [("job_id", "in", mine.ids), ("decision", "=", "created")], ["job_id"], ["__count"])) if mine else {}
        for job in self:
            job.created_product_count = counts.get(job, 0)

    def _kept_message(self):
        if self.job_type != PRODUCT_IMPORT_JOB_TYPE:
            return super()._kept_message()
        self.invalidate_recordset(["skus_done"])
        if self.skus_done:
            return msg(_lt("%(count)s rows were already done (their products stay created); a new try "
                           "continues from there."), count=self.skus_done)
        return msg(_lt("No product was created."))

    # ------------------------------------------------------------------ buttons

    def action_view_created_products(self):
        self.ensure_one()
        lines = self.env["marketplace.job.line"].search([("job_id", "=", self.id), ("decision", "=", "created")])
        domain = [("id", "in", lines.product_id.ids)]
        title = self.env._("Created Products")
        return {"type": "ir.actions.act_window", "name": title, "res_model": "product.product",
                "view_mode": "list,form", "domain": domain, "context": {"active_test": False}}

    def action_pull_stock_after_import(self):
        """ดึงสต็อกสินค้า: pull the stock of the account, now that its products exist."""
        self.ensure_one()
        return self.account_id.action_pull_stock()

    def action_create_products_from_result(self):
        """From a pull's "SKU not in Odoo": the wizard, for the same account and warehouse."""
        self.ensure_one()
        code = self.sync_warehouse_code if self.sweep_count <= 1 else False
        return self.env["zortout.product.import"]._open_for_account(self.account_id, code or "")

    def _new_import_job(self, account, pages, options, requested_by):
        """The job of a wizard's Create: its kept pages (lists of planned rows) and options."""
        job = self.create({"name": self.env._("Create Products from Zortout"), "account_id": account.id,
                           "job_type": PRODUCT_IMPORT_JOB_TYPE})
        rows = sum(len(page) for page in pages)
        self.env["marketplace.job.page"].sudo().create([
            {"job_id": job.id, "number": number, "sweep": 0, "rows": json.dumps(page, ensure_ascii=False)}
            for number, page in enumerate(pages, start=1)])
        job.sudo().write({"origin": "product_import", "skus_total": rows, "pages_total": len(pages),
                          "sweep_notes": json.dumps(dict(options, requested_by=requested_by))})
        return job


class MarketplaceAccountProductImport(models.Model):
    _inherit = "marketplace.account"

    def action_create_products_from_zortout(self):
        """สร้างสินค้าจาก Zortout: read Zortout's product list and list what Odoo lacks."""
        self.ensure_one()
        return self.env["zortout.product.import"]._open_for_account(self)
