"""What each webhook event queues: one entry per event of Zortout's webhook that Odoo acts on.

A delivery names its event (``method``; see webhook_payload.py); an event not in
``WEBHOOK_EVENTS`` is answered and counted, and queues nothing. An entry says which
job type gathers the SKUs the deliveries name, with which origin and job name: the
deliveries of one window go into one pending job of that type (see
models/marketplace_account_webhook.py).
"""

from dataclasses import dataclass

from odoo.addons.otd_marketplace_stock.const import INSTANT_JOB_TYPE, QUANTITY_EVENT
from odoo.addons.otd_marketplace_stock.tools.job_message import _lt

__all__ = ["WebhookEvent", "WEBHOOK_EVENTS", "webhook_event"]


@dataclass(frozen=True)
class WebhookEvent:
    job_type: str  # a registered job type (job_types/) whose payload takes a sku_list
    origin: str  # the jobs' origin (const.JOB_ORIGINS)
    job_name: str  # the jobs' name, in English (shown in the company's language)


#: event name (upper case) -> what its deliveries queue
WEBHOOK_EVENTS = {
    QUANTITY_EVENT: WebhookEvent(INSTANT_JOB_TYPE, "instant", _lt("Instant sync from Zortout")),
}


def webhook_event(name):
    """The entry of event ``name``, or None. Our URL is registered for the quantity event
    only: a delivery that names no event is one."""
    return WEBHOOK_EVENTS.get((name or QUANTITY_EVENT).upper())
