import { registry } from "@web/core/registry";

// A Thai clerk on the account form (tests/test_clerk_account.py): when the next pull comes and
// in what unit Pull Interval counts; ทดสอบ Warehouse Code answers in a dialog that stays, one row
// per mapping; the warehouse list says what its two buttons do, and discarding its mapping
// dialog brings the list back.

registry.category("web_tour.tours").add("otd_marketplace_stock_clerk_account", {
    steps: () => [
        {
            content: "Pull Interval counts in minutes (นาที)",
            trigger: ".o_form_view div[name='pull_interval']:has(.o_field_widget[name='pull_interval']) span:contains('นาที')",
        },
        {
            content: "The form says when the next pull comes (ดึงครั้งถัดไป)",
            trigger: ".o_form_view .o_field_widget[name='next_pull_at']:not(:empty)",
        },
        {
            content: "…under its Thai label",
            trigger: ".o_form_view label:contains('ดึงครั้งถัดไป')",
        },
        {
            content: "Press ทดสอบ Warehouse Code",
            trigger: ".o_form_view button[name='action_test_warehouse_code']:contains('ทดสอบ Warehouse Code')",
            run: "click",
        },
        {
            content: "A dialog with a Thai title opens",
            trigger: ".modal .modal-title:contains('ผลทดสอบ Warehouse Code')",
        },
        {
            content: "W0001 has its own row: name, location, products counted",
            trigger: ".modal .o_data_row:contains('W0001'):contains('คลังสินค้าหลัก'):contains('WH/Stock'):contains('สินค้า')",
        },
        {
            content: "NOPE9 has its own row, in red, with the valid codes",
            trigger: ".modal .o_data_row.text-danger:contains('NOPE9'):contains('ONL/Stock'):contains('W0001, W0002, ODS001')",
        },
        {
            content: "Read at leisure: the dialog is still there after 6 seconds",
            trigger: ".modal .o_data_row:contains('NOPE9')",
            run: () => new Promise((resolve) => setTimeout(resolve, 6000)),
        },
        {
            content: "Still open; press ปิด (Close)",
            trigger: ".modal:contains('NOPE9') footer button:contains('ปิด')",
            run: "click",
        },
        {
            content: "Back on the account form",
            trigger: "body:not(:has(.modal)) .o_form_view button[name='action_view_warehouse_list']",
            run: "click",
        },
        {
            content: "The list says how its two buttons differ",
            trigger: ".modal div[name='buttons_explained']:contains('จับคู่กับตำแหน่ง')",
        },
        {
            content: "Map ODS001 to a location",
            trigger: ".modal .o_data_row:contains('ODS001') button[name='action_add_mapping']",
            run: "click",
        },
        {
            content: "The mapping dialog names ODS001; discard it (ยกเลิก)",
            trigger: ".modal:has(.o_field_widget[name='warehouse_code']:contains('ODS001')) footer button[name='action_back_to_list']:contains('ยกเลิก')",
            run: "click",
        },
        {
            content: "Zortout's warehouse list is back",
            trigger: ".modal .o_data_row:contains('ODS001') button[name='action_add_mapping']",
        },
        {
            content: "Close it",
            trigger: ".modal footer button:contains('ปิด')",
            run: "click",
        },
        {
            content: "Back on the account form",
            trigger: "body:not(:has(.modal)) .o_form_view .o_form_saved",
        },
    ],
});
