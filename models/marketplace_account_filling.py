"""One location, one filler: no two active accounts set the stock of the same locations.

Each pull sets the stock of its locations' trees to Zortout's quantities; two
accounts whose locations are the same, or one inside the other's, would each
overwrite the other's quantities at every pull. Saving an account's store-wide
Stock Location or a warehouse mapping that would do so is refused, naming the
account that fills the location already.
"""

from odoo import api, models
from odoo.exceptions import ValidationError

from odoo.addons.otd_marketplace_stock.const import UPGRADE_CONTEXT
from odoo.addons.otd_marketplace_stock.tools.job_message import SyncUserError


class MarketplaceAccountFilling(models.Model):
    _inherit = "marketplace.account"

    def _filled_locations(self):
        """The locations whose trees this account's pulls set: its mappings' locations when it
        pulls per warehouse, else its store-wide target location."""
        self.ensure_one()
        if self.stock_scope == "warehouses":
            return self.warehouse_mapping_ids.location_id
        try:
            return self._zortout_target_location()
        except SyncUserError:  # no location and no warehouse: it fills nothing yet
            return self.env["stock.location"]

    @api.constrains("stock_location_id", "stock_scope", "active", "company_id")
    def _check_one_filler(self):
        if self.env.context.get(UPGRADE_CONTEXT) or not self.pool.ready:
            # an upgrade (or a module's data) keeps what the database holds; the next save is checked
            return
        # sudo: another company's account filling a shared location counts too
        accounts = self.sudo().search([("active", "=", True)])
        for account in self.sudo().filtered("active"):
            mine = account._filled_locations()
            if not mine:
                continue
            for other in accounts - account:
                for theirs in other._filled_locations():
                    for location in mine:
                        relation = _relation(location, theirs)
                        if relation:
                            raise ValidationError(_overlap_message(self.env, relation, location, theirs, other))

    def copy_data(self, default=None):
        """A duplicate takes the connection, not the stock: it fills nothing until it is given
        a Stock Location or a warehouse mapping (the original's would be filled twice)."""
        default = dict(default or {})
        vals_list = super().copy_data(default)
        for vals in vals_list:
            if "warehouse_mapping_ids" not in default:
                vals.pop("warehouse_mapping_ids", None)
                if "zortout_warehouse_code" not in default:
                    vals.pop("zortout_warehouse_code", None)  # its inverse would map the code again
            if "stock_location_id" not in default:
                vals.update(stock_location_id=False, stock_scope=default.get("stock_scope", "warehouses"))
        return vals_list


def _relation(location, other):
    """"same", "inside" (``location`` lies inside ``other``), "contains", or None."""
    if location == other:
        return "same"
    if location.parent_path.startswith(other.parent_path):
        return "inside"
    if other.parent_path.startswith(location.parent_path):
        return "contains"
    return None


def _overlap_message(env, relation, location, theirs, account):
    names = {"location": location.display_name, "theirs": theirs.display_name, "account": account.display_name}
    if relation == "same":
        overlap = env._("%(location)s is already filled by the account %(account)s.", **names)
    elif relation == "inside":
        overlap = env._("%(location)s lies inside %(theirs)s, which the account %(account)s fills.", **names)
    else:
        overlap = env._("%(location)s contains %(theirs)s, which the account %(account)s fills.", **names)
    return overlap + " " + env._(
        "Two accounts that fill the same stock overwrite each other's quantities at every pull: choose a "
        "location outside the other account's.")
