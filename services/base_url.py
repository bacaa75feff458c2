"""Checking the Zortout base URL (no Odoo import)."""

from urllib.parse import urlsplit

__all__ = ["base_url_problem", "LOCAL_HOSTS"]

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def base_url_problem(url):
    """An English sentence saying what is wrong with ``url``, or None when it is usable.

    Credentials travel in headers, so only https is accepted, except towards
    this machine (the local sandbox).
    """
    try:
        parts = urlsplit((url or "").strip())
        host = parts.hostname
    except ValueError:
        return f"The Zortout base URL {url!r} is not a valid URL."
    if parts.scheme not in ("http", "https") or not host:
        return f"The Zortout base URL {url!r} must be an https:// URL, e.g. https://open-api.zortout.com/v4."
    if parts.scheme == "http" and host not in LOCAL_HOSTS:
        return (f"The Zortout base URL {url!r} must use https: the API key and secret would travel in clear "
                f"text. Plain http is only accepted for localhost or 127.0.0.1 (the local sandbox).")
    return None
