from odoo import api, fields, models


class ZortoutWarehouseCodeChange(models.TransientModel):
    """Asks before an account that has pulled stock switches to another Zortout warehouse:
    the next pull sets every product at the stock location to the new warehouse's quantities."""

    _name = "zortout.warehouse.code.change"
    _description = "Change the Zortout Warehouse Code"

    account_id = fields.Many2one("marketplace.account", required=True, readonly=True)
    old_code = fields.Char("Current Warehouse Code", readonly=True)
    new_code = fields.Char("New Warehouse Code", required=True, readonly=True)
    explanation = fields.Text(compute="_compute_explanation")
    # the list it was opened from: Cancel goes back there
    wizard_id = fields.Many2one("zortout.warehouse.wizard", readonly=True, ondelete="cascade")

    @api.depends("account_id", "old_code", "new_code")
    def _compute_explanation(self):
        for change in self:
            account = change.account_id
            location = account._zortout_target_location().display_name if account else ""
            change.explanation = self.env._(
                "%(account)s has pulled stock from warehouse %(old)s. After the change, the next pull sets the "
                "stock of every product at %(location)s to what warehouse %(new)s holds: products that %(new)s "
                "does not hold go to 0. A preview lists every change without making it.",
                account=account.display_name, old=change.old_code or self.env._("(store-wide totals)"),
                location=location, new=change.new_code)

    def action_change_and_preview(self):
        self.ensure_one()
        self._change()
        return self.account_id.action_preview_stock()

    def action_change(self):
        self.ensure_one()
        self._change()
        return {"type": "ir.actions.act_window_close"}

    def action_cancel(self):
        """Cancel: the code stays; back to Zortout's warehouse list when it opened this."""
        self.ensure_one()
        if self.wizard_id:
            return self.wizard_id._action_open()
        return {"type": "ir.actions.act_window_close"}

    def _change(self):
        self.account_id.write({"zortout_warehouse_code": self.new_code})
