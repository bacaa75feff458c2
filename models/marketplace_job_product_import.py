"""The job type "Create Products from Zortout": its runner, its result and its outcome line.

Everything of the type is here (and in services/product_import*.py): the queue runs
``_run_create_products_from_zortout`` for it, as it runs ``_run_<job_type>`` for any
type; the state changes that read a result ask this module for this type's.
"""

import json
import logging

from markupsafe import Markup

from odoo import api, fields, models

from odoo.addons.otd_marketplace_stock.services.joblog import log_job_event
from odoo.addons.otd_marketplace_stock.services.product_import import ImportEngine
from odoo.addons.otd_marketplace_stock.tools.job_message import _lt, msg, stored_json

from .marketplace_job_runner import STEP_CONFLICT_RETRIES
from .marketplace_job_state import CONCURRENCY_ERRORS

_logger = logging.getLogger(__name__)

PRODUCT_IMPORT_JOB_TYPE = "create_products_from_zortout"
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

    job_type = fields.Selection(selection_add=[(PRODUCT_IMPORT_JOB_TYPE, "Create Products from Zortout")],
                                ondelete={PRODUCT_IMPORT_JOB_TYPE: "cascade"})
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

    # ------------------------------------------------------------------ runner

    def _run_create_products_from_zortout(self, checkpoint, step_deadline=None):
        """Steps of the product creation until done (returns its ImportResult) or until the
        time is up (returns None). No Zortout call: the rows were read by the wizard."""
        engine = ImportEngine(self, step_deadline)
        conflicts = 0
        while not engine.finished:
            try:
                engine.step()
            except CONCURRENCY_ERRORS:
                if not self.env.context.get("marketplace_fresh_snapshots") or conflicts >= STEP_CONFLICT_RETRIES:
                    raise
                # another import of the company created meanwhile: again, on a fresh snapshot that sees it
                conflicts += 1
                self.env.cr.rollback()
                self.env.invalidate_all()
                log_job_event(_logger, logging.INFO, self, "conflict", phase=self.sync_phase, again=conflicts)
                engine = ImportEngine(self, step_deadline)
                continue
            if engine.finished:
                break
            if checkpoint() <= 0:
                return None
        return engine.result

    # ------------------------------------------------------------------ outcome

    def _set_done(self, result):
        if self.job_type != PRODUCT_IMPORT_JOB_TYPE:
            return super()._set_done(result)
        self.sudo().write({"state": "done", "finished_at": fields.Datetime.now(), **self._error_values()})
        self.sudo().page_ids.unlink()
        log_job_event(_logger, logging.INFO, self, "done", created=result.created, templates=result.templates,
                      already=result.already_in_odoo, refused=result.create_refused,
                      image_failed=result.image_failed, duration_s=round(result.duration_s, 3))

    def _kept_message(self):
        if self.job_type != PRODUCT_IMPORT_JOB_TYPE:
            return super()._kept_message()
        self.invalidate_recordset(["skus_done"])
        if self.skus_done:
            return msg(_lt("%(count)s rows were already done (their products stay created); a new try "
                           "continues from there."), count=self.skus_done)
        return msg(_lt("No product was created."))

    def _outcome_of_result(self, data):
        if data.get("job_type") != PRODUCT_IMPORT_JOB_TYPE:
            return super()._outcome_of_result(data)
        counts = {key: data.get(key) if isinstance(data.get(key), int) else 0
                  for key in ("created", "already_in_odoo", "create_refused", "image_failed")}
        outcome = self.env._("Created %(created)s · already in Odoo %(already_in_odoo)s · not created "
                             "%(create_refused)s", **counts)
        if counts["image_failed"]:
            outcome += " · " + self.env._("images not fetched: %(count)s", count=counts["image_failed"])
        return outcome

    @api.depends("result", "error")
    @api.depends_context("lang")
    def _compute_result_summary(self):
        mine = self.filtered(lambda job: job.job_type == PRODUCT_IMPORT_JOB_TYPE)
        super(MarketplaceJobProductImport, self - mine)._compute_result_summary()
        for job in mine:
            data = stored_json(job.result)
            if not data:
                job.result_summary = False
                continue
            try:
                job.result_summary = self.env["ir.qweb"]._render(
                    "otd_marketplace_stock.product_import_result_summary",
                    {"data": data, "samples": data.get("samples") or {}})
            except Exception:  # noqa: BLE001 - a result the template cannot read is shown as unreadable
                _logger.warning("zortout-sync job=%s result could not be shown", job.reference, exc_info=True)
                job.result_summary = Markup("<p>%s</p>") % self.env._("This result cannot be shown.")

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
