from odoo import fields, models


class MarketplaceAccount(models.Model):
    _name = "marketplace.account"
    _description = "Marketplace Account"

    name = fields.Char(required=True)
