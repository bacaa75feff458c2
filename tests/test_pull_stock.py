from odoo.tests import tagged

from .common import DEMO_GOODS, MarketplaceCase


@tagged("post_install", "-at_install")
class TestPullStock(MarketplaceCase):
    def test_pull_stock_button_creates_job_and_sets_on_hand(self):
        """Pull Stock runs a job at once, opens it, and on hand equals Zortout's available stock."""
        action = self.account.with_user(self.user).action_pull_stock()
        self.assertEqual(action["res_model"], "marketplace.job")
        job = self.env["marketplace.job"].browse(action["res_id"])
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(job.account_id, self.account)
        for sku in DEMO_GOODS:
            self.assertEqual(self.on_hand(self.products[sku]), self.zortout_quantity(sku), sku)
        result = self.result(job)
        self.assertEqual(result["updated"], len(DEMO_GOODS))
        # DEMO-NOT-IN-ODOO and DEMO-GIFTWRAP have no Odoo product here
        self.assertEqual(result["skipped"]["not_in_odoo"], 2)
        self.assertEqual(sorted(result["samples"]["not_in_odoo"]), ["DEMO-GIFTWRAP", "DEMO-NOT-IN-ODOO"])
        self.assertEqual(self.account.last_sync_state, "done")
        self.assertTrue(self.account.last_sync_at)
        self.assertIn("Updated", job.result_summary)
