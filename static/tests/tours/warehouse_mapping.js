import { registry } from "@web/core/registry";

// A Thai operator maps a second Zortout warehouse from ดู Warehouse List and pulls:
// the form says what a pull will do before and after, and the job reports each warehouse.

registry.category("web_tour.tours").add("otd_marketplace_stock_warehouse_mapping", {
    steps: () => [
        {
            content: "The form says what a pull does: W0001 fills WH/Stock",
            trigger: ".o_form_view div[name='pull_plan']:contains('จะดึง'):contains('W0001 → WH/Stock')",
        },
        {
            content: "Press ดู Warehouse List",
            trigger: ".o_form_view button[name='action_view_warehouse_list']:contains('ดู Warehouse List')",
            run: "click",
        },
        {
            content: "W0001 shows where it is mapped",
            trigger: ".modal .o_data_row:contains('W0001'):contains('WH/Stock')",
        },
        {
            content: "Map ODS001 to a location",
            trigger: ".modal .o_data_row:contains('ODS001') button[name='action_add_mapping']",
            run: "click",
        },
        {
            content: "The mapping dialog names ODS001",
            trigger: ".modal .o_field_widget[name='warehouse_code']:contains('ODS001')",
        },
        {
            content: "Stock Location: the online shop's stock",
            trigger: ".modal .o_field_widget[name='location_id'] input",
            run: "edit ONL/Stock",
        },
        {
            content: "Pick it in the drop-down",
            trigger: ".o-autocomplete--dropdown-item:contains('ONL/Stock')",
            run: "click",
        },
        {
            content: "Press จับคู่ (Map)",
            trigger: ".modal footer button[name='action_map']:contains('จับคู่')",
            run: "click",
        },
        {
            content: "Back on the account: the form now says both warehouses will be pulled",
            trigger: "body:not(:has(.modal)) .o_form_view div[name='pull_plan']:contains('ODS001 → ONL/Stock')",
        },
        {
            content: "The mapping list shows the new line",
            trigger: ".o_form_view .o_field_widget[name='warehouse_mapping_ids'] .o_data_row:contains('ODS001')",
        },
        {
            content: "Press ดึงสต็อกสินค้า",
            trigger: ".o_form_view button[name='action_pull_stock']:contains('ดึงสต็อกสินค้า')",
            run: "click",
        },
        {
            content: "The job is Done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value='done']",
            timeout: 30000, // a pull run in the request may work up to its 20 s budget
        },
        {
            content: "Its result has a line per Zortout warehouse",
            trigger: ".o_form_view .o_marketplace_warehouses tr:contains('ODS001'):contains('ONL/Stock')",
        },
    ],
});
