"""The newest Zortout reading applied to each product at each location.

A sync keeps what it read from Zortout on its pages, each stamped with the time
it was read, and may apply them minutes later (a pull spread over several runs)
while an instant sync applies a fresher reading of the same product meanwhile.
Before a row changes stock, the apply step records its reading here, under the
row lock of the product at that location, and learns in the same statement
whether a newer one was applied already: then the older row is not applied
("newest reading wins"). Only the sync writes this table (in SQL, with the
quants it locks: services/readings.py); people read it, never write it.
"""

from odoo import fields, models


class MarketplaceStockReading(models.Model):
    _name = "marketplace.stock.reading"
    _description = "Zortout Reading Applied"
    _log_access = False
    _order = "read_at desc, id desc"

    location_id = fields.Many2one("stock.location", "Location", required=True, ondelete="cascade", index=True)
    product_id = fields.Many2one("product.product", "Product", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", "Company", required=True, ondelete="cascade", index=True)
    read_at = fields.Datetime("Read from Zortout At", required=True)
    job_id = fields.Many2one("marketplace.job", "Job", ondelete="set null")

    _location_product_unique = models.Constraint(
        "UNIQUE(location_id, product_id)", "A location keeps one newest reading per product.")
