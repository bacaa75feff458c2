"""Production shape, in ``odoo-bin shell``: queue the full sync of the big account.

The account's last full pull read more SKUs than a request may sync, so Pull
Stock (pressed as the administrator) queues the job and wakes the runner cron.
A store small enough for the request (``--quick``) is queued the way a
scheduled pull queues it instead. The commit hands the job to the multi-worker
server. Prints the job as ``RESULT {json}``.
"""

import json
import os

from odoo import fields

from odoo.addons.otd_marketplace_stock.const import PARAM_REQUEST_MAX_SKUS
from odoo.addons.otd_marketplace_stock.tools.params import param_value


def main(env):
    account = env["marketplace.account"].browse(int(os.environ["OTD_PRODUCTION_ACCOUNT"]))
    if account.last_sweep_skus > param_value(env, PARAM_REQUEST_MAX_SKUS):
        action = account.with_user(env.ref("base.user_admin")).action_pull_stock()
        job, way = env["marketplace.job"].browse(action["res_id"]), "Pull Stock"
    else:
        job, way = account._new_sync_job(), "as a scheduled pull queues it"
    if job.state != "pending":
        raise SystemExit(f"{way} ran the job in the request ({job.state}) instead of queuing it")
    env.cr.commit()
    print("RESULT " + json.dumps({"job_id": job.id, "reference": job.reference, "way": way,
                                  "queued_at": fields.Datetime.to_string(fields.Datetime.now())}), flush=True)


if __name__ == "__main__":  # run by production_shape.py through runpy, with the shell's env
    main(env)  # noqa: F821 - given by odoo-bin shell
