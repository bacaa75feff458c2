from odoo import fields, models


class ProductTemplate(models.Model):
    """The product form's "Zortout" button: what the syncs did with this product."""

    _inherit = "product.template"

    zortout_line_count = fields.Integer("Zortout Sync History", compute="_compute_zortout_line_count",
                                        groups="otd_marketplace_stock.group_marketplace_user")

    def _zortout_lines_domain(self):
        return [("product_id.product_tmpl_id", "in", self.ids)]

    def _compute_zortout_line_count(self):
        counts = dict(self.env["marketplace.job.line"]._read_group(
            self._zortout_lines_domain(), ["product_id.product_tmpl_id"], ["__count"]))
        for template in self:
            template.zortout_line_count = counts.get(template, 0)

    def action_view_zortout_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("otd_marketplace_stock.action_marketplace_job_line")
        action["domain"] = self._zortout_lines_domain()
        action["context"] = {}
        return action
