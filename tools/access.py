"""Access checks the wizards share."""


def check_named_accounts_readable(env, vals_list):
    """A wizard names its account by id: refuse an account the user may not read (another company's)."""
    env["marketplace.account"].browse(
        {vals["account_id"] for vals in vals_list if vals.get("account_id")}).check_access("read")
