import { registry } from "@web/core/registry";

// A Thai clerk opens a preview of two Zortout warehouses: the progress names both warehouses and
// says what a preview does (compare, would update), the Changes tab names each line's warehouse and
// location, and ปรับสต็อกตามตัวอย่างนี้ applies it: the new job says which preview it applied.

registry.category("web_tour.tours").add("otd_marketplace_stock_clerk_jobs", {
    steps: () => [
        {
            content: "The preview's progress names both warehouses and where they go",
            trigger: ".o_form_view .o_field_widget[name='sweeps_display']:contains('W0001 → WH/Stock'):contains('W0002 → WH/Shop')",
        },
        {
            content: "It no longer shows a single 'Warehouse Code ที่ใช้'",
            trigger: ".o_form_view:not(:has(.o_field_widget[name='sync_warehouse_code']))",
        },
        {
            content: "The SKU bar of a preview says compared, not applied",
            trigger: ".o_form_view .o_inner_group:has(label:contains('SKU ที่เทียบแล้ว')):not(:has(label:contains('SKU ที่ปรับแล้ว')))",
        },
        {
            content: "The per-warehouse table says จะอัปเดต, never อัปเดตแล้ว",
            trigger: ".o_form_view .o_marketplace_warehouses:contains('จะอัปเดต'):contains('อ่านแล้ว'):not(:contains('อัปเดตแล้ว'))",
        },
        {
            content: "Open the Changes tab",
            trigger: ".o_form_view .o_notebook a.nav-link:contains('การเปลี่ยนแปลง')",
            run: "click",
        },
        {
            content: "Each line names its Zortout warehouse and location",
            trigger: ".o_form_view .o_field_widget[name='line_ids'] th:contains('คลังสินค้า Zortout')",
        },
        {
            content: "The mug's line in W0002 goes to WH/Shop",
            trigger: ".o_form_view .o_field_widget[name='line_ids'] .o_data_row:contains('DEMO-MUG'):contains('W0002'):contains('WH/Shop')",
        },
        {
            content: "Press ปรับสต็อกตามตัวอย่างนี้",
            trigger: ".o_form_view button[name='action_apply_preview']:contains('ปรับสต็อกตามตัวอย่างนี้')",
            run: "click",
        },
        {
            content: "The new job is Done",
            trigger: ".o_form_view:not(:has(.ribbon)) .o_statusbar_status button.o_arrow_button_current[data-value='done']",
            timeout: 30000, // a pull run in the request may work up to its 20 s budget
        },
        {
            content: "It says which preview it applied",
            trigger: ".o_form_view .o_field_widget[name='applied_from_id']:contains('JOB/')",
        },
        {
            content: "and that a preview applied started it",
            trigger: ".o_form_view .o_field_widget[name='origin']:contains('ปรับตามตัวอย่าง')",
        },
        {
            content: "Its per-warehouse table says อัปเดตแล้ว for both warehouses",
            trigger: ".o_form_view .o_marketplace_warehouses:contains('อัปเดตแล้ว'):contains('W0001'):contains('W0002')",
        },
        {
            content: "Open its Changes tab",
            trigger: ".o_form_view .o_notebook a.nav-link:contains('การเปลี่ยนแปลง')",
            run: "click",
        },
        {
            content: "The mug was updated in WH/Stock from W0001",
            trigger: ".o_form_view .o_field_widget[name='line_ids'] .o_data_row:contains('DEMO-MUG'):contains('W0001'):contains('WH/Stock')",
        },
        {
            content: "Go back to the preview through the link",
            trigger: ".o_form_view .o_field_widget[name='applied_from_id'] a",
            run: "click",
        },
        {
            content: "The preview links to the job that applied it",
            trigger: ".o_form_view:has(.ribbon) .o_field_widget[name='applied_job_ids'] .o_tag:contains('JOB/')",
        },
    ],
});
