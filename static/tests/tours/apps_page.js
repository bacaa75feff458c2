import { registry } from "@web/core/registry";

// The module as the Apps screen shows it: its card found by name, then its page
// (Module Info), which opens with the short description of static/description/index.html.
// Used by tests/test_install.py, and by tests/test_screenshots.py to photograph both.

function findCard() {
    return [
        {
            // searching while the first load is under way could leave the whole list on screen
            content: "Apps has drawn its cards",
            trigger: ".o_modules_kanban .o_kanban_record:not(.o_kanban_ghost)",
        },
        {
            content: "Look the module up by name in Apps",
            trigger: ".o_searchview_input",
            run: "edit Zortout Stock Sync",
        },
        {
            content: "Search",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "The search found the module alone; its card shows its summary",
            trigger: ".o_kanban_record:not(.o_kanban_ghost):only:has(.fw-bold:contains('Zortout Stock Sync')):contains('Pull on-hand and available stock from Zortout')",
        },
    ];
}

registry.category("web_tour.tours").add("otd_marketplace_stock_apps_card", {
    steps: () => [
        ...findCard(),
        {
            content: "No notification or tooltip left over",
            trigger: "body:not(:has(.o_notification)):not(:has(.o_popover))",
        },
    ],
});

registry.category("web_tour.tours").add("otd_marketplace_stock_apps_page", {
    steps: () => [
        ...findCard(),
        {
            content: "Open the module's page",
            trigger: ".o_kanban_record:has(.fw-bold:contains('Zortout Stock Sync')) #module_info",
            run: "click",
        },
        {
            content: "The page opens with the short description, in English and in Thai",
            trigger: ".o_module_form .oe_styling_v8:contains('inventory in step with Zortout (ZORT)'):contains('ให้สต็อกใน Odoo ตรงกับ Zortout (ZORT)')",
        },
        {
            content: "No notification or tooltip left over",
            trigger: "body:not(:has(.o_notification)):not(:has(.o_popover))",
        },
    ],
});
