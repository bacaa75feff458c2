"""Create Products from Zortout: the wizard lists exactly the Zortout products whose SKU
matches nothing in Odoo and what each becomes; Create makes them once; a pull then
sets their stock. Against the sandbox's onboarding catalogue."""

import json
from decimal import Decimal

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import BaseCase

from odoo.addons.otd_marketplace_stock.const import PARAM_REQUEST_BUDGET
from odoo.addons.otd_marketplace_stock.services.product_import_plan import (
    check_barcodes,
    group_variations,
    price_extras,
    resolve_unit,
)
from odoo.addons.otd_marketplace_stock.zortout_sandbox.catalogue import (
    DROP,
    ONBOARDING_ODOO_BARCODE,
    ONBOARDING_PRODUCTS,
    Catalogue,
)

from .common import MarketplaceCase
from .sandbox_case import SandboxCase

IMPORT = "create_products_from_zortout"
#: the fixture rows the wizard must list: every SKU on no Odoo product (the demo goods are not in the catalogue)
LISTED = sorted({row["sku"] for row in ONBOARDING_PRODUCTS} - {"NEW-IN-ODOO", "NEW-ARCHIVED-IN-ODOO"})
CREATABLE = sorted(set(LISTED) - {"", "NEW-DUP", "NEW-CLASH", "NEW-BC-B"})
VARIANTS = ("NEW-TEE-RED-S", "NEW-TEE-RED-M", "NEW-TEE-BLUE-S", "NEW-TEE-BLUE-M")


