"""Which Zortout warehouses an account pulls, into which Odoo locations.

Per Zortout warehouse (the default), each mapping line (marketplace.warehouse.mapping)
names a Zortout warehouse code and the Odoo location it fills; "store-wide totals"
sums every Zortout warehouse into the account's Stock Location, as an explicit
choice the form states. :meth:`_zortout_sync_targets` turns this into the sweeps
of a pull (services/sync_engine.py).
"""

import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.otd_marketplace_stock import zortout
from odoo.addons.otd_marketplace_stock.const import MAX_CODE_LENGTH, UPGRADE_CONTEXT
from odoo.addons.otd_marketplace_stock.tools.job_message import SyncUserError, _lt, msg

_logger = logging.getLogger(__name__)


class MarketplaceAccountWarehouses(models.Model):
    _inherit = "marketplace.account"

    stock_scope = fields.Selection(
        [("warehouses", "Per Zortout warehouse"), ("store_total", "Store-wide totals into one location")],
        "Zortout Stock", required=True, default="warehouses", tracking=True,
        help="Per Zortout warehouse: each mapped Zortout warehouse fills its own Odoo location. Store-wide "
             "totals: the sum over every Zortout warehouse (returns and defects included) fills the Stock "
             "Location.")
    warehouse_mapping_ids = fields.One2many("marketplace.warehouse.mapping", "account_id", "Warehouse Mappings",
                                            copy=True)
    # the mapped codes in one line; writing one code (a script, the guide's single-warehouse set-up)
    # maps that code to the Stock Location (see _inverse_zortout_warehouse_code)
    zortout_warehouse_code = fields.Char(
        "Zortout Warehouse Code", compute="_compute_zortout_warehouse_code",
        inverse="_inverse_zortout_warehouse_code", store=True, readonly=False, tracking=True,
        help="The mapped Zortout warehouse codes. Setting one code maps it to the Stock Location.")
    # left by the upgrade from version 1.1 (migrations/): decided at the account's next pull
    legacy_short_name_pending = fields.Boolean(
        "Warehouse Confirmed at the Next Pull", readonly=True, copy=False,
        help="Version 1.1 pulled this account from the Zortout warehouse whose code is the short name of its "
             "location's Odoo warehouse, when Zortout had one. The next pull asks Zortout: the account then maps "
             "that warehouse, or keeps store-wide totals (the chatter says which).")
    legacy_warehouse_code = fields.Char(
        "Former Warehouse Code (not valid)", readonly=True, copy=False,
        help="The Zortout warehouse code of version 1.1, which the mapping rules refuse (a space, or too long): "
             "map the right code by hand.")
    # the store's warehouse codes as the last GetWarehouses gave them: instant syncs check their
    # codes against these instead of calling GetWarehouses after every sale
    zortout_known_codes = fields.Char("Zortout Warehouse Codes Seen", readonly=True, copy=False)
    pull_plan = fields.Char("What a Pull Does", compute="_compute_pull_plan")
    pull_plan_problem = fields.Char(compute="_compute_pull_plan")

    @api.depends("warehouse_mapping_ids.warehouse_code", "warehouse_mapping_ids.sequence")
    def _compute_zortout_warehouse_code(self):
        for account in self:
            account.zortout_warehouse_code = ", ".join(
                account.warehouse_mapping_ids.sorted(lambda mapping: (mapping.sequence, mapping.id))
                .mapped("warehouse_code")) or False

    def _inverse_zortout_warehouse_code(self):
        """One code written on the account: the single-warehouse set-up of the users'
        guide. It maps that code to the Stock Location (or renames the one mapping);
        an empty code removes the one mapping. An account with several mappings is
        changed in its mapping list only."""
        for account in self:
            code = (account.zortout_warehouse_code or "").strip()
            mappings = account.warehouse_mapping_ids
            if code == ", ".join(mappings.mapped("warehouse_code")):
                continue
            if len(mappings) > 1:
                raise UserError(self.env._(
                    "%(account)s maps several Zortout warehouses (%(codes)s): change them in its list of "
                    "warehouse mappings.", account=account.display_name,
                    codes=", ".join(mappings.mapped("warehouse_code"))))
            if not code:
                mappings.unlink()
            elif mappings:
                mappings.warehouse_code = code
            else:
                self.env["marketplace.warehouse.mapping"].create({
                    "account_id": account.id, "warehouse_code": code,
                    "location_id": account._zortout_target_location().id})
                account.stock_scope = "warehouses"

    def write(self, vals):
        # the guide's single-warehouse set-up: moving the account's Stock Location moves its one mapping too
        follow = self.browse()
        if "stock_location_id" in vals and "warehouse_mapping_ids" not in vals:
            follow = self.filtered(lambda account: len(account.warehouse_mapping_ids) == 1
                                   and account.warehouse_mapping_ids.location_id == account.stock_location_id)
        result = super().write(vals)
        for account in follow:
            if account.stock_location_id:
                account.warehouse_mapping_ids.location_id = account.stock_location_id
        if "company_id" in vals:
            # the mappings follow the account's company: their locations must belong to it too
            self.warehouse_mapping_ids._check_company()
        return result

    @api.depends("stock_scope", "stock_location_id", "warehouse_mapping_ids.warehouse_code",
                 "warehouse_mapping_ids.location_id", "company_id", "legacy_short_name_pending",
                 "legacy_warehouse_code")
    def _compute_pull_plan(self):
        for account in self:
            account.pull_plan = account.pull_plan_problem = False
            if account.stock_scope == "store_total":
                location = account.stock_location_id.display_name or self.env._(
                    "the stock location of the company's first warehouse")
                account.pull_plan = self.env._(
                    "Will pull the store-wide totals of every Zortout warehouse → %s", location)
            elif account.warehouse_mapping_ids:
                account.pull_plan = self.env._("Will pull %s", ", ".join(
                    account.warehouse_mapping_ids.mapped("display_name")))
            else:
                account.pull_plan_problem = self.env._(
                    "No Zortout warehouse is mapped, so Pull Stock has nothing to pull. Add a mapping below (or "
                    "from View Warehouse List), or choose store-wide totals.")
            if account.legacy_warehouse_code:
                account.pull_plan_problem = self.env._(
                    'Version 1.1 pulled the Zortout warehouse "%(code)s", which is not a valid code (a space, or '
                    "longer than %(max)s characters). Map the right code below.",
                    code=account.legacy_warehouse_code, max=MAX_CODE_LENGTH)
            elif account.legacy_short_name_pending:
                account.pull_plan = self.env._(
                    "The next pull asks Zortout for warehouse %(code)s (as version 1.1 read it) and maps it to "
                    "%(location)s; if Zortout has no such warehouse, the store-wide totals.",
                    code=account._legacy_short_name() or "-", location=account.stock_location_id.display_name
                    or self.env._("the stock location of the company's first warehouse"))

    def _zortout_sync_targets(self, payload_code=None):
        """[{code, location, exclude}] that a pull of this account sweeps, in order.

        Per warehouse: every mapping, or the one a payload's ``warehouse_code``
        names. Store-wide totals: one target, the payload's code (if any) or
        none, into the Stock Location. Raises SyncUserError when there is
        nothing to pull or the payload names a warehouse that is not mapped.
        """
        self.ensure_one()
        code = (payload_code or "").strip() or None
        if self.stock_scope == "store_total":
            return [{"code": code, "location": self._zortout_target_location(), "exclude": self.env["stock.location"]}]
        mappings = self.warehouse_mapping_ids
        if not mappings:
            raise SyncUserError(self.env, msg(_lt(
                "The account %(account)s maps no Zortout warehouse to an Odoo location. Add a mapping (View "
                "Warehouse List shows Zortout's warehouses), or choose store-wide totals."),
                account=self.display_name))
        if code:
            mappings = mappings.filtered(lambda mapping: mapping.warehouse_code == code)
            if not mappings:
                raise SyncUserError(self.env, msg(_lt(
                    'The warehouse code "%(code)s" is not mapped on the account %(account)s (mapped: %(codes)s). '
                    "Map it to a location first, or leave the code out to pull every mapped warehouse."),
                    code=code, account=self.display_name,
                    codes=", ".join(self.warehouse_mapping_ids.mapped("warehouse_code"))))
        return [{"code": mapping.warehouse_code, "location": mapping.location_id,
                 "exclude": mapping._excluded_locations()} for mapping in mappings]

    def _known_warehouse_codes(self):
        return [code for code in (self.sudo().zortout_known_codes or "").split(",") if code]

    def _remember_warehouse_codes(self, codes):
        """Keep the store's warehouse codes as GetWarehouses just gave them (written only when
        they changed: the account's row is not written by every pull)."""
        text = ",".join(codes)
        if self.sudo().zortout_known_codes != text:
            self.sudo().zortout_known_codes = text

    def _namesake_location(self, code):
        """The stock location of the company's active Odoo warehouse whose short name is the
        Zortout warehouse ``code`` (the users' guide names them alike), if any: where a
        Zortout warehouse goes unless someone maps it elsewhere."""
        self.ensure_one()
        warehouse = self.env["stock.warehouse"].with_context(active_test=True).search(
            [("code", "=", code), ("company_id", "=", self.company_id.id)], limit=1)
        return warehouse.lot_stock_id

    def _legacy_short_name(self):
        """The code version 1.1 read for an account without one: the short name of the active
        Odoo warehouse of its Stock Location (or of the company's first warehouse)."""
        warehouse = self._zortout_target_location().warehouse_id
        return warehouse.code if warehouse.active else False

    def _resolve_legacy_warehouse(self, client):
        """Once, at the first pull after the upgrade from version 1.1: map the warehouse that
        version read (its location's Odoo warehouse short name, when Zortout has that code), or
        keep store-wide totals, as it did without one. The chatter says which."""
        self.ensure_one()
        # the upgrade's last step: it keeps the location the account filled before (see UPGRADE_CONTEXT)
        account = self.sudo().with_context(**{UPGRADE_CONTEXT: True})
        location = account._zortout_target_location()
        short_name = account._legacy_short_name()
        known = short_name and short_name in {warehouse.code for warehouse in client.list_warehouses()}
        if known:
            account.env["marketplace.warehouse.mapping"].create(
                {"account_id": account.id, "warehouse_code": short_name, "location_id": location.id})
            account.write({"stock_scope": "warehouses", "legacy_short_name_pending": False})
            body = self.env._(
                "Zortout has the warehouse %(code)s, which version 1.1 pulled into %(location)s (the short name of "
                "its Odoo warehouse): the account now maps it, and pulls it as before.",
                code=short_name, location=location.display_name)
        else:
            account.write({"stock_scope": "store_total", "legacy_short_name_pending": False})
            body = self.env._(
                "Zortout has no warehouse %(code)s (the short name of the Odoo warehouse of %(location)s): the "
                "account keeps the store-wide totals, as version 1.1 pulled it.",
                code=short_name or "-", location=location.display_name)
        account.message_post(body=body)
        _logger.info("marketplace account %s: version 1.1 warehouse %r %s", account.id, short_name or "",
                     "mapped" if known else "not in Zortout: store-wide totals")

    def _zortout_unknown_warehouse_error(self, code, valid):
        # in the client's technical words: the job's message is made from the code and the valid codes
        return zortout.ZortoutUnknownWarehouseError(
            f"Zortout does not know warehouse {code!r}; the store has: {', '.join(valid) or 'no warehouses'}",
            code=code, valid_codes=valid)

    def action_test_warehouse_code(self):
        """Check every warehouse a pull would read: that Zortout knows its code, and how
        many products Zortout reports there (one GetWarehouses call, one small read each).
        The result opens in a dialog, one line per warehouse, that stays until it is closed."""
        self.ensure_one()
        self.check_access("read")
        # sudo: what the test found is written by this button only; people read it, never write it
        Test = self.env["zortout.warehouse.code.test"].sudo()
        try:
            targets = self._zortout_sync_targets()
        except SyncUserError as exc:
            return Test.create({"account_id": self.id, "outcome": "nothing", "summary": str(exc)})._action_open()
        lines = []
        try:
            with self._zortout_client(max_retries=1) as client:
                known = {}
                if any(target["code"] for target in targets):
                    known = {warehouse.code: warehouse.name for warehouse in client.list_warehouses()}
                for target in targets:
                    code, location = target["code"], target["location"].display_name
                    line = {"sequence": len(lines), "code": code, "location": location, "usable": True}
                    if code and code not in known:
                        line.update(usable=False, result=self.env._(
                            "Zortout has no warehouse with this code (valid codes: %s).",
                            ", ".join(known) or self.env._("none")))
                    elif code:
                        line.update(name=known[code], result=self.env._(
                            "Zortout reports %s products there.", client.count_products(code)))
                    else:
                        line.update(name=self.env._("Store-wide totals of every Zortout warehouse"),
                                    result=self.env._("%s products.", client.count_products(None)))
                    lines.append(line)
        except zortout.ZortoutError as exc:
            return Test.create({"account_id": self.id, "outcome": "problem",
                                "summary": self._zortout_message(exc)})._action_open()
        if all(line["usable"] for line in lines):
            outcome, summary = "ok", self.env._("Zortout knows every warehouse a pull of this account reads.")
        else:
            outcome, summary = "problem", self.env._(
                "Zortout does not know the warehouse code in red: a pull cannot read that warehouse. Change that "
                "mapping to one of the valid codes (View Warehouse List shows them).")
        return Test.create({"account_id": self.id, "outcome": outcome, "summary": summary,
                            "line_ids": [fields.Command.create(line) for line in lines]})._action_open()
