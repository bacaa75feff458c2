import ast
import re
from pathlib import Path

import lxml.html

from odoo.tests import HttpCase, tagged

ADDON = Path(__file__).resolve().parent.parent


@tagged("post_install", "-at_install")
class TestInstall(HttpCase):
    def test_marketplace_app_opens_in_the_browser(self):
        """The Marketplace app shows in the web client's home menu for an administrator."""
        self.start_tour("/odoo", "otd_marketplace_stock_app_opens", login="admin")

    def test_apps_screen_shows_the_short_description(self):
        """Apps: the module's card gives its summary and its page opens with the short description
        (static/description/index.html, in English and Thai), not the README; every picture of the
        page is served and small."""
        manifest = ast.literal_eval((ADDON / "__manifest__.py").read_text())
        module = self.env["ir.module.module"].search([("name", "=", "otd_marketplace_stock")])
        self.assertEqual(module.description.strip(), manifest["description"].strip())
        self.assertLess(len(module.description), 1000)
        page = " ".join(lxml.html.fromstring(module.description_html).text_content().split())
        first_sentence = " ".join(manifest["description"].split()).split(". ")[0]
        self.assertIn(first_sentence, page)
        self.assertIn("ให้สต็อกใน Odoo ตรงกับ Zortout (ZORT)", page)
        pictures = re.findall(r'<img[^>]* src="([^"]+)"', module.description_html)
        self.assertTrue(pictures)
        for src in pictures:
            response = self.url_open(src)
            self.assertEqual(response.status_code, 200, src)
            self.assertEqual(response.headers["Content-Type"], "image/png", src)
            self.assertLess(len(response.content), 150_000, src)
        self.start_tour("/odoo/apps", "otd_marketplace_stock_apps_page", login="admin")
