from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(HttpCase):
    def test_marketplace_app_opens_in_the_browser(self):
        """The Marketplace app shows in the web client's home menu for an administrator."""
        self.start_tour("/odoo", "otd_marketplace_stock_app_opens", login="admin")
