"""Can Zortout reach Odoo at this address? (no Odoo import)

Zortout calls the webhook from the internet, so the URL Odoo registers there
(built from the system parameter ``web.base.url``) must be a public https
address. Nothing here resolves names or opens connections: only the shape of
the URL is judged.
"""

import ipaddress
from urllib.parse import urlsplit

__all__ = ["public_url_problem"]

_LOCAL_NAMES = ("localhost", "localhost.localdomain")
_LOCAL_SUFFIXES = (".localhost", ".local", ".lan", ".internal", ".home", ".corp", ".intranet")


def public_url_problem(url):
    """("not_https" | "local" | "invalid", host) when Zortout probably cannot
    reach ``url``, else None.

    ``local``: localhost, a private, loopback or link-local address, or a name
    without a dot or with a local-network suffix. ``not_https``: a public host
    over plain http (Zortout would send the keys in clear text).
    """
    try:
        parts = urlsplit((url or "").strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return "invalid", ""
    if parts.scheme not in ("http", "https") or not host:
        return "invalid", host
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        if not address.is_global:
            return "local", host
    elif host in _LOCAL_NAMES or host.endswith(_LOCAL_SUFFIXES) or "." not in host:
        return "local", host
    if parts.scheme != "https":
        return "not_https", host
    return None
