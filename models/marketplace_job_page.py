from odoo import fields, models


class MarketplaceJobPage(models.Model):
    """One page of a sync's Zortout sweep, kept as it arrived.

    A sync that stops (time limit, dead worker) continues from its last kept
    page instead of reading Zortout again from page 1; the apply step marks a
    page applied in the same transaction as its stock changes.
    """

    _name = "marketplace.job.page"
    _description = "Marketplace Job Page"
    _order = "job_id, number"

    job_id = fields.Many2one("marketplace.job", required=True, ondelete="cascade", index=True)
    number = fields.Integer(required=True)
    sweep = fields.Integer(default=0, help="Which of the job's sweeps (one per Zortout warehouse) read the page.")
    rows = fields.Text(required=True, help="The page's rows as JSON: id, sku, producttype, stock, availablestock.")
    applied = fields.Boolean(default=False)
    # when Zortout was asked for the page: a row is applied only when no newer reading of its
    # product was applied at the location since (models/marketplace_stock_reading.py)
    read_at = fields.Datetime("Read from Zortout At", required=True, default=fields.Datetime.now)

    _job_number_unique = models.Constraint("UNIQUE(job_id, number)", "A job keeps each page once.")
