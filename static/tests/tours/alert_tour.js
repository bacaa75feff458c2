import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// A scheduled pull failed for good: in Thai, the account list shows the account needs attention,
// and its form shows the Responsible's activity and the chatter message saying what to do.
registry.category("web_tour.tours").add("otd_marketplace_stock_alert", {
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Marketplace app",
            trigger: ".o_app[data-menu-xmlid='otd_marketplace_stock.menu_marketplace_root']",
            run: "click",
        },
        {
            content: "The account list marks the account that needs attention",
            trigger: ".o_data_row:contains('Zortout Alert Tour') .o_field_widget[name='in_trouble'] input:checked",
        },
        {
            content: "Open the account",
            trigger: ".o_data_row .o_data_cell:contains('Zortout Alert Tour')",
            run: "click",
        },
        {
            content: "The chatter holds the activity of the failed sync, named in Thai",
            trigger: ".o-mail-Activity:contains('Sync กับ Zortout ล้มเหลว')",
        },
        {
            content: "It says what happened and what to do, in Thai",
            trigger: ".o-mail-Message:contains('Zortout ไม่ยอมรับข้อมูลเข้าระบบ')",
        },
    ],
});
