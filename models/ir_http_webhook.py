"""Refuse an oversized webhook delivery before Odoo reads its body.

Odoo parses a request's form fields before the route's own code runs (up to
its 128 MB upload limit), so the size of a delivery is judged here, from its
Content-Length, before anything is read: a body over WEBHOOK_MAX_BODY, or a
body whose length is not given (chunked), gets HTTP 400 with nothing read.
In front of a TLS proxy - Zortout needs https - a delivery always arrives
with its length.
"""

import logging

from werkzeug.exceptions import abort

from odoo import models
from odoo.http import Response, request

from odoo.addons.otd_marketplace_stock.const import WEBHOOK_MAX_BODY, WEBHOOK_ROUTE
from odoo.addons.otd_marketplace_stock.services.joblog import log_event

_logger = logging.getLogger("odoo.addons.otd_marketplace_stock.controllers.webhook")


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        httprequest = request.httprequest
        if httprequest.path.startswith(WEBHOOK_ROUTE + "/"):
            length = httprequest.content_length
            chunked = "chunked" in (httprequest.headers.get("Transfer-Encoding") or "").lower()
            if (length is not None and length > WEBHOOK_MAX_BODY) or (length is None and chunked):
                reason = "too_large" if length is not None else "length_required"
                token = httprequest.path[len(WEBHOOK_ROUTE) + 1:].strip("/")
                account = request.env["marketplace.account"].sudo()._webhook_account_for_token(token)
                if account:
                    account._webhook_count("too_large")
                    # the refusal ends the request with an exception, which rolls its transaction back
                    request.env.cr.commit()
                log_event(_logger, logging.WARNING, None, account.id, "webhook_refused", status=400,
                          reason=reason, bytes=length, peer=httprequest.remote_addr)
                abort(Response("body too large" if length is not None else "length required", status=400,
                               content_type="text/plain"))
        return super()._pre_dispatch(rule, args)
