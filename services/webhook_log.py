"""The log line of a webhook delivery, in the format the monitor scripts follow.

``zortout-sync job=<job or -> account=<id or -> event=webhook_<outcome> key=value ...``
(see joblog.py). Never pass a key or a token.
"""

from .joblog import format_value

__all__ = ["log_webhook_event"]


def log_webhook_event(logger, level, account_id, job_reference, event, **values):
    if not logger.isEnabledFor(level):
        return
    pairs = "".join(f" {key}={format_value(value)}" for key, value in values.items())
    logger.log(level, "zortout-sync job=%s account=%s event=%s%s", job_reference or "-", account_id or "-",
               event, pairs)
