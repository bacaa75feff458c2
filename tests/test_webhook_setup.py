"""Turning instant sync on and off from the account against the sandbox: Zortout's
webhook configuration is read, only our URL changes, another integration's URLs
and keys survive; the keys stay secret; the form warns about a local address."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.otd_marketplace_stock.const import WEBHOOK_ROUTE

from .common import MarketplaceCase

OTHER = {"addorderurl": "https://crm.example.co.th/zort/orders", "updateorderurl": "https://crm.example.co.th/zort/o",
         "updateproducturl": "https://crm.example.co.th/zort/products"}
GET_WEBHOOK = "/Webhook/GetWebhook"
UPDATE_WEBHOOK = "/Webhook/UpdateWebhook"


@tagged("post_install", "-at_install")
class TestWebhookSetup(MarketplaceCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://erp.example.co.th")

    def stored(self):
        return self.sandbox.webhook.current_config()

    def test_enable_and_disable_keep_another_integrations_urls_and_keys(self):
        """A CRM already set key1-3 and three URLs: enabling adds our quantity URL and keeps theirs and
        their keys (they check them); disabling clears our URL only."""
        self.sandbox.webhook.set("crm-key-1", "crm-key-2", "crm-key-3", **OTHER)
        action = self.account.action_enable_instant_sync()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertIn("3", action["params"]["message"])
        account = self.account.sudo()
        url = f"https://erp.example.co.th{WEBHOOK_ROUTE}/{account.webhook_token}"
        self.assertEqual(account.webhook_url, url)
        self.assertGreaterEqual(len(account.webhook_token), 40)
        stored = self.stored()
        self.assertEqual(stored["updatequantityurl"], url)
        self.assertEqual({key: stored[key] for key in OTHER}, OTHER)
        self.assertEqual((stored["key1"], stored["key2"], stored["key3"]), ("crm-key-1", "crm-key-2", "crm-key-3"))
        self.assertEqual(account._webhook_keys(), ("crm-key-1", "crm-key-2", "crm-key-3"))
        self.assertTrue(account.webhook_enabled)
        # read, write everything back, read again to check
        self.assertEqual([call["route"] for call in self.sandbox.requests],
                         [GET_WEBHOOK, UPDATE_WEBHOOK, GET_WEBHOOK])

        self.sandbox.clear_requests()
        action = self.account.action_disable_instant_sync()
        self.assertEqual(action["params"]["type"], "success")
        stored = self.stored()
        self.assertEqual(stored["updatequantityurl"], "")
        self.assertEqual({key: stored[key] for key in OTHER}, OTHER)
        self.assertEqual(stored["key1"], "crm-key-1")
        self.assertFalse(self.account.webhook_enabled)
        (update,) = self.calls_to(UPDATE_WEBHOOK)
        self.assertEqual(update["body"]["key1"], "***", "the request log masks the keys")

    def test_first_webhook_of_the_store_gets_new_random_keys(self):
        self.account.action_enable_instant_sync()
        keys = self.account.sudo()._webhook_keys()
        self.assertEqual(len(set(keys)), 3)
        self.assertTrue(all(len(key) >= 30 for key in keys))
        self.assertEqual((self.stored()["key1"], self.stored()["key2"], self.stored()["key3"]), keys)
        other = self.account.copy({"name": "Zortout Copy"})
        self.assertFalse(other.sudo().webhook_token or other.sudo().webhook_key1 or other.webhook_enabled,
                         "a copied account shares no URL nor key")

    def test_enable_again_after_the_keys_changed_in_zortout(self):
        self.account.action_enable_instant_sync()
        config = self.stored()
        self.sandbox.webhook.set("new-1", "new-2", "new-3", **{k: v for k, v in config.items() if k.endswith("url")})
        self.account.action_enable_instant_sync()
        self.assertEqual(self.account.sudo()._webhook_keys(), ("new-1", "new-2", "new-3"))

    def test_another_address_for_quantity_changes_is_not_taken_over(self):
        self.sandbox.webhook.set("k1", "k2", "k3", updatequantityurl="https://other-app.example/zort/qty")
        with self.assertRaises(UserError) as refused:
            self.account.action_enable_instant_sync()
        self.assertIn("other-app.example", refused.exception.args[0])
        self.assertEqual(self.stored()["updatequantityurl"], "https://other-app.example/zort/qty")
        self.assertEqual(self.calls_to(UPDATE_WEBHOOK), [])
        self.assertFalse(self.account.webhook_enabled)
        # the same addon in another Odoo (a staging copy) counts as another address too
        self.sandbox.webhook.set("k1", "k2", "k3",
                                 updatequantityurl=f"https://staging.example.co.th{WEBHOOK_ROUTE}/abc")
        with self.assertRaises(UserError):
            self.account.action_enable_instant_sync()

    def test_another_account_of_this_odoo_keeps_the_url(self):
        self.account.action_enable_instant_sync()
        second = self.account.copy({"name": "Zortout Second Warehouse", "zortout_warehouse_code": "W0002",
                                    "stock_location_id": self.location_of_its_own("Second Warehouse").id,
                                    "api_key": self.sandbox.api_key, "api_secret": self.sandbox.api_secret})
        with self.assertRaises(UserError) as refused:
            second.action_enable_instant_sync()
        self.assertIn("Zortout Test", refused.exception.args[0])
        self.assertIn(self.account.sudo().webhook_token, self.stored()["updatequantityurl"])

    def test_an_old_url_of_this_account_is_replaced(self):
        """A new URL (regenerated), and Odoo's address changed since: our old URL is ours to replace."""
        self.account.action_enable_instant_sync()
        old = self.stored()["updatequantityurl"]
        self.account.action_regenerate_webhook_url()
        new = self.stored()["updatequantityurl"]
        self.assertNotEqual(new, old)
        self.assertEqual(new, self.account.sudo().webhook_url)
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://odoo.example.co.th")
        self.account.action_enable_instant_sync()
        self.assertTrue(self.stored()["updatequantityurl"].startswith("https://odoo.example.co.th/"))
        # a stale URL of this Odoo whose token no account has any more is replaced too
        self.sandbox.webhook.set("k1", "k2", "k3", updatequantityurl=f"https://odoo.example.co.th{WEBHOOK_ROUTE}/gone")
        self.account.action_enable_instant_sync()
        self.account.invalidate_recordset(["webhook_url"])
        self.assertEqual(self.stored()["updatequantityurl"], self.account.sudo().webhook_url)

    def test_disable_leaves_a_foreign_url_and_survives_zortout_being_down(self):
        self.account.action_enable_instant_sync()
        self.sandbox.webhook.set("k1", "k2", "k3", updatequantityurl="https://other-app.example/q")
        action = self.account.action_disable_instant_sync()
        self.assertIn("left as it was", action["params"]["message"])
        self.assertEqual(self.stored()["updatequantityurl"], "https://other-app.example/q")

        self.account.sudo().webhook_enabled = True
        self.sandbox.faults.add(GET_WEBHOOK, "http_500", times=5)
        action = self.account.action_disable_instant_sync()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("could not be told", action["params"]["message"])
        self.assertFalse(self.account.webhook_enabled, "Odoo refuses deliveries even when Zortout is down")

    def test_zortout_refusing_is_a_message_not_a_traceback(self):
        self.account.sudo().api_key = "wrong"
        action = self.account.action_enable_instant_sync()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("Access Denied", action["params"]["message"])
        self.assertFalse(self.account.webhook_enabled)

    def test_only_administrators_turn_it_on_and_read_the_keys(self):
        env = self.env(context=dict(self.env.context, tracking_disable=False))
        self.account.with_env(env).action_enable_instant_sync()
        env.flush_all()
        env.cr.precommit.run()  # the chatter is written when the transaction ends
        as_user = self.account.with_user(self.user)
        with self.assertRaises(AccessError):
            as_user.action_enable_instant_sync()
        with self.assertRaises(AccessError):
            as_user.action_disable_instant_sync()
        with self.assertRaises(AccessError):
            as_user.read(["webhook_key1"])
        with self.assertRaises(AccessError):
            as_user.read(["webhook_url"])
        # what a Marketplace user does see
        values = as_user.read(["webhook_enabled", "webhook_events_today", "webhook_last_event_at"])[0]
        self.assertEqual((values["webhook_enabled"], values["webhook_events_today"]), (True, 0))
        fields = self.env["marketplace.account"].with_user(self.user).fields_get()
        for name in ("webhook_key1", "webhook_key2", "webhook_key3", "webhook_token", "webhook_url"):
            self.assertNotIn(name, fields)
        for secret in (*self.account.sudo()._webhook_keys(), self.account.sudo().webhook_token):
            self.env.cr.execute("""
                SELECT (SELECT count(*) FROM mail_message WHERE body::text LIKE %(s)s OR subject LIKE %(s)s),
                       (SELECT count(*) FROM mail_tracking_value
                         WHERE old_value_char LIKE %(s)s OR new_value_char LIKE %(s)s
                            OR old_value_text LIKE %(s)s OR new_value_text LIKE %(s)s)
            """, {"s": f"%{secret}%"})
            self.assertEqual(self.env.cr.fetchone(), (0, 0), "no key nor token in the chatter")

    def test_the_form_warns_when_zortout_cannot_reach_odoo(self):
        account = self.account
        self.assertFalse(account.webhook_url_warning)
        for url, words in (("http://localhost:8069", "local or private"), ("http://192.168.1.9", "local or private"),
                           ("http://erp.example.co.th", "clear text")):
            with self.subTest(url):
                self.env["ir.config_parameter"].sudo().set_param("web.base.url", url)
                account.invalidate_recordset(["webhook_url_warning"])
                self.assertIn(words, account.webhook_url_warning)
        action = account.action_enable_instant_sync()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("clear text", action["params"]["message"])
