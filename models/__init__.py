from . import marketplace_account
