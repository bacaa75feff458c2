import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// Marketplace > Accounts > the account > "ดึงสต็อกสินค้า" (Pull Stock) > the job is Done.
// The button is found by its method name and the Thai label of the users' guide.
registry.category("web_tour.tours").add("otd_marketplace_stock_pull_stock", {
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
            content: "Press Pull Stock (ดึงสต็อกสินค้า)",
            trigger: ".o_form_view button[name='action_pull_stock']:contains('ดึงสต็อกสินค้า')",
            run: "click",
        },
        {
            content: "The job form opens and shows Done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value='done']",
            timeout: 30000, // a pull run in the request may work up to its 20 s budget
        },
        {
            content: "The result summary lists the updated products",
            trigger: ".o_form_view .o_marketplace_result",
        },
    ],
});