@tagged("post_install", "-at_install")
class TestProductImport(MarketplaceCase):
    @classmethod
    def sandbox_catalogue(cls):
        return Catalogue.onboarding(bulk=30)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.in_odoo = cls.make_product("NEW-IN-ODOO")
        cls.archived_in_odoo = cls.make_product("NEW-ARCHIVED-IN-ODOO", active=False)
        cls.barcode_owner = cls.make_product("ODOO-OWNS-BARCODE", barcode=ONBOARDING_ODOO_BARCODE)
        cls.importer = new_test_user(cls.env, "marketplace_importer", name="Marketplace Importer",
                                     groups="otd_marketplace_stock.group_marketplace_manager,product.group_product_manager")

    def open_wizard(self, user=None):
        account = self.account.with_user(user or self.importer)
        action = account.action_create_products_from_zortout()
        return self.env["zortout.product.import"].with_user(user or self.importer).browse(action["res_id"])

    def lines(self, wizard):
        return {line.sku: line for line in wizard.line_ids}

    def create_products(self, wizard):
        action = wizard.action_create()
        return self.env["marketplace.job"].browse(action["res_id"])

    # -- the list ------------------------------------------------------------

    def test_wizard_lists_exactly_the_unmatched_skus(self):
        wizard = self.open_wizard()
        self.assertTrue(wizard.read_done)
        bulk = {f"BULK-{i:06d}" for i in range(1, 31)}
        self.assertEqual(sorted(set(wizard.line_ids.mapped("sku"))), sorted(set(LISTED) | bulk))
        self.assertEqual(len(wizard.line_ids), len(LISTED) + 1 + 30, "NEW-DUP is listed twice, as Zortout has it")
        self.assertEqual((wizard.matched_active, wizard.matched_archived), (1, 1))
        self.assertEqual(wizard.matched_archived_skus, "NEW-ARCHIVED-IN-ODOO")
        lines = self.lines(wizard)
        self.assertEqual(lines["NEW-CLASH"].status, "refused")
        self.assertIn("ODOO-OWNS-BARCODE", lines["NEW-CLASH"].reason)
        self.assertEqual(lines["NEW-BC-A"].status, "new")
        self.assertEqual(lines["NEW-BC-B"].status, "refused")
        self.assertIn("NEW-BC-A", lines["NEW-BC-B"].reason)
        self.assertEqual(lines["NEW-DUP"].status, "refused")
        self.assertEqual(lines[""].status, "refused")

    def test_each_row_says_what_it_becomes(self):
        lines = self.lines(self.open_wizard())
        units = self.env.ref("uom.product_uom_unit")
        self.assertEqual(lines["NEW-PLAIN"].uom_id, units, "ชิ้น is Units")
        self.assertEqual(lines["NEW-PCS"].uom_id, units, "PCS is Units")
        self.assertEqual(lines["NEW-KG"].uom_id, self.env.ref("uom.product_uom_kgm"), "กก. is kg")
        self.assertEqual(lines["NEW-BOX"].uom_id, units)
        self.assertIn("กล่องใหญ่", lines["NEW-BOX"].note, "an unknown unit becomes Units, with a note")
        self.assertFalse(lines["NEW-PLAIN"].note)
        self.assertEqual(lines["NEW-SERVICE"].kind, "service")
        self.assertEqual(lines["NEW-PLAIN"].kind, "goods")
        self.assertEqual((lines["NEW-PLAIN"].list_price, lines["NEW-PLAIN"].standard_price), (199.0, 80.0))
        self.assertEqual(lines["NEW-PLAIN"].weight, 0.35)
        self.assertEqual(lines["NEW-PLAIN"].category_display, "ของใช้")
        self.assertFalse(lines["NEW-ARCHIVED"].selected, "archived in Zortout: listed, not ticked")
        self.assertTrue(lines["NEW-PLAIN"].selected)
        self.assertEqual(lines["NEW-ODD"].list_price, 0.0)
        self.assertIn("0", lines["NEW-ODD"].note)
        self.assertIn("variants", lines["NEW-TEE-RED-S"].note)
        self.assertIn("Separate", lines["NEW-MUG-300"].note)

    def test_filters_tick_the_matching_rows(self):
        wizard = self.open_wizard()
        wizard.write({"filter_category": "เสื้อผ้า", "filter_barcode": "with"})
        wizard.action_apply_filters()
        ticked = set(wizard.line_ids.filtered("selected").mapped("sku"))
        self.assertTrue(set(VARIANTS) <= ticked)
        self.assertNotIn("NEW-PLAIN", ticked)
        self.assertTrue(all(line.barcode and "เสื้อผ้า" in line.zortout_category
                            for line in wizard.line_ids.filtered("selected")))
        wizard.write({"filter_category": False, "filter_barcode": "all", "filter_active": "archived"})
        wizard.action_apply_filters()
        self.assertEqual(wizard.line_ids.filtered("selected").mapped("sku"), ["NEW-ARCHIVED"])

    # -- creating ---------------------------------------------------------------

    def test_create_makes_each_product_once_then_a_pull_sets_stock(self):
        wizard = self.open_wizard()
        self.lines(wizard)["NEW-ARCHIVED"].selected = True
        job = self.create_products(wizard)
        self.assertEqual((job.job_type, job.state), (IMPORT, "done"))
        result = json.loads(job.result)
        self.assertEqual(result["created"], len(CREATABLE) + 30)
        Product = self.env["product.product"].with_context(active_test=False)
        for sku in CREATABLE:
            self.assertEqual(Product.search_count([("default_code", "=", sku)]), 1, sku)
        plain = Product.search([("default_code", "=", "NEW-PLAIN")])
        self.assertEqual((plain.name, plain.barcode, plain.list_price, plain.standard_price),
                         ("กระเป๋าผ้า", "8850000000011", 199.0, 80.0))
        self.assertTrue(plain.is_storable)
        self.assertEqual(plain.categ_id.name, "ของใช้")
        self.assertEqual(plain.create_uid, self.importer, "the products name who pressed Create")
        service = Product.search([("default_code", "=", "NEW-SERVICE")])
        self.assertEqual(service.type, "service")
        self.assertFalse(Product.search([("default_code", "=", "NEW-ARCHIVED")]).active)
        self.assertEqual(Product.search([("default_code", "=", "NEW-KG")]).uom_id, self.env.ref("uom.product_uom_kgm"))
        # the variation whose options name their attributes: one template, four variants, priced by size
        tees = Product.search([("default_code", "in", VARIANTS)])
        self.assertEqual(len(tees.product_tmpl_id), 1)
        self.assertEqual(tees.product_tmpl_id.product_variant_count, 4)
        self.assertEqual(tees.product_tmpl_id.name, "เสื้อยืด")
        prices = {tee.default_code: tee.lst_price for tee in tees}
        self.assertEqual(prices, {"NEW-TEE-RED-S": 250.0, "NEW-TEE-RED-M": 270.0, "NEW-TEE-BLUE-S": 250.0,
                                  "NEW-TEE-BLUE-M": 270.0})
        self.assertEqual({tee.default_code: tee.barcode for tee in tees}["NEW-TEE-BLUE-M"], "8850000001004")
        mugs = Product.search([("default_code", "in", ("NEW-MUG-300", "NEW-MUG-500"))])
        self.assertEqual(len(mugs.product_tmpl_id), 2, "options that name no attribute: separate products")
        self.assertFalse(Product.search([("default_code", "=", "NEW-CLASH")]))
        self.assertEqual(Product.search_count([("default_code", "=", "NEW-BC-B")]), 0)
        # change lines and the link to the products
        created_lines = job.line_ids.filtered(lambda line: line.decision == "created")
        self.assertEqual(len(created_lines), len(CREATABLE) + 30)
        self.assertEqual(job.created_product_count, len(CREATABLE) + 30)
        action = job.action_view_created_products()
        self.assertEqual(Product.search_count(action["domain"]), len(CREATABLE) + 30)
        self.assertIn("Created", job.outcome)

        # a second run lists none of them and creates nothing
        again = self.open_wizard()
        self.assertFalse(set(again.line_ids.mapped("sku")) & set(CREATABLE))
        self.assertEqual(sorted(set(again.line_ids.mapped("sku"))), ["", "NEW-BC-B", "NEW-CLASH", "NEW-DUP"])

        # the pull right after (the job's Pull Stock) sets their stock
        pull = self.env["marketplace.job"].browse(job.action_pull_stock_after_import()["res_id"])
        self.assertEqual(pull.state, "done")
        self.assertEqual(self.on_hand(plain), self.zortout_quantity("NEW-PLAIN"))
        bulk = Product.search([("default_code", "=", "BULK-000007")])
        self.assertEqual(self.on_hand(bulk), self.zortout_quantity("BULK-000007"))
        self.assertEqual(self.on_hand(tees.filtered(lambda tee: tee.default_code == "NEW-TEE-RED-M")),
                         self.zortout_quantity("NEW-TEE-RED-M"))

    def test_a_product_created_meanwhile_is_matched_not_duplicated(self):
        wizard = self.open_wizard()
        # someone creates one of the listed products by hand before Create is pressed
        self.make_product("NEW-PLAIN", name="Made by hand")
        job = self.create_products(wizard)
        self.assertEqual(self.env["product.product"].search_count([("default_code", "=", "NEW-PLAIN")]), 1)
        line = job.line_ids.filtered(lambda line: line.sku == "NEW-PLAIN")
        self.assertEqual(line.decision, "already_in_odoo")
        self.assertEqual(json.loads(job.result)["already_in_odoo"], 1)

    def test_a_barcode_taken_meanwhile_leaves_the_row_out(self):
        wizard = self.open_wizard()
        self.make_product("SOMEONE-ELSE", barcode="8850000000028")  # NEW-PCS's barcode
        job = self.create_products(wizard)
        line = job.line_ids.filtered(lambda line: line.sku == "NEW-PCS")
        self.assertEqual(line.decision, "create_refused")
        self.assertIn("SOMEONE-ELSE", line.message)
        self.assertFalse(self.env["product.product"].search([("default_code", "=", "NEW-PCS")]))
        self.assertEqual(job.state, "done")

    def test_one_category_for_all(self):
        wizard = self.open_wizard()
        category = self.env["product.category"].create({"name": "จาก Zortout"})
        wizard.write({"category_mode": "fixed", "category_id": category.id})
        self.create_products(wizard)
        created = self.env["product.product"].search([("default_code", "in", CREATABLE)])
        self.assertEqual(created.categ_id, category)

    def test_create_needs_the_right_to_create_products(self):
        wizard = self.open_wizard(user=self.user)  # a Marketplace user reads Zortout...
        self.assertTrue(wizard.line_ids)
        with self.assertRaises(AccessError):  # ...but may not create products
            wizard.action_create()
        self.assertFalse(self.env["marketplace.job"].search([("job_type", "=", IMPORT)]))

    def test_what_is_created_is_the_codes_not_a_persons(self):
        """Over RPC a person may choose, not plan: the rows, what each becomes and the account are the
        code's (the job creates them with the superuser's access); another company's account is out of
        reach."""
        wizard = self.open_wizard()
        line = wizard.line_ids.filtered(lambda line: line.status == "refused")[:1]
        for record, values in ((wizard, {"rows_json": "[]"}), (wizard, {"read_done": True}),
                               (line, {"status": "new"}), (line, {"entry_json": "{}"}), (line, {"barcode": "1"})):
            with self.subTest(values=values), self.assertRaises(AccessError):
                record.write(values)
        with self.assertRaises(AccessError):
            self.env["zortout.product.import.line"].with_user(self.importer).create(
                {"wizard_id": wizard.id, "status": "new", "sku": "FORGED", "entry_json": "{}"})
        with self.assertRaises(AccessError):
            self.env["zortout.product.import"].with_user(self.importer).create(
                {"account_id": self.account.id, "rows_json": "[]", "read_done": True})
        other = self.env["res.company"].create({"name": "Other Shop Co"})
        other_account = self.env["marketplace.account"].create({
            "name": "Other Shop", "company_id": other.id, "store_name": "s", "api_key": "k", "api_secret": "x"})
        with self.assertRaises(AccessError):
            wizard.write({"account_id": other_account.id})
        with self.assertRaises(AccessError):
            self.env["zortout.product.import"].with_user(self.importer).create({"account_id": other_account.id})
        with self.assertRaises(AccessError):
            other_account.with_user(self.importer).action_create_products_from_zortout()
        # what a person does choose still works: a row ticked off, a default
        wizard.line_ids[:1].write({"selected": False})
        wizard.write({"fetch_images": True})

    def test_a_pull_that_found_skus_not_in_odoo_offers_the_wizard(self):
        pull = self.env["marketplace.job"].browse(self.account.with_user(self.importer).action_pull_stock()["res_id"])
        self.assertGreater(pull.not_in_odoo_count, 30)
        action = pull.with_user(self.importer).action_create_products_from_result()
        wizard = self.env["zortout.product.import"].browse(action["res_id"])
        self.assertIn("NEW-PLAIN", wizard.line_ids.mapped("sku"))

    def test_big_jobs_run_in_steps_and_resume(self):
        """Pages of 500 rows, one step each: a request whose time is up after one step leaves
        the job to the runner, which continues from the next page."""
        self.use_catalogue(Catalogue.onboarding(bulk=1200))
        wizard = self.open_wizard()
        ticked = len(wizard.line_ids.filtered("selected"))
        self.env["ir.config_parameter"].sudo().set_param(PARAM_REQUEST_BUDGET, "0")
        job = self.create_products(wizard)
        self.assertEqual(job.pages_total, 3)
        self.assertEqual(job.state, "pending", "postponed after its first step")
        self.assertEqual(job.sync_phase, "create_products")
        Job = self.env["marketplace.job"]
        Job._run_due_jobs(commit=False, time_budget=0)  # the runner's time is up after one step: one page
        self.assertEqual((job.state, job.skus_done, job.pages_fetched), ("pending", 500, 1))
        self.assertEqual(json.loads(job.result)["created"], 500)
        Job._run_due_jobs(commit=False)
        self.assertEqual(job.state, "done")
        self.assertEqual(json.loads(job.result)["created"], ticked)
        self.assertEqual(job.skus_done, ticked)
        codes = self.env["product.product"].with_context(active_test=False).search(
            [("default_code", "like", "BULK-%")]).mapped("default_code")
        self.assertEqual(len(codes), 1200)
        self.assertEqual(len(set(codes)), 1200)

    def test_main_images_fetched_once_failures_reported_per_row(self):
        catalogue = self.sandbox.catalogue
        catalogue.update("NEW-PLAIN", imagepath=self.sandbox.image_url("small.png"))
        catalogue.update("NEW-PCS", imagepath=self.sandbox.image_url("gone.png"))
        catalogue.update("NEW-KG", imagepath=self.sandbox.image_url("huge.png"))
        catalogue.update("NEW-BOX", imagepath=self.sandbox.image_url("broken.png"))
        catalogue.update("NEW-SERVICE", imagepath="ftp://example.invalid/x.png")
        wizard = self.open_wizard()
        self.assertFalse(wizard.fetch_images, "off by default")
        wizard.fetch_images = True
        job = self.create_products(wizard)
        self.assertEqual(job.state, "done")
        Product = self.env["product.product"]
        self.assertTrue(Product.search([("default_code", "=", "NEW-PLAIN")]).image_1920)
        for sku in ("NEW-PCS", "NEW-KG", "NEW-BOX", "NEW-SERVICE"):
            product = Product.search([("default_code", "=", sku)])
            self.assertTrue(product, f"{sku}: created although its image failed")
            self.assertFalse(product.image_1920, sku)
        failed = job.line_ids.filtered(lambda line: line.decision == "image_failed")
        self.assertEqual(sorted(failed.mapped("sku")), ["NEW-BOX", "NEW-KG", "NEW-PCS", "NEW-SERVICE"])
        messages = dict(zip(failed.mapped("sku"), failed.mapped("message")))
        self.assertIn("404", messages["NEW-PCS"])
        self.assertIn("2 MB", messages["NEW-KG"])
        self.assertIn("not an image", messages["NEW-BOX"])
        self.assertIn("not a web address", messages["NEW-SERVICE"])
        result = json.loads(job.result)
        self.assertEqual((result["images_done"], result["image_failed"]), (1, 4))
        self.assertIn("images not fetched: 4", job.outcome)

    def test_an_image_on_the_servers_own_network_is_not_fetched(self):
        """An image address comes from whoever edits products in Zortout: the Odoo server fetches
        nothing from its own network (only the Zortout API's own host, here the sandbox, is trusted)."""
        catalogue = self.sandbox.catalogue
        local = self.sandbox.image_url("small.png").replace(self.sandbox.host, "localhost")
        catalogue.update("NEW-PLAIN", imagepath=local)
        catalogue.update("NEW-PCS", imagepath="http://10.20.30.40/x.png")
        wizard = self.open_wizard()
        wizard.fetch_images = True
        job = self.create_products(wizard)
        self.assertEqual(job.state, "done", job.error)
        failed = job.line_ids.filtered(lambda line: line.decision == "image_failed")
        messages = dict(zip(failed.mapped("sku"), failed.mapped("message")))
        self.assertIn("private or local network (localhost: 127.0.0.1)", messages["NEW-PLAIN"])
        self.assertIn("private or local network (10.20.30.40: 10.20.30.40)", messages["NEW-PCS"])
        # the sandbox would have served it (small.png): the empty image is the guard's doing
        self.assertFalse(self.env["product.product"].search([("default_code", "=", "NEW-PLAIN")]).image_1920)

    def test_a_mapped_warehouse_sweep_lists_what_that_warehouse_holds(self):
        """A warehouse sweep lists the products that warehouse holds (as Zortout's does): the
        fixture rows hold stock in W0001 only, the bulk ones in every warehouse."""
        shop = self.env["stock.location"].create({"name": "Shop W0002", "location_id": self.stock.id,
                                                  "usage": "internal"})
        self.account.stock_scope = "warehouses"
        self.env["marketplace.warehouse.mapping"].create({
            "account_id": self.account.id, "warehouse_code": "W0002", "location_id": shop.id})
        wizard = self.open_wizard().with_context(default_account_id=self.account.id)  # as the form has it
        self.assertIn("W0002", dict(wizard._fields["warehouse_code"]._description_selection(wizard.env)))
        wizard.warehouse_code = "W0002"
        wizard.action_read_again()
        self.assertEqual(sorted(wizard.line_ids.mapped("sku")), [f"BULK-{i:06d}" for i in range(1, 31)])
        self.assertTrue(all(call["query"].get("warehousecode") == "W0002" for call in self.calls_to()[-1:]))
        wizard.warehouse_code = "__store__"
        wizard.action_read_again()
        self.assertIn("NEW-PLAIN", wizard.line_ids.mapped("sku"))

    def test_a_user_who_may_not_create_products_is_told_before_pressing(self):
        self.assertFalse(self.open_wizard(user=self.user).can_create)
        self.assertTrue(self.open_wizard().can_create)


