import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// In Thai: ดึงสต็อกสินค้า (Pull Stock) reports "SKU ไม่มีใน Odoo"; the job's สร้างสินค้าจาก Zortout
// lists those products, สร้าง creates them as a job of its own, its สินค้าที่สร้าง opens them, and its
// ดึงสต็อกสินค้า pulls their stock.
registry.category("web_tour.tours").add("otd_marketplace_stock_product_import", {
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Marketplace app",
            trigger: ".o_app[data-menu-xmlid='otd_marketplace_stock.menu_marketplace_root']",
            run: "click",
        },
        {
            content: "Open the Zortout account",
            trigger: ".o_data_row .o_data_cell:contains('Zortout Onboarding')",
            run: "click",
        },
        {
            content: "Press Pull Stock (ดึงสต็อกสินค้า)",
            trigger: ".o_form_view button[name='action_pull_stock']:contains('ดึงสต็อกสินค้า')",
            run: "click",
        },
        {
            content: "The pull is done and reports SKUs not in Odoo (SKU ไม่มีใน Odoo)",
            trigger: ".o_form_view .o_marketplace_result td:contains('SKU ไม่มีใน Odoo')",
        },
        {
            content: "Press Create Products from Zortout (สร้างสินค้าจาก Zortout) on the pull's job",
            trigger: ".o_form_view button[name='action_create_products_from_result']:contains('สร้างสินค้าจาก Zortout')",
            run: "click",
        },
        {
            content: "The wizard lists the products Odoo lacks, with what each becomes",
            trigger: ".modal .o_data_row .o_data_cell:contains('NEW-PLAIN')",
        },
        {
            content: "A variation whose options name its attributes becomes one product with variants",
            trigger: ".modal .o_data_row:contains('NEW-TEE-RED-S') .o_data_cell:contains('สินค้าเดียวที่มีหลายตัวเลือก')",
        },
        {
            content: "A barcode that an Odoo product holds: the row says why it is left out",
            trigger: ".modal .o_data_row:contains('NEW-CLASH') .o_data_cell:contains('บาร์โค้ดนี้มีสินค้าใน Odoo ใช้อยู่แล้ว')",
        },
        {
            content: "Press Create (สร้าง)",
            trigger: ".modal footer button[name='action_create']:contains('สร้าง')",
            run: "click",
        },
        {
            content: "The creation job is done",
            trigger: ".o_form_view:not(:has(.modal)) .o_statusbar_status button.o_arrow_button_current[data-value='done']",
            timeout: 30000, // a pull run in the request may work up to its 20 s budget
        },
        {
            content: "Its result counts the created products",
            trigger: ".o_form_view .o_marketplace_import_result td:contains('สร้างแล้ว')",
        },
        {
            content: "Open the created products (สินค้าที่สร้าง)",
            trigger: ".o_form_view button[name='action_view_created_products']:contains('สินค้าที่สร้าง')",
            run: "click",
        },
        {
            content: "The created products are listed",
            trigger: ".o_list_view .o_data_row .o_data_cell:contains('กระเป๋าผ้า')",
        },
        {
            content: "Back to the creation job",
            trigger: ".o_breadcrumb a:contains('สร้างสินค้าจาก Zortout')",
            run: "click",
        },
        {
            content: "Press Pull Stock (ดึงสต็อกสินค้า) so that the new products get their stock",
            trigger: ".o_form_view button[name='action_pull_stock_after_import']:contains('ดึงสต็อกสินค้า')",
            run: "click",
        },
        {
            content: "The new pull is done and updated the new products",
            trigger: ".o_form_view .o_marketplace_result:not(.o_marketplace_import_result) td:contains('อัปเดต')",
        },
    ],
});
