"""A separate Odoo process for the concurrency and crash tests.

Usage: ``python odoo_worker.py SPEC.json`` where SPEC holds ``odoo_root`` (the
folder holding the ``odoo`` package), ``args`` (Odoo command-line options:
database, database server, addons path, log file), an optional ``go_file``
(wait for it to exist before working, after writing ``ready_file``) and
``result_file`` (where the outcome is written as JSON), and an optional
``timing_file`` (where the seconds the work took are written, as {"seconds": ...}).

By default it does what a cron worker does: ``marketplace.job._cron_run_jobs()``
in its own cursor, committing as the runner commits, and writes the ids of the
jobs it ran. With ``call`` = ``{"model", "ids", "method"}`` it calls that button
instead, as a web request would, and writes ``{"result": ...}`` or
``{"error": <UserError message>}``. With ``exit_after_commits`` = N the process
dies (``os._exit``, as a killed worker would) right after its Nth commit.
"""

import json
import os
import sys
import time


def main(spec_path):
    with open(spec_path) as spec_file:
        spec = json.load(spec_file)
    sys.path.insert(0, spec["odoo_root"])
    import odoo  # noqa: PLC0415 - the path is only known at run time
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(spec["args"], setup_logging=True)
    registry = Registry(config["db_name"][0] if isinstance(config["db_name"], list) else config["db_name"])
    if spec.get("ready_file"):
        with open(spec["ready_file"], "w") as ready:
            ready.write(str(os.getpid()))
    deadline = time.monotonic() + 120
    while spec.get("go_file") and not os.path.exists(spec["go_file"]) and time.monotonic() < deadline:
        time.sleep(0.02)
    from odoo.exceptions import UserError  # noqa: PLC0415
    if spec.get("exit_after_commits"):
        die_after_commits(spec["exit_after_commits"], registry.db_name)
    call = spec.get("call")
    started = time.monotonic()
    try:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            if call:
                outcome = {"result": getattr(env[call["model"]].browse(call["ids"]), call["method"])()}
            else:
                outcome = env["marketplace.job"]._cron_run_jobs().ids
    except UserError as exc:
        outcome = {"error": str(exc)}
    if spec.get("timing_file"):
        # how long the cron pass (or the call) took, from the claim to the last commit
        with open(spec["timing_file"], "w") as timing:
            json.dump({"seconds": time.monotonic() - started}, timing)
    if spec.get("result_file"):
        with open(spec["result_file"], "w") as result:
            json.dump(outcome, result, default=str)


def die_after_commits(limit, db_name):
    """Make the process die right after its ``limit``-th commit on ``db_name``: between two
    steps of a job (the commits of Odoo's own cursors on other databases do not count)."""
    from odoo.sql_db import Cursor  # noqa: PLC0415
    commit = Cursor.commit
    done = [0]

    def commit_then_maybe_die(cursor):
        result = commit(cursor)
        if cursor.dbname != db_name:
            return result
        done[0] += 1
        if done[0] >= limit:
            os._exit(9)
        return result

    Cursor.commit = commit_then_maybe_die


if __name__ == "__main__":
    main(sys.argv[1])
