{
    "name": "Zortout Stock Sync",
    "version": "19.0.1.4.0",
    "category": "Inventory/Inventory",
    "summary": "Pull on-hand and available stock from Zortout (ZORT) into Odoo inventory, "
               "with a job queue, scheduled pulls and a Thai UI",
    "description": """
Keeps Odoo's inventory in step with Zortout (ZORT): each SKU's quantity is read
from Zortout's Open API v4 and written as an Odoo inventory adjustment.
Pull Stock, scheduled pulls and Zortout's stock webhook (instant sync) queue jobs
that a runner takes step by step; every changed or skipped SKU is reported.
The module page (static/description/index.html) shows the features in English
and Thai; README.md is the full guide.
""",
    "author": "OTD",
    # no "website": the module has no public page of its own, and in Apps a website
    # turns the card's "Module Info" (the page above) into a "Learn More" link to it
    "maintainers": ["otd"],
    "license": "LGPL-3",
    "depends": ["stock", "mail"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/marketplace_groups.xml",
        "security/ir.model.access.csv",
        "security/marketplace_rules.xml",
        "security/marketplace_webhook_rules.xml",
        "data/marketplace_data.xml",
        "data/marketplace_alerts.xml",
        "views/marketplace_warehouse_mapping_views.xml",
        "views/marketplace_account_views.xml",
        "views/job_result_templates.xml",
        "views/marketplace_job_views.xml",
        "views/marketplace_job_line_views.xml",
        "views/stock_move_views.xml",
        "views/marketplace_account_webhook_views.xml",
        "wizards/zortout_warehouse_wizard_views.xml",
        "wizards/zortout_warehouse_code_change_views.xml",
        "wizards/zortout_product_import_views.xml",
        "views/product_import_views.xml",
        "views/marketplace_menus.xml",
    ],
    "demo": [
        "demo/marketplace_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "otd_marketplace_stock/static/src/**/*",
        ],
        "web.assets_tests": [
            "otd_marketplace_stock/static/tests/tours/*.js",
        ],
    },
    "application": True,
}
