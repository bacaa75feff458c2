"""Which Odoo location each Zortout warehouse of an account fills.

A pull sweeps every mapped warehouse (``warehousecode``) and sets the stock of
its location's tree to that warehouse's quantities. A location mapped inside
another mapped location (a shelf under the main stock) is its own warehouse's:
the outer mapping's tree leaves it out (see :meth:`_excluded_locations`).
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.otd_marketplace_stock.const import MAX_CODE_LENGTH


class MarketplaceWarehouseMapping(models.Model):
    _name = "marketplace.warehouse.mapping"
    _description = "Zortout Warehouse Mapping"
    _order = "account_id, sequence, id"
    _check_company_auto = True

    account_id = fields.Many2one("marketplace.account", "Account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    warehouse_code = fields.Char(
        "Zortout Warehouse Code", required=True,
        help="The warehouse's code in Zortout (e.g. W0001), as \"View Warehouse List\" shows it.")
    warehouse_name = fields.Char("Zortout Warehouse Name")
    location_id = fields.Many2one(
        "stock.location", "Stock Location", required=True, check_company=True, ondelete="restrict",
        domain="[('usage', '=', 'internal'), ('company_id', 'in', [company_id, False])]",
        help="The Odoo location (with its sub-locations) whose stock follows this Zortout warehouse.")

    _code_unique = models.Constraint(
        "UNIQUE(account_id, warehouse_code)",
        "Each Zortout warehouse can be mapped only once per account.")
    _location_unique = models.Constraint(
        "UNIQUE(account_id, location_id)",
        "Two Zortout warehouses cannot fill the same stock location: choose another location for one of them.")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("warehouse_code"):
                vals["warehouse_code"] = vals["warehouse_code"].strip()
        mappings = super().create(vals_list)
        mappings._post_on_account("added")
        return mappings

    def write(self, vals):
        if vals.get("warehouse_code"):
            vals["warehouse_code"] = vals["warehouse_code"].strip()
        result = super().write(vals)
        if {"warehouse_code", "location_id"} & set(vals):
            self._post_on_account("changed")
        return result

    def unlink(self):
        self._post_on_account("removed")
        return super().unlink()

    @api.constrains("warehouse_code")
    def _check_warehouse_code(self):
        for mapping in self:
            code = mapping.warehouse_code or ""
            if not code or any(char.isspace() for char in code) or len(code) > MAX_CODE_LENGTH:
                raise ValidationError(self.env._(
                    'The Zortout warehouse code "%(code)s" is not valid: a code has no spaces and at most '
                    '%(max)s characters.', code=code, max=MAX_CODE_LENGTH))

    @api.constrains("location_id")
    def _check_location_internal(self):
        for mapping in self:
            if mapping.location_id.usage != "internal":
                raise ValidationError(self.env._(
                    "%(location)s is not an internal location: Zortout's stock can only fill an internal "
                    "location.", location=mapping.location_id.display_name))

    @api.constrains("location_id", "account_id")
    def _check_one_filler(self):
        """No other active account fills this location, a location inside it or one around it."""
        self.account_id._check_one_filler()

    @api.depends("warehouse_code", "location_id")
    def _compute_display_name(self):
        for mapping in self:
            mapping.display_name = f"{mapping.warehouse_code or ''} → {mapping.location_id.display_name or ''}"

    def action_map(self):
        """The dialog's Map button (the record is saved first): back to the account form,
        reloaded, where the new line and "Will pull ..." show. Mapping a warehouse is
        choosing to pull per warehouse: an account of store-wide totals switches (the
        form and the chatter say so). Only who may save a mapping may press it."""
        self.check_access("write")
        self.account_id.filtered(lambda account: account.stock_scope != "warehouses").sudo().write(
            {"stock_scope": "warehouses"})
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def _excluded_locations(self):
        """The other mapped locations of the account that lie inside this mapping's
        location: their stock belongs to their own Zortout warehouse."""
        self.ensure_one()
        inner = self.account_id.warehouse_mapping_ids - self
        return inner.location_id.filtered(
            lambda location: location != self.location_id
            and location.parent_path.startswith(self.location_id.parent_path))

    def _post_on_account(self, change):
        """A line in the account's chatter: which warehouse fills which location is
        what decides the stock, so its history must be readable."""
        labels = {"added": self.env._("Warehouse mapping added: %s"),
                  "changed": self.env._("Warehouse mapping changed: %s"),
                  "removed": self.env._("Warehouse mapping removed: %s")}
        for mapping in self:
            mapping.account_id.sudo().message_post(body=labels[change] % mapping.display_name)
