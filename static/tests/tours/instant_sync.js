import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// Marketplace > Accounts > the account > "เปิด Sync ทันที" (Enable instant sync): Zortout is given
// Odoo's webhook URL, the form shows instant sync on, the URL, and the warning that Zortout cannot
// reach a local address.
registry.category("web_tour.tours").add("otd_marketplace_stock_instant_sync", {
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Marketplace app",
            trigger: ".o_app[data-menu-xmlid='otd_marketplace_stock.menu_marketplace_root']",
            run: "click",
        },
        {
            content: "Open the Zortout account",
            trigger: ".o_data_row .o_data_cell:contains('Zortout Tour')",
            run: "click",
        },
        {
            content: "The account form has an instant sync section (Sync ทันที), still off",
            trigger: ".o_form_view .o_inner_group:contains('Sync ทันที') .o_field_widget[name='webhook_enabled'] input:not(:checked)",
        },
        {
            content: "Press Enable instant sync (เปิด Sync ทันที)",
            trigger: ".o_form_view button[name='action_enable_instant_sync']:contains('เปิด Sync ทันที')",
            run: "click",
        },
        {
            content: "Odoo says instant sync is on",
            trigger: ".o_notification:contains('Sync ทันทีเปิดแล้ว')",
        },
        {
            content: "The form shows it on",
            trigger: ".o_form_view .o_field_widget[name='webhook_enabled'] input:checked",
        },
        {
            content: "The form shows Odoo's webhook URL",
            trigger: ".o_form_view .o_field_widget[name='webhook_url']:contains('/otd_marketplace_stock/webhook/')",
        },
        {
            content: "The form warns that Zortout cannot reach a local address",
            trigger: ".o_form_view .alert-warning:contains('Zortout')",
        },
        {
            content: "Disable instant sync (ปิด Sync ทันที) is offered now",
            trigger: ".o_form_view button[name='action_disable_instant_sync']:contains('ปิด Sync ทันที')",
        },
    ],
});
