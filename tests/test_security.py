from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.otd_marketplace_stock.const import PARAM_BASE_URL

from .common import MarketplaceCase


@tagged("post_install", "-at_install")
class TestSecurity(MarketplaceCase):
    def test_user_cannot_read_the_secrets(self):
        account = self.account.with_user(self.user)
        for field in ("api_key", "api_secret"):
            with self.subTest(field=field):
                with self.assertRaises(AccessError):
                    account.read([field])
                with self.assertRaises(AccessError):
                    account.search_read([("id", "=", account.id)], [field])
                with self.assertRaises(AccessError):
                    account.search([(field, "=", self.sandbox.api_secret)])
        values = account.read()[0]
        self.assertNotIn("api_key", values)
        self.assertNotIn("api_secret", values)
        self.assertNotIn("api_secret", account.fields_get())
        self.assertEqual(self.account.with_user(self.manager).api_secret, self.sandbox.api_secret)

    def test_user_pulls_stock_but_cannot_configure(self):
        account = self.account.with_user(self.user)
        job = self.env["marketplace.job"].browse(account.action_pull_stock()["res_id"])
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(account.last_sync_state, "done")
        with self.assertRaises(AccessError):
            account.write({"zortout_warehouse_code": "W0001"})
        with self.assertRaises(AccessError):
            job.with_user(self.user).write({"state": "pending"})
        with self.assertRaises(AccessError):
            job.with_user(self.user).unlink()
        job.with_user(self.manager).unlink()

    def test_secrets_are_not_copied_nor_tracked(self):
        copy = self.account.copy()
        self.assertFalse(copy.api_key or copy.api_secret)
        tracked = self.account._track_get_fields()
        self.assertTrue({"store_name", "zortout_warehouse_code", "stock_location_id", "sync_enabled"} <= tracked)
        self.assertFalse({"api_key", "api_secret"} & tracked, "secret values never reach the chatter")

    def test_companies_are_kept_apart(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        foreign = self.account.copy({"name": "Foreign", "company_id": other.id, "stock_location_id": False})
        foreign_job = self.new_job(account_id=foreign.id)
        Account = self.env["marketplace.account"].with_user(self.user)
        self.assertNotIn(foreign, Account.search([]))
        self.assertNotIn(foreign_job, self.env["marketplace.job"].with_user(self.user).search([]))
        with self.assertRaises(AccessError):
            foreign.with_user(self.user).read(["name"])

    def test_only_safe_base_urls(self):
        Param = self.env["ir.config_parameter"].sudo()
        for url in ("http://zortout.example.com/v4", "ftp://127.0.0.1/v4", "open-api.zortout.com"):
            with self.subTest(url=url), self.assertRaises(ValidationError):
                Param.set_param(PARAM_BASE_URL, url)
        for url in ("https://open-api.zortout.com/v4", "http://localhost:8099/v4", self.sandbox.base_url):
            Param.set_param(PARAM_BASE_URL, url)
        with self.assertRaises(AccessError):
            self.env["ir.config_parameter"].with_user(self.manager).set_param(PARAM_BASE_URL, "https://x.test/v4")
