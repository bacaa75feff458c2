"""Screenshots for the README, from the real web client in Thai: the account form, the job
form of a pull, the Jobs list, a job the runner failed, and the module in Apps (its card and
its page). Smaller copies of three of them illustrate the module page
(static/description/, named in MODULE_PAGE_PICTURES).

Not part of the normal test run (tag ``-standard``): run ``python3 scripts/take_screenshots.py``,
which runs ``python3 scripts/devenv.py test --tags otd_screenshots/otd_marketplace_stock`` and
writes the PNG files of docs/images/ named in SCREENSHOTS.
"""

import base64
import io
from pathlib import Path
from unittest.mock import patch

from PIL import Image

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from odoo.addons.otd_marketplace_stock.const import PARAM_BASE_URL

from .sandbox_case import SandboxCase
from .thai import load_thai

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"
SCREENSHOTS = ("account_form.png", "job_form.png", "jobs_list.png", "failed_job.png", "apps_card.png",
               "apps_page.png")
#: the module page's pictures (static/description/index.html): smaller copies of these screenshots
MODULE_PAGE = Path(__file__).resolve().parent.parent / "static" / "description"
MODULE_PAGE_PICTURES = ("account_form.png", "job_form.png", "jobs_list.png")
MODULE_PAGE_WIDTH = 800

GOODS = ("DEMO-TSHIRT-S", "DEMO-TSHIRT-M", "DEMO-TSHIRT-L", "DEMO-MUG", "DEMO-CAP", "DEMO-BAG", "DEMO-SOCKS",
         "DEMO-NOTEBOOK", "DEMO-PEN")


@tagged("-standard", "otd_screenshots", "post_install", "-at_install")
class TestScreenshots(SandboxCase, HttpCase):
    browser_size = "1280x1000"

    def setUp(self):
        super().setUp()
        admin = self.env.ref("base.user_admin")
        load_thai(self.env, admin)
        # the whole web client in Thai, as after Settings > Languages > Add Thai
        self.env["ir.module.module"].search([("state", "=", "installed")])._update_translations(["th_TH"])
        self.env["ir.config_parameter"].sudo().set_param(PARAM_BASE_URL, self.sandbox.base_url)
        Product = self.env["product.product"]
        for sku in GOODS:
            Product.create({"name": f"Demo {sku[5:].lower()}", "default_code": sku, "type": "consu",
                            "is_storable": True})
        Product.create({"name": "Demo water bottle", "default_code": "DEMO-BOTTLE", "type": "consu"})
        Product.create({"name": "Demo gift wrapping", "default_code": "DEMO-GIFTWRAP", "type": "service"})
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)
        online = self.env["stock.warehouse"].create({"name": "Online Shop", "code": "ONL"})
        self.account = self.env["marketplace.account"].with_user(admin).with_context(lang="th_TH").create({
            "name": "Zortout", "store_name": self.sandbox.store_name, "api_key": self.sandbox.api_key,
            "api_secret": self.sandbox.api_secret, "stock_location_id": warehouse.lot_stock_id.id,
            "zortout_warehouse_code": "W0001", "pull_interval": 60,
        })
        # two Zortout warehouses, each filling its own Odoo warehouse
        self.env["marketplace.warehouse.mapping"].create({
            "account_id": self.account.id, "warehouse_code": "ODS001", "warehouse_name": "คลังออนไลน์ ODS",
            "location_id": online.lot_stock_id.id})
        action = self.account.action_pull_stock()
        self.job = self.env["marketplace.job"].browse(action["res_id"])
        self.assertEqual(self.job.state, "done")
        # a job with a warehouse code Zortout does not know (mapped by mistake, then removed), failed by
        # the runner (in English)
        mistake = self.env["marketplace.warehouse.mapping"].create({
            "account_id": self.account.id, "warehouse_code": "ODS009",
            "location_id": self.env["stock.location"].create({
                "name": "Shelf 9", "location_id": online.lot_stock_id.id, "usage": "internal"}).id})
        self.failed = self.env["marketplace.job"].create({
            "account_id": self.account.id, "payload": '{"warehouse_code": "ODS009", "sku_list": ["DEMO-MUG"]}'})
        with self.assertLogs("odoo.addons.otd_marketplace_stock", "WARNING"):  # the failure is logged
            self.env["marketplace.job"]._run_due_jobs(commit=False)
        self.assertEqual(self.failed.state, "failed")
        mistake.unlink()

    def photograph(self, url, name, tour="otd_marketplace_stock_screenshot_form"):
        """Open ``url`` as admin, wait for the view, save the page as docs/images/<name>."""
        original = ChromeBrowser._wait_code_ok

        def wait_then_capture(browser, *args, **kwargs):
            original(browser, *args, **kwargs)
            shot = browser._websocket_request("Page.captureScreenshot", params={"format": "png"}, timeout=30)
            IMAGES.mkdir(parents=True, exist_ok=True)
            (IMAGES / name).write_bytes(base64.b64decode(shot["data"]))

        with patch.object(ChromeBrowser, "_wait_code_ok", wait_then_capture):
            self.start_tour(url, tour, login="admin")
        self.assertGreater((IMAGES / name).stat().st_size, 10_000)
        if name in MODULE_PAGE_PICTURES:
            self.copy_to_module_page(name)

    def copy_to_module_page(self, name):
        """A copy of docs/images/<name> for the module page, MODULE_PAGE_WIDTH wide, in 256 colours."""
        with Image.open(IMAGES / name) as shot:
            height = round(shot.height * MODULE_PAGE_WIDTH / shot.width)
            small = shot.convert("RGB").resize((MODULE_PAGE_WIDTH, height), Image.LANCZOS).quantize(256)
        buffer = io.BytesIO()
        small.save(buffer, "PNG", optimize=True)
        (MODULE_PAGE / name).write_bytes(buffer.getvalue())
        self.assertLess(len(buffer.getvalue()), 150_000)

    def test_account_form(self):
        self.photograph(f"/odoo/action-otd_marketplace_stock.action_marketplace_account/{self.account.id}",
                        "account_form.png")

    def test_job_form(self):
        self.photograph(f"/odoo/action-otd_marketplace_stock.action_marketplace_job/{self.job.id}", "job_form.png")

    def test_jobs_list(self):
        self.photograph("/odoo/action-otd_marketplace_stock.action_marketplace_job", "jobs_list.png",
                        tour="otd_marketplace_stock_screenshot_list")

    def test_failed_job(self):
        self.photograph(f"/odoo/action-otd_marketplace_stock.action_marketplace_job/{self.failed.id}",
                        "failed_job.png")

    def test_apps_card(self):
        self.photograph("/odoo/apps", "apps_card.png", tour="otd_marketplace_stock_apps_card")

    def test_apps_page(self):
        self.photograph("/odoo/apps", "apps_page.png", tour="otd_marketplace_stock_apps_page")
