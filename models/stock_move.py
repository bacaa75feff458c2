from odoo import fields, models


class StockMove(models.Model):
    """An inventory adjustment made by a Zortout pull knows its job (and the job its moves)."""

    _inherit = "stock.move"

    marketplace_job_id = fields.Many2one("marketplace.job", "Zortout Job", readonly=True, copy=False,
                                         index="btree_not_null", ondelete="set null")


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    marketplace_job_id = fields.Many2one(related="move_id.marketplace_job_id", string="Zortout Job")
