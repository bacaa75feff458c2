"""Create Products from Zortout: the Zortout products Odoo lacks, created page by page
(services/product_import.py), from the rows the wizard read and planned
(wizards/zortout_product_import.py).

Its result is an ImportResult (services/product_import_result.py), shown by the template
``product_import_result_summary`` (views/product_import_views.xml). Its steps make no
Zortout call: the rows were read by the wizard and kept on the job.
"""

import logging

from markupsafe import Markup

from odoo.addons.otd_marketplace_stock.const import PRODUCT_IMPORT_JOB_TYPE
from odoo.addons.otd_marketplace_stock.services.product_import import ImportEngine
from odoo.addons.otd_marketplace_stock.tools.job_message import _lt

from .registry import JobType

_logger = logging.getLogger(__name__)


def _count(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class ProductImport(JobType):
    code = PRODUCT_IMPORT_JOB_TYPE
    label = _lt("Create Products from Zortout")

    def start(self, job, client):
        # no step calls Zortout; the client's deadline bounds the image downloads
        return ImportEngine(job, client.deadline)

    def outcome(self, job, data):
        env = job.env
        counts = {key: _count(data.get(key)) for key in ("created", "already_in_odoo", "create_refused")}
        outcome = env._("Created %(created)s · already in Odoo %(already_in_odoo)s · not created "
                        "%(create_refused)s", **counts)
        if _count(data.get("image_failed")):
            outcome += " · " + env._("images not fetched: %(count)s", count=_count(data.get("image_failed")))
        return outcome

    def summary(self, job, data):
        env = job.env
        try:
            return env["ir.qweb"]._render("otd_marketplace_stock.product_import_result_summary",
                                          {"data": data, "samples": data.get("samples") or {}})
        except Exception:  # noqa: BLE001 - a result the template cannot read is shown as unreadable
            _logger.warning("zortout-sync job=%s result could not be shown", job.reference, exc_info=True)
            return Markup("<p>%s</p>") % env._("This result cannot be shown.")

    def done(self, job, result, now, warnings):
        # the kept rows are created: they are not read again
        job.sudo().page_ids.unlink()

    def log_values(self, result):
        return {"created": result.created, "templates": result.templates, "already": result.already_in_odoo,
                "refused": result.create_refused, "image_failed": result.image_failed,
                "duration_s": round(result.duration_s, 3)}
