"""One location, one filler: two active accounts never set the stock of the same locations."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestOneFiller(MarketplaceCase):
    """The class's account fills WH/Stock with store-wide totals (tests/common.py)."""

    def new_account(self, name, **values):
        return self.env["marketplace.account"].create({
            "name": name, "store_name": "other-store", "api_key": "k", "api_secret": "s", **values})

    def map(self, account, code, location):
        return self.env["marketplace.warehouse.mapping"].create(
            {"account_id": account.id, "warehouse_code": code, "location_id": location.id})

    def test_the_same_location_inside_or_around_is_refused_naming_the_account(self):
        cases = {
            "same": (self.stock, "WH/Stock is already filled by the account Zortout Test."),
            "inside": (self.shelf, "WH/Stock/Shelf Z lies inside WH/Stock, which the account Zortout Test fills."),
            "around": (self.warehouse.view_location_id,
                       "contains WH/Stock, which the account Zortout Test fills."),
        }
        for case, (location, message) in cases.items():
            with self.subTest(case=case):
                if case == "around":
                    location.usage = "internal"  # a view location is never filled: make it a shelf for the test
                with self.assertRaises(ValidationError) as refused:
                    self.new_account(f"Store-wide {case}", stock_scope="store_total", stock_location_id=location.id)
                self.assertIn(message, refused.exception.args[0])
                account = self.new_account(f"Per warehouse {case}", stock_scope="warehouses")
                with self.assertRaises(ValidationError) as refused:
                    self.map(account, "W0001", location)
                self.assertIn(message, refused.exception.args[0])

    def test_an_empty_stock_location_fills_the_first_warehouse(self):
        with self.assertRaises(ValidationError) as refused:
            self.new_account("Default location", stock_scope="store_total")
        self.assertIn("already filled by the account Zortout Test", refused.exception.args[0])

    def test_a_location_beside_is_fine_and_archiving_frees_the_location(self):
        beside = self.location_of_its_own("Online Shop")
        account = self.new_account("Beside", stock_scope="warehouses")
        self.map(account, "W0001", beside)
        # another account moved onto it, or around it: refused, naming the account
        with self.assertRaises(ValidationError) as refused:
            self.account.stock_location_id = beside
        self.assertIn("already filled by the account Beside", refused.exception.args[0])
        # an archived account fills nothing; unarchiving it while another fills the location is refused
        account.active = False
        self.account.stock_location_id = beside
        with self.assertRaises(ValidationError):
            account.active = True
        # switching a per-warehouse account to store-wide totals is checked too
        self.account.stock_location_id = self.stock
        account.write({"active": True})
        with self.assertRaises(ValidationError):
            account.write({"stock_scope": "store_total", "stock_location_id": self.shelf.id})

    def test_an_account_may_nest_its_own_warehouses(self):
        self.account.stock_scope = "warehouses"
        self.map(self.account, "W0001", self.stock)
        self.map(self.account, "W0002", self.shelf)  # the shelf is its own warehouse's, see _excluded_locations
        self.assertEqual(len(self.account.warehouse_mapping_ids), 2)

    def test_a_duplicate_takes_the_connection_not_the_stock(self):
        self.account.stock_scope = "warehouses"
        self.map(self.account, "W0001", self.stock)
        duplicate = self.account.copy()
        self.assertFalse(duplicate.warehouse_mapping_ids, "its mappings would fill the same locations")
        self.assertFalse(duplicate.stock_location_id)
        self.assertEqual(duplicate.stock_scope, "warehouses", "it fills nothing until it is given a location")
        self.assertEqual(duplicate.store_name, self.account.store_name)