@tagged("post_install", "-at_install")
class TestProductImportPlan(SandboxCase, BaseCase):
    """The catalogue rows as the client reads them, and the plan's decisions, without Odoo's ORM."""

    @classmethod
    def sandbox_catalogue(cls):
        return Catalogue.onboarding()

    def test_odd_values_read_without_stopping_the_page(self):
        catalogue = self.sandbox.catalogue
        catalogue.set_raw("NEW-PLAIN", "active", "0")
        catalogue.set_raw("NEW-PLAIN", "sellprice", "1,234.50")
        catalogue.set_raw("NEW-PLAIN", "variant", "garbage")
        catalogue.set_raw("NEW-PCS", "purchaseprice", DROP)
        catalogue.set_raw("NEW-PCS", "producttype", "1")
        catalogue.set_raw("NEW-KG", "weight", "1e12")
        page = self.make_client().fetch_catalogue_page(None, 1)
        rows = {row.sku: row for row in page.rows}
        self.assertTrue(page.last)
        self.assertEqual(len(page.rows), len(ONBOARDING_PRODUCTS))
        self.assertEqual((rows["NEW-PLAIN"].active, rows["NEW-PLAIN"].sell_price, rows["NEW-PLAIN"].options),
                         (False, Decimal("1234.50"), ()))
        self.assertEqual((rows["NEW-PCS"].purchase_price, rows["NEW-PCS"].is_service), (None, True))
        self.assertIsNone(rows["NEW-KG"].weight_g, "an absurd weight is no weight")
        self.assertEqual(rows["NEW-TEE-RED-M"].options, (("สี", "แดง"), ("ไซซ์", "M")))
        self.assertEqual(rows["NEW-TEE-RED-M"].variation_id, 7_100_020)

    @staticmethod
    def entry(sku, options, price, variation=1, **values):
        return {"sku": sku, "options": [list(option) for option in options], "list_price": price,
                "variation_id": variation, "uom_id": 1, "kind": "goods", "category": "", **values}

    def test_variation_decisions(self):
        def decide(*entries, matched=frozenset()):
            entries = list(entries)
            group_variations(entries, matched)
            return {entry["group"] for entry in entries}

        tee = [("สี", "แดง"), ("ไซซ์", "S")]
        self.assertEqual(decide(self.entry("A", tee, 10), self.entry("B", [("สี", "ดำ"), ("ไซซ์", "S")], 10)),
                         {"template"})
        self.assertEqual(decide(self.entry("A", tee, 10), self.entry("B", [("สี", "ดำ")], 10)),
                         {"mixed_attributes"})
        self.assertEqual(decide(self.entry("A", tee, 10), self.entry("B", tee, 10)), {"same_options"})
        self.assertEqual(decide(self.entry("A", tee, 10), self.entry("B", [], 10)), {"no_options"})
        self.assertEqual(decide(self.entry("A", tee, 10), self.entry("B", [("สี", "ดำ"), ("ไซซ์", "S")], 10,
                                                                      uom_id=2)), {"mixed_settings"})
        self.assertEqual(decide(self.entry("A", tee, 10), matched={1}), {"partly_in_odoo"})
        self.assertEqual(decide(self.entry("A", tee, 10)), {"alone"})
        # priced by one attribute: extras; priced by both at once: separate products
        by_size = [self.entry("RS", [("สี", "แดง"), ("ไซซ์", "S")], 10),
                   self.entry("RM", [("สี", "แดง"), ("ไซซ์", "M")], 12),
                   self.entry("BS", [("สี", "ดำ"), ("ไซซ์", "S")], 10)]
        base, extras = price_extras(by_size)
        self.assertEqual((base, extras[("ไซซ์", "M")], extras[("ไซซ์", "S")]), (Decimal("10"), 2.0, 0.0))
        tangled = by_size + [self.entry("BM", [("สี", "ดำ"), ("ไซซ์", "M")], 15)]
        self.assertIsNone(price_extras(tangled))
        self.assertEqual(decide(*tangled), {"prices"})

    def test_units_and_barcodes(self):
        names = {"units": 1, "uom.product_uom_unit": 1, "uom.product_uom_kgm": 5, "uom.product_uom_dozen": 3}
        for text in ("ชิ้น", "PCS", " Piece ", "pc.", "อัน", ""):
            self.assertEqual(resolve_unit(text, names), (1, None), text)
        self.assertEqual(resolve_unit("กก.", names), (5, None))
        self.assertEqual(resolve_unit("โหล", names), (3, None))
        self.assertEqual(resolve_unit("กล่อง", names), (1, "unknown_unit"))
        planned = [{"sku": "A", "barcode": "1"}, {"sku": "B", "barcode": "1"}, {"sku": "C", "barcode": "2"},
                   {"sku": "D", "barcode": ""}]
        self.assertEqual(check_barcodes(planned, {"2": "ODOO-X"}),
                         {"B": ("barcode_twice", "A"), "C": ("barcode_in_odoo", "ODOO-X")})


