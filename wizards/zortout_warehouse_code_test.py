from odoo import fields, models

from odoo.addons.otd_marketplace_stock.tools.actions import open_in_dialog


class ZortoutWarehouseCodeTest(models.TransientModel):
    """What Test Warehouse Code found, in a dialog that stays until it is closed:
    a summary and one line per Zortout warehouse a pull reads."""

    _name = "zortout.warehouse.code.test"
    _description = "Warehouse Code Test"

    account_id = fields.Many2one("marketplace.account", "Account", required=True, readonly=True,
                                 ondelete="cascade")
    outcome = fields.Selection([("ok", "Usable"), ("problem", "Not usable"), ("nothing", "Nothing to test")],
                               "Outcome", required=True, readonly=True)
    summary = fields.Text("Summary", readonly=True)
    line_ids = fields.One2many("zortout.warehouse.code.test.line", "test_id", "Warehouses", readonly=True)

    def _action_open(self):
        return open_in_dialog(self, self.env._("Warehouse Code Test"))


class ZortoutWarehouseCodeTestLine(models.TransientModel):
    _name = "zortout.warehouse.code.test.line"
    _description = "Warehouse Code Test Line"
    _order = "sequence, id"

    test_id = fields.Many2one("zortout.warehouse.code.test", required=True, ondelete="cascade")
    sequence = fields.Integer()
    code = fields.Char("Zortout Warehouse Code", readonly=True)
    name = fields.Char("Zortout Warehouse Name", readonly=True)
    location = fields.Char("Stock Location", readonly=True)
    result = fields.Char("Result", readonly=True)
    usable = fields.Boolean(readonly=True)
