"""The addon's system parameters read as numbers, with their defaults (const.PARAM_DEFAULTS)."""

from odoo.addons.otd_marketplace_stock.const import PARAM_DEFAULTS

__all__ = ["param_value"]


def param_value(env, key):
    """The system parameter ``key`` as a number of its default's type; the default
    (const.PARAM_DEFAULTS) when it is unset or unreadable. Never negative."""
    default = PARAM_DEFAULTS[key]
    raw = env["ir.config_parameter"].sudo().get_param(key)
    if raw in (None, False, ""):
        return default
    try:
        return max(type(default)(float(raw)), 0)
    except (TypeError, ValueError):
        return default
