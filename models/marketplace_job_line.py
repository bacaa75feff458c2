from odoo import api, fields, models

from odoo.addons.otd_marketplace_stock.const import LINE_DECISIONS


class MarketplaceJobLine(models.Model):
    """What one sync did with one SKU: the answer to "why did SKU X (not) update?".

    A sync writes a line for every SKU it changed (or, in a preview, would
    change) and for every SKU it skipped, unless the SKU's latest line on the
    account already says the same skip. Unchanged SKUs are counts on the job.
    """

    _name = "marketplace.job.line"
    _description = "Marketplace Job Change Line"
    _order = "id desc"
    _rec_name = "sku"

    job_id = fields.Many2one("marketplace.job", "Job", required=True, ondelete="cascade", index=True)
    account_id = fields.Many2one("marketplace.account", "Account", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="job_id.company_id")
    sku = fields.Char("SKU", required=True)
    product_id = fields.Many2one("product.product", "Product", ondelete="set null", index="btree_not_null")
    zortout_quantity = fields.Float("Zortout Quantity", digits="Product Unit")
    # Zortout gave no quantity (it does not know the SKU, or sent none): the column shows empty, not 0
    zortout_quantity_missing = fields.Boolean("No Zortout Quantity")
    warehouse_code = fields.Char("Zortout Warehouse", help="The Zortout warehouse whose sweep wrote this line; "
                                                           "empty for store-wide totals.")
    location_id = fields.Many2one("stock.location", "Location", ondelete="set null", index="btree_not_null",
                                  help="The Odoo location whose stock this line is about.")
    quantity_before = fields.Float("On Hand Before", digits="Product Unit")
    quantity_after = fields.Float("On Hand After", digits="Product Unit")
    decision = fields.Selection(LINE_DECISIONS, required=True, index=True)
    message = fields.Char("Odoo's Message")
    move_id = fields.Many2one("stock.move", "Stock Move", ondelete="set null")
    create_date = fields.Datetime("When", readonly=True)

    _account_sku_index = models.Index("(account_id, sku, id)")

    #: the columns the sync fills; the others are Odoo's own (create/write uid and date)
    _LOG_COLUMNS = ("job_id", "account_id", "sku", "product_id", "decision", "zortout_quantity",
                    "zortout_quantity_missing", "quantity_before", "quantity_after", "move_id", "message",
                    "warehouse_code", "location_id")
    _LOG_EMPTY = {"zortout_quantity": 0.0, "quantity_before": 0.0, "quantity_after": 0.0,
                  "zortout_quantity_missing": False}

    @api.model
    def _insert_log(self, values_list):
        """Insert the sync's lines, given as ``create`` values of ``_LOG_COLUMNS``, in one
        statement. The lines are a log that only the sync writes, with plain columns and
        nothing computed: the ORM's create would cost about 0.2 ms a line, a few percent
        of a sync that changes thousands of SKUs."""
        if not values_list:
            return
        now, uid = self.env.cr.now(), self.env.uid
        params = []
        for values in values_list:
            for name in self._LOG_COLUMNS:
                value = values.get(name, False)
                # False is "empty" in create values: NULL, or 0 for the quantities as the ORM stores them
                params.append(self._LOG_EMPTY.get(name) if value is False or value is None else value)
            params += [uid, now, uid, now]
        row = "(" + ", ".join(["%s"] * (len(self._LOG_COLUMNS) + 4)) + ")"
        self.env.cr.execute(
            f"INSERT INTO marketplace_job_line ({', '.join(self._LOG_COLUMNS)}, create_uid, create_date, write_uid,"
            f" write_date) VALUES {', '.join([row] * len(values_list))}", params)
        # a job's lines may be in the cache (its Changes tab); they are read again when asked for
        self.env["marketplace.job"].invalidate_model(["line_ids"])

    @api.model
    def _latest_decisions(self, account, skus, location=None):
        """{sku: decision of its latest line on ``account``} for ``skus``; with ``location``,
        of its latest line at that location (or of a line written before lines named one)."""
        if not skus:
            return {}
        self.flush_model(["account_id", "sku", "decision", "location_id"])
        self.env.cr.execute("""
            SELECT DISTINCT ON (sku) sku, decision FROM marketplace_job_line
             WHERE account_id = %s AND sku = ANY(%s)
               AND (%s IS NULL OR location_id IS NULL OR location_id = %s)
          ORDER BY sku, id DESC
        """, [account.id, list(skus), location.id if location else None, location.id if location else None])
        return dict(self.env.cr.fetchall())

    def action_open_job(self):
        self.ensure_one()
        return self.job_id._action_open_form()
