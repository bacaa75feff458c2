"""Which image addresses the product import may fetch (no Odoo import).

A product's image address comes from the store's catalogue, that is from whoever
can edit a product in Zortout: fetching it from the Odoo server must not reach
the server's own network. An address is fetched only when every address its host
resolves to is public, or when its host is the Zortout API's own (the local
sandbox, on a development machine).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

__all__ = ["image_address_problem"]


def image_address_problem(url, api_host=None):
    """Why not to fetch ``url``, as (``"not_web"`` | ``"unresolved"`` | ``"private"``, detail), or None
    when it may be fetched. ``api_host`` is the Zortout base URL's host."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return "not_web", url
    if parts.scheme not in ("http", "https") or not host:
        return "not_web", url
    if api_host and host == api_host:
        return None
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)}
    except (socket.gaierror, UnicodeError):
        return "unresolved", host
    for address in sorted(addresses):
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            return "private", f"{host}: {ip}"
    return None
