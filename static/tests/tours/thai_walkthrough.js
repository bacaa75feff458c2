import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// What a Thai operator does with the README, in the Thai web client:
// create an account, test the warehouse code, pick a warehouse from Zortout's
// list, pull stock, read the job, then make a job by hand and press Run Now.
// Buttons are checked by their Thai labels, the ones of the users' guide.

const PAYLOAD = '{"warehouse_code": "ODS001", "sku_list": ["DEMO-MUG"]}';

function fill(field, value) {
    return {
        content: `Fill ${field}`,
        trigger: `.o_form_view .o_field_widget[name='${field}'] input`,
        run: `edit ${value}`,
    };
}

registry.category("web_tour.tours").add("otd_marketplace_stock_thai_walkthrough", {
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Marketplace app",
            trigger: ".o_app[data-menu-xmlid='otd_marketplace_stock.menu_marketplace_root']",
            run: "click",
        },
        {
            content: "Marketplace > Accounts: New",
            trigger: ".o_list_view .o_list_button_add",
            run: "click",
        },
        fill("name", "Zortout Tour"),
        fill("store_name", "sandbox-store"),
        fill("api_key", "sandbox-api-key"),
        fill("api_secret", "sandbox-api-secret"),
        {
            content: "Save the account",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Press ทดสอบ Warehouse Code",
            trigger: ".o_form_view .o_form_saved button[name='action_test_warehouse_code']:contains('ทดสอบ Warehouse Code')",
            run: "click",
        },
        {
            content: "No warehouse mapped yet: the test's dialog says so and names both ways out",
            trigger: ".modal .o_field_widget[name='summary']:contains('ยอดรวมทั้งร้าน')",
        },
        {
            content: "Close the dialog (ปิด)",
            trigger: ".modal footer button:contains('ปิด')",
            run: "click",
        },
        {
            content: "Press ดู Warehouse List",
            trigger: ".o_form_view button[name='action_view_warehouse_list']:contains('ดู Warehouse List')",
            run: "click",
        },
        {
            content: "Zortout's warehouses are listed; use ODS001",
            trigger: ".modal .o_data_row:contains('ODS001') button[name='action_use_code']",
            run: "click",
        },
        {
            content: "The account now maps the warehouse code ODS001 to its stock location",
            trigger: "body:not(:has(.modal)) .o_form_view .o_field_widget[name='warehouse_mapping_ids'] .o_data_row:contains('ODS001')",
        },
        {
            content: "The form says what a pull will do",
            trigger: ".o_form_view div[name='pull_plan']:contains('ODS001 → WH/Stock')",
        },
        {
            content: "Press ทดสอบ Warehouse Code again",
            trigger: ".o_form_view button[name='action_test_warehouse_code']",
            run: "click",
        },
        {
            content: "Zortout knows ODS001: its row in the test's dialog",
            trigger: ".modal .o_data_row:contains('ODS001'):not(.text-danger)",
        },
        {
            content: "Close the dialog (ปิด)",
            trigger: ".modal footer button:contains('ปิด')",
            run: "click",
        },
        {
            content: "Press ดึงสต็อกสินค้า",
            trigger: ".o_form_view button[name='action_pull_stock']:contains('ดึงสต็อกสินค้า')",
            run: "click",
        },
        {
            content: "The job form opens and shows Done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value='done']",
            timeout: 30000, // a pull run in the request may work up to its 20 s budget
        },
        {
            content: "The result is readable: counts per outcome and the warehouse code",
            trigger: ".o_form_view .o_marketplace_result:contains('อัปเดตแล้ว')",
        },
        {
            content: "The result names the warehouse ODS001",
            trigger: ".o_form_view .o_field_widget[name='result_summary']:contains('ODS001')",
        },
        {
            content: "Marketplace > Jobs",
            trigger: ".o_main_navbar [data-menu-xmlid='otd_marketplace_stock.menu_marketplace_job']",
            run: "click",
        },
        {
            content: "Jobs: New",
            trigger: ".o_list_view .o_list_button_add",
            run: "click",
        },
        {
            content: "Name: Sync Stock from Zortout",
            trigger: ".o_form_view .o_field_widget[name='name'] input",
            run: "edit Sync Stock from Zortout",
        },
        {
            content: "Job Type: Sync Stock from Zortout",
            trigger: ".o_form_view .o_field_widget[name='job_type'] input.o_select_menu_toggler:value('Sync Stock from Zortout')",
        },
        {
            content: "Account: the new account",
            trigger: ".o_form_view .o_field_widget[name='account_id'] input",
            run: "edit Zortout Tour",
        },
        {
            content: "Pick it in the drop-down",
            trigger: ".o-autocomplete--dropdown-item:contains('Zortout Tour')",
            run: "click",
        },
        {
            content: "Payload: the warehouse and one SKU",
            trigger: ".o_form_view .o_field_widget[name='payload'] .ace_editor",
            run() {
                // the payload uses Odoo's code editor (Ace): set its text as typing would
                window.ace.edit(this.anchor).setValue(PAYLOAD, 1);
            },
        },
        {
            content: "State: Pending",
            trigger: ".o_form_view .o_field_widget[name='state']:contains('Pending')",
        },
        {
            content: "Next Run At: now (the default)",
            // a filled date field shows its value on a button
            trigger: ".o_form_view .o_field_widget[name='next_run_at'] .o_daterange_start",
            run() {
                if (!this.anchor.textContent.trim()) {
                    throw new Error("Next Run At should default to now");
                }
            },
        },
        {
            content: "Save the job",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Press Run Now",
            trigger: ".o_form_view .o_form_saved button[name='action_run_now']:contains('Run Now')",
            run: "click",
        },
        {
            content: "The job is Done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value='done']",
            timeout: 30000, // a pull run in the request may work up to its 20 s budget
        },
        {
            content: "Its result shows the one product fetched",
            trigger: ".o_form_view .o_marketplace_result",
        },
    ],
});
