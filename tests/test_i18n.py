"""The Thai translation: complete, with the users' guide labels, also for Python messages."""

import json
from pathlib import Path

from lxml import etree

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, new_test_user
from odoo.tools.translate import PoFileReader

from .thai import load_thai

I18N = Path(__file__).resolve().parent.parent / "i18n"

#: the buttons as ../shared/user-guide-th.md names them
GUIDE_BUTTONS = {
    "action_pull_stock": "ดึงสต็อกสินค้า",
    "action_test_warehouse_code": "ทดสอบ Warehouse Code",
    "action_view_warehouse_list": "ดู Warehouse List",
}


class TestThaiTranslation(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.thai_admin = new_test_user(cls.env, "thai_admin", name="Thai Admin",
                                       groups="otd_marketplace_stock.group_marketplace_manager")
        load_thai(cls.env, cls.thai_admin)
        cls.account = cls.env["marketplace.account"].create({
            "name": "Zortout i18n", "store_name": "s", "api_key": "k", "api_secret": "x"})

    def thai_env(self):
        return self.env(user=self.thai_admin, context=dict(self.env.context, lang="th_TH"))

    def test_account_form_buttons_use_the_guide_labels(self):
        """A Thai user's account form shows the three buttons with the guide's words."""
        views = self.thai_env()["marketplace.account"].get_views([(False, "form")])
        arch = etree.fromstring(views["views"]["form"]["arch"])
        for method, label in GUIDE_BUTTONS.items():
            with self.subTest(button=method):
                buttons = arch.xpath(f"//header/button[@name='{method}']")
                self.assertEqual(len(buttons), 1)
                self.assertEqual(buttons[0].get("string"), label)

    def test_job_form_keeps_the_guide_words(self):
        """The guide's English UI words stay recognisable on the job form."""
        env = self.thai_env()
        views = env["marketplace.job"].get_views([(False, "form")])
        arch = etree.fromstring(views["views"]["form"]["arch"])
        self.assertEqual(arch.xpath("//header/button[@name='action_run_now']")[0].get("string"), "Run Now")
        fields = env["marketplace.job"].fields_get(["name", "job_type", "account_id", "payload", "state",
                                                    "next_run_at"], ["string", "selection"])
        self.assertEqual({name: field["string"] for name, field in fields.items()}, {
            "name": "Name", "job_type": "Job Type", "account_id": "Account", "payload": "Payload",
            "state": "State", "next_run_at": "Next Run At"})
        self.assertEqual(dict(fields["state"]["selection"])["pending"], "Pending")
        self.assertEqual(dict(fields["job_type"]["selection"])["sync_stock_from_zortout"],
                         "Sync Stock from Zortout")

    def test_every_term_of_the_template_is_translated(self):
        """Every msgid of the .pot has a non-empty Thai msgstr in th.po."""
        template = {entry["src"] for entry in PoFileReader(str(I18N / "otd_marketplace_stock.pot"))}
        self.assertGreater(len(template), 100)
        # the reader merges the .pot into th.po: a term missing from th.po comes back untranslated
        thai = {}
        for entry in PoFileReader(str(I18N / "th.po")):
            thai.setdefault(entry["src"], set()).add(entry["value"])
        missing = sorted(src for src in template if not all(thai.get(src, {""})))
        self.assertFalse(missing, f"terms without a Thai translation in i18n/th.po: {missing}")

    def test_payload_error_in_thai(self):
        """A payload mistake is explained in Thai to a Thai user (the detail included)."""
        Job = self.thai_env()["marketplace.job"]
        cases = {
            "[]": 'Payload ต้องเป็นออบเจกต์ JSON เช่น {"warehouse_code": "W0001"}',
            json.dumps({"sku": ["A"]}): "Payload มีคีย์ที่ไม่รู้จัก: sku "
                                        "คีย์ที่ใช้ได้: warehouse_code, sku_list, force, dry_run",
        }
        for payload, message in cases.items():
            with self.subTest(payload=payload), self.assertRaises(ValidationError) as caught:
                Job.create({"name": "x", "account_id": self.account.id, "payload": payload})
            self.assertEqual(caught.exception.args[0], message)

    def test_a_refused_zortout_base_url_is_explained_in_thai(self):
        """An administrator reading Thai who types a plain-http Zortout address is told why in Thai."""
        Param = self.thai_env()["ir.config_parameter"].sudo()
        with self.assertRaises(ValidationError) as caught:
            Param.set_param("otd_marketplace_stock.zortout_base_url", "http://zortout.example.com/v4")
        self.assertEqual(caught.exception.args[0],
                         "Base URL ของ Zortout 'http://zortout.example.com/v4' ต้องใช้ https: มิฉะนั้น API Key และ "
                         "API Secret จะถูกส่งแบบไม่เข้ารหัส ใช้ http ธรรมดาได้เฉพาะ localhost หรือ 127.0.0.1 "
                         "(sandbox ในเครื่อง)")

    def test_result_summary_in_thai(self):
        """The job's readable result speaks Thai to a Thai user."""
        job = self.env["marketplace.job"].create({"name": "x", "account_id": self.account.id})
        job.sudo().result = json.dumps({"fetched": 3, "matched": 2, "updated": 1, "unchanged": 1,
                                        "skipped": {"not_in_odoo": 1}, "samples": {"not_in_odoo": ["SKU-X"]},
                                        "warehouse_code": "ODS001", "location": "WH/Stock",
                                        "api_calls": 1, "duration_s": 0.1})
        summary = str(job.with_env(self.thai_env()).result_summary)
        self.assertIn("อัปเดตแล้ว", summary)
        self.assertIn("SKU-X", summary)
        self.assertIn("ข้ามไป: SKU ไม่มีใน Odoo", summary)
