from odoo import api, models
from odoo.exceptions import ValidationError

from odoo.addons.otd_marketplace_stock.const import PARAM_BASE_URL
from odoo.addons.otd_marketplace_stock.services.base_url import base_url_problem


class IrConfigParameter(models.Model):
    """Only system administrators can write system parameters (base.group_system,
    see the model's access rules); here we also refuse a Zortout base URL that
    would send the API secret over plain http to another machine."""

    _inherit = "ir.config_parameter"

    @api.constrains("key", "value")
    def _check_zortout_base_url(self):
        for param in self.filtered(lambda p: p.key == PARAM_BASE_URL):
            problem = base_url_problem(self.env, param.value)
            if problem:
                raise ValidationError(problem)
