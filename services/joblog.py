"""The one log line format the monitor scripts follow.

``zortout-sync job=<reference> account=<id> event=<name> key=value ...``;
values containing spaces (or quotes, or nothing) are double-quoted. Callers
pass their own module logger so that logger names start with
``odoo.addons.otd_marketplace_stock.``. Never pass a secret.
"""

import logging

__all__ = ["log_job_event", "log_event", "format_value", "JobClientLogger"]


def _printable(char):
    """A character as the log shows it: control characters (LF, CR, ESC...) as escapes, so that
    a value can neither start a forged line nor colour a terminal."""
    if char.isprintable() or char == " ":
        return char
    return char.encode("unicode_escape").decode("ascii") if char != "\\" else char


def format_value(value):
    if value is None or value is False:
        value = "-"
    elif isinstance(value, float):
        value = f"{value:.3f}".rstrip("0").rstrip(".") or "0"
    text = str(value)
    if not text or any(char.isspace() or char in "\"=" or not char.isprintable() for char in text):
        text = text.replace("\\", "\\\\").replace('"', '\\"')
        text = '"' + "".join(map(_printable, text)) + '"'
    return text


def log_event(logger, level, job_reference, account_id, event, **values):
    """One line: ``zortout-sync job=<reference or -> account=<id or -> event=<name> key=value ...``."""
    if not logger.isEnabledFor(level):
        return
    pairs = "".join(f" {key}={format_value(value)}" for key, value in values.items())
    logger.log(level, "zortout-sync job=%s account=%s event=%s%s", format_value(job_reference or "-"),
               account_id or "-", format_value(event), pairs)


def log_job_event(logger, level, job, event, **values):
    log_event(logger, level, job.reference or job.id, job.account_id.id, event, **values)


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
