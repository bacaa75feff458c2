"""Switch a test database to Thai the way a Thai installation is: the th_TH
language active and this addon's i18n/th.po loaded."""

ADDON = "otd_marketplace_stock"


def load_thai(env, user=None):
    """Activate th_TH, load the addon's Thai terms; give ``user`` Thai if given."""
    env["res.lang"]._activate_lang("th_TH")
    env["ir.module.module"]._load_module_terms([ADDON], ["th_TH"], overwrite=True)
    if user:
        user.lang = "th_TH"
