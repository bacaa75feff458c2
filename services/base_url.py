"""Checking the Zortout base URL, with the reason in the reader's language."""

from urllib.parse import urlsplit

__all__ = ["base_url_problem", "LOCAL_HOSTS"]

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def base_url_problem(env, url):
    """A sentence saying what is wrong with ``url`` (translated through ``env``), or None when it is
    usable. Credentials travel in headers, so only https is accepted, except towards this machine
    (the local sandbox)."""
    try:
        parts = urlsplit((url or "").strip())
        host = parts.hostname
    except ValueError:
        return env._("The Zortout base URL %(url)s is not a valid URL.", url=repr(url))
    if parts.scheme not in ("http", "https") or not host:
        return env._("The Zortout base URL %(url)s must be an https:// URL, e.g. https://open-api.zortout.com/v4.",
                     url=repr(url))
    if parts.scheme == "http" and host not in LOCAL_HOSTS:
        return env._("The Zortout base URL %(url)s must use https: the API key and secret would travel in clear "
                     "text. Plain http is only accepted for localhost or 127.0.0.1 (the local sandbox).",
                     url=repr(url))
    return None
