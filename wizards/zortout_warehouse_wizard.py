from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.otd_marketplace_stock import zortout
from odoo.addons.otd_marketplace_stock.tools.access import check_named_accounts_readable
from odoo.addons.otd_marketplace_stock.tools.actions import open_in_dialog


class ZortoutWarehouseWizard(models.TransientModel):
    _name = "zortout.warehouse.wizard"
    _description = "Zortout Warehouse List"

    account_id = fields.Many2one("marketplace.account", required=True, readonly=True)
    current_code = fields.Char(related="account_id.zortout_warehouse_code", string="Current Warehouse Code")
    stock_scope = fields.Selection(related="account_id.stock_scope")
    mapping_count = fields.Integer(compute="_compute_mapping_count")
    line_ids = fields.One2many("zortout.warehouse.wizard.line", "wizard_id", "Warehouses", readonly=True)

    @api.depends("account_id.warehouse_mapping_ids")
    def _compute_mapping_count(self):
        for wizard in self:
            wizard.mapping_count = len(wizard.account_id.warehouse_mapping_ids)

    @api.model_create_multi
    def create(self, vals_list):
        # a user may open the list of an account they may read only
        check_named_accounts_readable(self.env, vals_list)
        return super().create(vals_list)

    @api.model
    def _create_for_account(self, account):
        """Read Zortout's warehouses for ``account`` and open the list."""
        try:
            with account._zortout_client(max_retries=1) as client:
                warehouses = client.list_warehouses()
        except zortout.ZortoutError as exc:
            raise UserError(account._zortout_message(exc)) from None
        wizard = self.create({
            "account_id": account.id,
            "line_ids": [fields.Command.create({"code": w.code, "name": w.name}) for w in warehouses],
        })
        return wizard._action_open()

    def _action_open(self):
        """The list, in a dialog (also to come back to it from the dialogs it opens)."""
        return open_in_dialog(self, self.env._("Zortout Warehouses"))


class ZortoutWarehouseWizardLine(models.TransientModel):
    _name = "zortout.warehouse.wizard.line"
    _description = "Zortout Warehouse"
    _order = "code"

    wizard_id = fields.Many2one("zortout.warehouse.wizard", required=True, ondelete="cascade")
    code = fields.Char(readonly=True)
    name = fields.Char("Warehouse Name", readonly=True)
    is_current = fields.Boolean(compute="_compute_mapping")
    mapped_location_id = fields.Many2one("stock.location", "Mapped To", compute="_compute_mapping")
    # the dialog of "Map to a Location": the line itself, so that its Discard can go back to the list
    account_id = fields.Many2one(related="wizard_id.account_id", string="Account")
    company_id = fields.Many2one(related="wizard_id.account_id.company_id")
    warehouse_code = fields.Char(related="code", string="Zortout Warehouse Code")
    warehouse_name = fields.Char(related="name", string="Zortout Warehouse Name")
    location_id = fields.Many2one(
        "stock.location", "Stock Location",
        domain="[('usage', '=', 'internal'), ('company_id', 'in', [company_id, False])]",
        help="The Odoo location this Zortout warehouse fills.")

    @api.depends("code", "wizard_id.account_id.warehouse_mapping_ids")
    def _compute_mapping(self):
        for line in self:
            mapping = line.wizard_id.account_id.warehouse_mapping_ids.filtered_domain(
                [("warehouse_code", "=", line.code)])[:1]
            line.mapped_location_id = mapping.location_id
            line.is_current = bool(mapping)

    def action_add_mapping(self):
        """Map this Zortout warehouse to an Odoo location: a small form, prefilled. It is this
        line's own form, so that its Discard brings the list back (see action_back_to_list)."""
        self.ensure_one()
        if not self.location_id:
            self.location_id = self._proposed_location()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Map Zortout Warehouse %s", self.code),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(self.env.ref("otd_marketplace_stock.view_zortout_warehouse_wizard_line_map_form").id, "form")],
            "target": "new",
        }

    def action_map(self):
        """Map: save the mapping, back to the account form (reloaded), which shows it."""
        self.ensure_one()
        if not self.location_id:
            raise UserError(self.env._("Choose the Odoo location that Zortout warehouse %s fills.", self.code))
        mapping = self.env["marketplace.warehouse.mapping"].create({
            "account_id": self.wizard_id.account_id.id, "warehouse_code": self.code,
            "warehouse_name": self.name, "location_id": self.location_id.id})
        return mapping.action_map()

    def action_back_to_list(self):
        """Discard of the mapping dialog, Cancel of the change dialog: back to Zortout's list."""
        self.ensure_one()
        return self.wizard_id._action_open()

    def _proposed_location(self):
        """Where this Zortout warehouse most likely goes: the stock location of the Odoo
        warehouse with the same short name (the users' guide sets them alike), else, for
        an account that maps nothing yet, its Stock Location."""
        account = self.wizard_id.account_id
        namesake = account._namesake_location(self.code)
        if namesake:
            return namesake
        if not account.warehouse_mapping_ids:
            return account._zortout_target_location()
        return self.env["stock.location"]

    def action_use_code(self):
        """Use this code: write it as the account's Zortout warehouse code. An account that
        has pulled stock with another code is asked first (the next pull changes a lot)."""
        self.ensure_one()
        account = self.wizard_id.account_id
        current = (account.zortout_warehouse_code or "").strip()
        if current == self.code:
            return {"type": "ir.actions.act_window_close"}
        if not account.last_sync_at:
            account.write({"zortout_warehouse_code": self.code})
            return {"type": "ir.actions.act_window_close"}
        change = self.env["zortout.warehouse.code.change"].create({
            "account_id": account.id, "old_code": current, "new_code": self.code, "wizard_id": self.wizard_id.id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Change the Zortout Warehouse Code"),
            "res_model": change._name,
            "res_id": change.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }
