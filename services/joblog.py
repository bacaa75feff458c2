"""The one log line format the monitor scripts follow.

``zortout-sync job=<reference> account=<id> event=<name> key=value ...``;
values containing spaces (or quotes, or nothing) are double-quoted. Callers
pass their own module logger so that logger names start with
``odoo.addons.otd_marketplace_stock.``. Never pass a secret.
"""

import logging

__all__ = ["log_job_event", "format_value", "JobClientLogger"]


def format_value(value):
    if value is None or value is False:
        value = "-"
    elif isinstance(value, float):
        value = f"{value:.3f}".rstrip("0").rstrip(".") or "0"
    text = str(value)
    if not text or any(char.isspace() or char in "\"=" for char in text):
        text = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
    return text


def log_job_event(logger, level, job, event, **values):
    if not logger.isEnabledFor(level):
        return
    pairs = "".join(f" {key}={format_value(value)}" for key, value in values.items())
    logger.log(level, "zortout-sync job=%s account=%s event=%s%s",
               job.reference or job.id, job.account_id.id or "-", event, pairs)


class JobClientLogger(logging.LoggerAdapter):
    """Hands the Zortout client a logger whose lines carry the job's prefix:
    ``zortout-sync job=... account=... event=http detail="Zortout GET ... -> 200 in 12 ms"``
    (one per page and per retry, at DEBUG)."""

    def __init__(self, logger, job):
        super().__init__(logger, {})
        self.job = job

    def log(self, level, msg, *args, **kwargs):
        if self.isEnabledFor(level):
            log_job_event(self.logger, level, self.job, "http", detail=(msg % args) if args else msg)