@tagged("post_install", "-at_install")
class TestProductImportReading(MarketplaceCase):
    """A store too large for one request is read over several: Continue Reading goes on from
    the next page, and the list is the same as one read would give."""

    @classmethod
    def sandbox_catalogue(cls):
        return Catalogue.onboarding(bulk=1200)

    def test_continue_reading_goes_on_from_the_next_page(self):
        self.env["ir.config_parameter"].sudo().set_param(PARAM_REQUEST_BUDGET, "0")
        action = self.account.action_create_products_from_zortout()
        wizard = self.env["zortout.product.import"].browse(action["res_id"])
        self.assertEqual((wizard.read_done, wizard.pages_read, len(wizard.line_ids)), (False, 1, 0))
        with self.assertRaises(UserError):
            wizard.action_create()
        wizard.action_continue_reading()
        self.assertEqual((wizard.read_done, wizard.pages_read), (False, 2))
        wizard.action_continue_reading()
        self.assertTrue(wizard.read_done)
        pages = [int(call["query"]["page"]) for call in self.calls_to()]
        self.assertEqual(pages, [1, 2, 3], "each page read once")
        skus = wizard.line_ids.mapped("sku")
        self.assertEqual(len([sku for sku in skus if sku.startswith("BULK-")]), 1200)
        self.assertEqual(len(skus), len(set(skus)) + 1, "only NEW-DUP twice, as Zortout has it")
