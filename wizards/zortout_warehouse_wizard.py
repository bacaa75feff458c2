from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.otd_marketplace_stock import zortout


class ZortoutWarehouseWizard(models.TransientModel):
    _name = "zortout.warehouse.wizard"
    _description = "Zortout Warehouse List"

    account_id = fields.Many2one("marketplace.account", required=True, readonly=True)
    current_code = fields.Char(related="account_id.zortout_warehouse_code", string="Current Warehouse Code")
    line_ids = fields.One2many("zortout.warehouse.wizard.line", "wizard_id", "Warehouses", readonly=True)

    @api.model
    def create_for_account(self, account):
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
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Zortout Warehouses"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }


class ZortoutWarehouseWizardLine(models.TransientModel):
    _name = "zortout.warehouse.wizard.line"
    _description = "Zortout Warehouse"
    _order = "code"

    wizard_id = fields.Many2one("zortout.warehouse.wizard", required=True, ondelete="cascade")
    code = fields.Char(readonly=True)
    name = fields.Char("Warehouse Name", readonly=True)
    is_current = fields.Boolean(compute="_compute_is_current")

    @api.depends("code", "wizard_id.current_code")
    def _compute_is_current(self):
        for line in self:
            line.is_current = bool(line.code) and line.code == (line.wizard_id.current_code or "").strip()

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
            "account_id": account.id, "old_code": current, "new_code": self.code})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Change the Zortout Warehouse Code"),
            "res_model": change._name,
            "res_id": change.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }
