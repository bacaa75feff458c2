"""Parsing and validation of a marketplace job's JSON payload.

A payload is a JSON object with, all optional:

* ``warehouse_code``: a Zortout warehouse code (string, stripped; empty means none);
* ``sku_list``: a list of SKU strings (an empty list means "every product");
* ``force``: a boolean that lets a full sweep through the zero guard;
* ``dry_run``: a boolean; true runs the sweep and the plan and records what
  would change, without writing any stock (a preview).
"""

import json
from dataclasses import dataclass

from odoo.addons.otd_marketplace_stock.const import MAX_CODE_LENGTH, MAX_SKUS
from odoo.addons.otd_marketplace_stock.tools.job_message import _lt
from odoo.addons.otd_marketplace_stock.zortout.values import clean_sku

__all__ = ["PayloadError", "SyncPayload", "parse_payload", "ALLOWED_KEYS"]

ALLOWED_KEYS = ("warehouse_code", "sku_list", "force", "dry_run")


class PayloadError(ValueError):
    """The payload is not acceptable; the message names the problem (English).

    ``template`` and ``params`` give the message untranslated, so that Odoo can
    show it in the user's language: ``env._(error.template, **error.params)``.
    """

    def __init__(self, template, **params):
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)


@dataclass(frozen=True)
class SyncPayload:
    warehouse_code: str | None = None
    sku_list: tuple | None = None
    force: bool = False
    dry_run: bool = False

    @property
    def mode(self):
        return "sku_list" if self.sku_list is not None else "full"


def parse_payload(text):
    """Return a :class:`SyncPayload` for ``text`` or raise :class:`PayloadError`."""
    if text is None or not str(text).strip():
        return SyncPayload()
    try:
        data = json.loads(text)
    except ValueError as exc:
        try:
            # the user guide's example carries "// ..." notes: accept them
            data = json.loads(_strip_line_comments(text))
        except ValueError:
            # where, not Python's own words: the message must read in the user's language
            raise PayloadError(_lt("The payload is not valid JSON: check line %(line)s, column %(column)s "
                                   "(quotes, commas and brackets)."), line=exc.lineno, column=exc.colno) from None
    if not isinstance(data, dict):
        raise PayloadError(_lt('The payload must be a JSON object, e.g. {"warehouse_code": "W0001"}.'))
    unknown = sorted(set(data) - set(ALLOWED_KEYS))
    if unknown:
        raise PayloadError(_lt("The payload has unknown keys: %(keys)s. Allowed keys: %(allowed)s."),
                           keys=", ".join(unknown), allowed=", ".join(ALLOWED_KEYS))
    return SyncPayload(
        warehouse_code=_warehouse_code(data.get("warehouse_code")),
        sku_list=_sku_list(data.get("sku_list")),
        force=_flag(data.get("force", False), "force"),
        dry_run=_flag(data.get("dry_run", False), "dry_run"),
    )


def _strip_line_comments(text):
    """``text`` without ``// ...`` comments that stand outside JSON strings."""
    out = []
    in_string = escaped = False
    i = 0
    while i < len(text):
        char = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _warehouse_code(value):
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadError(_lt('The payload\'s warehouse_code must be a string, e.g. "ODS001".'))
    code = value.strip()
    if not code:
        return None
    if any(char.isspace() for char in code):
        raise PayloadError(_lt("The payload's warehouse_code %(code)s must not contain spaces."), code=repr(code))
    if len(code) > MAX_CODE_LENGTH:
        raise PayloadError(_lt("The payload's warehouse_code is longer than %(max)s characters."),
                           max=MAX_CODE_LENGTH)
    return code


def _sku_list(value):
    if value is None:
        return None
    if not isinstance(value, list):
        raise PayloadError(_lt('The payload\'s sku_list must be a list of SKU strings, e.g. ["SKU-1", "SKU-2"].'))
    if len(value) > MAX_SKUS:
        raise PayloadError(_lt("The payload's sku_list has %(count)s SKUs; at most %(max)s are allowed."),
                           count=len(value), max=MAX_SKUS)
    skus = {}  # insertion-ordered set: 10,000 SKUs are checked in linear time
    for position, sku in enumerate(value, start=1):
        if not isinstance(sku, str):
            raise PayloadError(_lt("The payload's sku_list item %(position)s is not a string: %(value)s."),
                               position=position, value=repr(sku))
        cleaned = clean_sku(sku)
        if cleaned is None:
            # Zortout's skulist header is comma-separated and cannot carry control characters
            raise PayloadError(_lt("The payload's sku_list item %(position)s contains a comma or a control "
                                   "character: %(value)s."), position=position, value=repr(sku.strip()))
        if cleaned:
            skus[cleaned] = None
    # an empty list means "no filter": the whole store, as the user guide says
    return tuple(skus) or None


def _flag(value, key):
    if not isinstance(value, bool):
        raise PayloadError(_lt("The payload's %(key)s must be true or false."), key=key)
    return value
