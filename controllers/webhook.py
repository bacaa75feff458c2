"""The endpoint Zortout's stock webhook calls: ``POST /otd_marketplace_stock/webhook/<token>``.

One URL per account, its token unguessable (and regenerable from the account
form). No login, no CSRF token: a delivery proves itself with the account's
three keys (see services/webhook_payload.py), compared in constant time.

Answers, always with an empty or one-line body, fast:

* 200: the SKUs were added to the account's pending instant sync (or the
  delivery named another event, or no SKU, and was only counted);
* 401: keys missing or wrong - nothing queued;
* 404: no account with instant sync on has this token;
* 400: an unreadable body (and, before any reading, one over 64 KB: see
  models/ir_http_webhook.py).

Every answer is one log line (``event=webhook_accepted``, ``webhook_ignored``
or ``webhook_refused`` with the reason) for the monitor scripts; no key, no
token, no body is ever logged (Odoo's own line for each request, which names
the path, shows the token as ``***``: see HideWebhookToken). The quantities a delivery carries are never
used: the instant sync reads the SKUs again from Zortout.
"""

import logging
import re
import time

from odoo import SUPERUSER_ID, http
from odoo.http import Response, request

from odoo.addons.otd_marketplace_stock.const import WEBHOOK_MAX_BODY, WEBHOOK_ROUTE
from odoo.addons.otd_marketplace_stock.services.joblog import log_event
from odoo.addons.otd_marketplace_stock.services.webhook_events import webhook_event
from odoo.addons.otd_marketplace_stock.services.webhook_payload import DeliveryError, check_keys, parse_delivery

_logger = logging.getLogger(__name__)


class HideWebhookToken(logging.Filter):
    """Odoo logs every request's path (logger ``werkzeug``): a webhook URL's token, a secret, becomes ``***``."""

    pattern = re.compile(re.escape(WEBHOOK_ROUTE) + r"/[^\s/?#\"]+")

    def filter(self, record):
        if isinstance(record.args, tuple) and any(isinstance(arg, str) and WEBHOOK_ROUTE in arg
                                                  for arg in record.args):
            record.args = tuple(self.pattern.sub(WEBHOOK_ROUTE + "/***", arg) if isinstance(arg, str) else arg
                                for arg in record.args)
        return True


_request_logger = logging.getLogger("werkzeug")
if not any(type(known).__name__ == HideWebhookToken.__name__ for known in _request_logger.filters):
    _request_logger.addFilter(HideWebhookToken())


class ZortoutWebhook(http.Controller):

    # read/write (auth="none" routes are read-only by default): a delivery writes, in a transaction of its own
    @http.route(f"{WEBHOOK_ROUTE}/<string:token>", type="http", auth="none", methods=["POST"], csrf=False,
                save_session=False, readonly=False)
    def zortout_stock_webhook(self, token, **_params):
        started = time.monotonic()
        httprequest = request.httprequest
        env = request.env(user=SUPERUSER_ID)
        account, keys = env["marketplace.account"]._webhook_lookup(token)
        if not account:
            return self._refuse(None, 404, "unknown_token", started, "unknown URL")
        refusal = check_keys(keys, httprequest.headers)
        if refusal:
            account._webhook_count(refusal)
            return self._refuse(account, 401, refusal, started, "wrong or missing keys")
        try:
            # kept: should Odoo run the request again (a serialization failure), the body is read again
            body = httprequest.get_data(cache=True)
            if len(body) > WEBHOOK_MAX_BODY:
                raise DeliveryError("the delivery's body is too large", reason="too_large")
            delivery = parse_delivery(body, httprequest.form, httprequest.args)
        except DeliveryError as exc:
            account._webhook_count(exc.reason)
            return self._refuse(account, 400, exc.reason, started, "unreadable body", detail=str(exc))
        ignored = account._webhook_ignore_reason()
        event = webhook_event(delivery.event)
        if ignored or not event or not delivery.skus:
            account._webhook_count()
            reason = ignored or ("other_event" if not event else "no_sku")
            log_event(_logger, logging.INFO, None, account.id, "webhook_ignored", reason=reason,
                      event_name=delivery.event, format=delivery.shape, **self._unusable(delivery),
                      ms=self._ms(started))
            return Response(status=200)
        outcome = account._webhook_enqueue(event, delivery.skus)
        log_event(_logger, logging.INFO, outcome["job"], account.id, "webhook_accepted",
                  skus=len(delivery.skus), added=outcome["added"], pending=outcome["pending"],
                  due=outcome.get("due"), format=delivery.shape, **self._unusable(delivery), ms=self._ms(started))
        return Response(status=200)

    def _refuse(self, account, status, reason, started, text, **values):
        log_event(_logger, logging.WARNING, None, account.id if account else None, "webhook_refused",
                  status=status, reason=reason, peer=request.httprequest.remote_addr, ms=self._ms(started),
                  **values)
        return Response(text, status=status, content_type="text/plain; charset=utf-8")

    @staticmethod
    def _unusable(delivery):
        """SKUs with a comma or a control character cannot be read from Zortout: say how many were left out."""
        return {"unusable_skus": delivery.unusable} if delivery.unusable else {}

    @staticmethod
    def _ms(started):
        return round((time.monotonic() - started) * 1000, 1)
