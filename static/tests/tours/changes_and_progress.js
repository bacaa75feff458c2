import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// A Thai operator previews a pull, reads its progress and its Changes tab, applies the
// preview, follows a stock move back to its job, reads the Jobs list, and is asked before
// the account switches to another Zortout warehouse. Thai labels are checked where the
// users' guide or the operator's eye depends on them.
registry.category("web_tour.tours").add("otd_marketplace_stock_changes_and_progress", {
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Marketplace app",
            trigger: ".o_app[data-menu-xmlid='otd_marketplace_stock.menu_marketplace_root']",
            run: "click",
        },
        {
            content: "Open the account",
            trigger: ".o_data_row .o_data_cell:contains('Zortout Changes')",
            run: "click",
        },
        {
            content: "Press Preview",
            trigger: ".o_form_view button[name='action_preview_stock']:contains('ดูตัวอย่าง')",
            run: "click",
        },
        {
            content: "The preview is done and marked as a preview",
            trigger: ".o_form_view:has(.ribbon) .o_statusbar_status button.o_arrow_button_current[data-value='done']",
            timeout: 30000, // a pull run in the request may work up to its 20 s budget
        },
        {
            content: "The progress bars show every SKU of the sweep handled",
            trigger: ".o_form_view .o_field_widget[name='skus_done'] .o_progress[aria-valuenow]",
            run() {
                const bar = this.anchor;
                const [done, total] = ["aria-valuenow", "aria-valuemax"].map((name) => Number(bar.getAttribute(name)));
                if (!total || done !== total) {
                    throw new Error(`the SKUs bar should be full, it shows ${done} of ${total}`);
                }
            },
        },
        {
            content: "Open the Changes tab",
            trigger: ".o_form_view .o_notebook_headers a[name='changes']:contains('การเปลี่ยนแปลง')",
            run: "click",
        },
        {
            content: "The mug would be updated",
            trigger: ".o_form_view .o_field_widget[name='line_ids'] .o_data_row:contains('DEMO-MUG'):contains('จะอัปเดต')",
        },
        {
            content: "Apply this preview",
            trigger: ".o_form_view button[name='action_apply_preview']",
            run: "click",
        },
        {
            content: "The applied job is done",
            trigger: ".o_form_view:not(:has(.ribbon)) .o_statusbar_status button.o_arrow_button_current[data-value='done']",
            timeout: 30000, // a pull run in the request may work up to its 20 s budget
        },
        {
            content: "Open its stock moves",
            trigger: ".o_form_view button[name='action_view_moves']",
            run: "click",
        },
        {
            content: "The move names its Zortout job",
            trigger: ".o_list_view .o_data_row td[name='marketplace_job_id']:contains('JOB/')",
        },
        {
            content: "Marketplace > Jobs",
            trigger: ".o_main_navbar [data-menu-xmlid='otd_marketplace_stock.menu_marketplace_job']",
            run: "click",
        },
        {
            content: "The list says what each job did",
            trigger: ".o_list_view .o_data_row td[name='outcome']:contains('อัปเดต')",
        },
        {
            content: "Back to the accounts",
            trigger: ".o_main_navbar [data-menu-xmlid='otd_marketplace_stock.menu_marketplace_account']",
            run: "click",
        },
        {
            content: "Open the account again",
            trigger: ".o_data_row .o_data_cell:contains('Zortout Changes')",
            run: "click",
        },
        {
            content: "Press ดู Warehouse List",
            trigger: ".o_form_view button[name='action_view_warehouse_list']:contains('ดู Warehouse List')",
            run: "click",
        },
        {
            content: "Use ODS001 instead of the code the account has pulled with",
            trigger: ".modal .o_data_row:contains('ODS001') button[name='action_use_code']",
            run: "click",
        },
        {
            content: "Asked first: what the next pull would do, and a preview offered",
            trigger: ".modal .o_field_widget[name='explanation']:contains('ODS001')",
        },
        {
            content: "Change and preview",
            trigger: ".modal button[name='action_change_and_preview']",
            run: "click",
        },
        {
            content: "The preview of the new warehouse is done",
            trigger: "body:not(:has(.modal)) .o_form_view:has(.ribbon) .o_statusbar_status button.o_arrow_button_current[data-value='done']",
            timeout: 30000, // a pull run in the request may work up to its 20 s budget
        },
    ],
});
