import { registry } from "@web/core/registry";

// Used by tests/test_screenshots.py: wait until the form is drawn, then the
// test photographs the page (scripts/take_screenshots.py).
registry.category("web_tour.tours").add("otd_marketplace_stock_screenshot_form", {
    steps: () => [
        {
            content: "The form is drawn with its saved record",
            trigger: ".o_form_view .o_form_saved .o_form_sheet",
        },
        {
            content: "No notification or tooltip left over",
            trigger: "body:not(:has(.o_notification)):not(:has(.o_popover))",
        },
    ],
});

// The same for a list view (the Jobs list).
registry.category("web_tour.tours").add("otd_marketplace_stock_screenshot_list", {
    steps: () => [
        {
            content: "The list is drawn with its rows",
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "No notification or tooltip left over",
            trigger: "body:not(:has(.o_notification)):not(:has(.o_popover))",
        },
    ],
});
