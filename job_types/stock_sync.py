"""The stock sync: Zortout's quantities into Odoo's stock (services/sync_engine.py).

Its result is a SyncResult (services/sync_result.py), shown by the template
``job_result_summary`` (views/job_result_templates.xml). A full pull with the
account's own settings is what the account's "Last Sync" and its alerts tell of.
"""

import logging

from markupsafe import Markup

from odoo.addons.otd_marketplace_stock.const import SKIP_REASONS, SYNC_JOB_TYPE
from odoo.addons.otd_marketplace_stock.services.sync_engine import SyncEngine
from odoo.addons.otd_marketplace_stock.tools.job_message import _lt, msg, safe_render
from odoo.addons.otd_marketplace_stock.tools.job_payload import PayloadError

from .registry import JobType

_logger = logging.getLogger(__name__)


def _count(value):
    """A count kept in a result, or 0 when it is not one."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class StockSync(JobType):
    code = SYNC_JOB_TYPE
    label = _lt("Sync Stock from Zortout")
    #: the warehouse codes of the account's last pull are enough to check the job's codes
    #: (no GetWarehouses call); see SyncEngine._valid_warehouse_codes
    trusts_known_warehouse_codes = False

    def start(self, job, client):
        return SyncEngine(job.with_company(job.account_id.company_id), client,
                          trust_known_codes=self.trusts_known_warehouse_codes)

    def is_account_pull(self, job):
        """A full pull with the account's own settings: what the account's "Last Sync" tells of.
        A preview, a SKU list or another warehouse code given in the payload is not one."""
        try:
            payload = job._payload()
        except PayloadError:
            return False
        return not (payload.dry_run or payload.sku_list or payload.warehouse_code)

    def outcome(self, job, data):
        env = job.env
        skipped = data.get("skipped")
        counts = {"updated": _count(data.get("updated")), "unchanged": _count(data.get("unchanged")),
                  "skipped": sum(map(_count, skipped.values())) if isinstance(skipped, dict) else 0}
        if data.get("dry_run"):
            outcome = env._("Would update %(updated)s · unchanged %(unchanged)s · skipped %(skipped)s", **counts)
        else:
            outcome = env._("Updated %(updated)s · unchanged %(unchanged)s · skipped %(skipped)s", **counts)
        warehouses = data.get("warehouses") if isinstance(data.get("warehouses"), list) else []
        failed = [str(entry.get("code") or "-") for entry in warehouses
                  if isinstance(entry, dict) and entry.get("state") == "failed"]
        if failed:
            outcome += " · " + env._("failed: %(codes)s", codes=", ".join(failed))
        return outcome

    def summary(self, job, data):
        env = job.env
        # the skip reasons are the change lines' decisions: their labels are translated with the selection
        labels = dict(env["marketplace.job.line"]._fields["decision"]._description_selection(env))
        try:
            return env["ir.qweb"]._render("otd_marketplace_stock.job_result_summary", {
                "data": data, "labels": labels, "skip_reasons": list(SKIP_REASONS),
                "warehouses": data.get("warehouses") or [],
                "render_message": lambda message: safe_render(env, message),
                "samples": data.get("samples") or {}, "skipped": data.get("skipped") or {},
            })
        except Exception:  # noqa: BLE001 - a result the template cannot read is shown as unreadable
            _logger.warning("zortout-sync job=%s result could not be shown", job.reference, exc_info=True)
            return Markup("<p>%s</p>") % env._("This result cannot be shown.")

    def warnings(self, job, result):
        # a warehouse whose sweep failed while the others were applied: done, and the form says which
        failures = [msg(_lt("Warehouse %(code)s could not be pulled: %(error)s Its location %(location)s was not "
                            "changed; the other warehouses were applied."),
                        code=entry["code"] or "-", error=entry["error"], location=entry["location"])
                    for entry in result.failed_warehouses]
        details = "; ".join(entry["details"] for entry in result.failed_warehouses if entry.get("details")) or None
        return failures, details

    def done(self, job, result, now, warnings):
        account = job.account_id
        account_pull = self.is_account_pull(job)
        if warnings and job.env.context.get("marketplace_unattended"):
            zero_guard = any(entry.get("problem") == "zero_guard" for entry in result.failed_warehouses)
            account._alert("zero_guard" if zero_guard else "warehouse_failed", warnings, job=job)
        elif not warnings and account_pull:
            account.sudo().last_good_pull_at = now
            account._alerts_resolved(job)
        if not job.is_preview:
            # a done pull never reads its pages again (a preview's wait for Apply This Preview)
            job.sudo().page_ids.unlink()
        account._record_credentials(refused=False)
        if account_pull:
            account._record_sync_outcome("done", now, swept=job.skus_total, calls=result.api_calls)

    def failed(self, job, now):
        if self.is_account_pull(job):
            job.account_id._record_sync_outcome("failed", now)

    def log_values(self, result):
        return {"fetched": result.fetched, "matched": result.matched, "updated": result.updated,
                "unchanged": result.unchanged, "skipped": result.skipped_total, "duration_s": result.duration_s,
                "dry_run": result.dry_run}
