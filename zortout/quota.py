"""Zortout's daily request quota.

A store may send 50,000 requests a day; the figure comes from the notice
Zortout attaches to answers near the limit: "API Request Limits (50000
requests/day)". The day is taken to be Bangkok's (UTC+7, no daylight saving
time): the quota resets at midnight there.
"""

import re
from datetime import datetime, time, timedelta, timezone

__all__ = ["DAILY_REQUEST_LIMIT", "ZORTOUT_TIMEZONE", "QUOTA_NOTICE", "next_quota_reset", "limit_in_notice"]

#: Requests a store may send per day.
DAILY_REQUEST_LIMIT = 50_000

#: Asia/Bangkok: UTC+7 all year round.
ZORTOUT_TIMEZONE = timezone(timedelta(hours=7), "Asia/Bangkok")

#: The words that start Zortout's quota notice (compared in lower case).
QUOTA_NOTICE = "api request limits"

_LIMIT_IN_NOTICE = re.compile(r"(\d[\d,]*)\s*requests", re.IGNORECASE)


def next_quota_reset(now):
    """The next midnight in Bangkok after ``now`` (an aware datetime), in UTC."""
    if now.tzinfo is None:
        raise ValueError("next_quota_reset needs an aware datetime")
    local = now.astimezone(ZORTOUT_TIMEZONE)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=ZORTOUT_TIMEZONE)
    return midnight.astimezone(timezone.utc)


def limit_in_notice(text):
    """The daily limit named in a quota notice ("... (50000 requests/day)"),
    or None when the notice names none."""
    match = _LIMIT_IN_NOTICE.search(text or "")
    return int(match.group(1).replace(",", "")) if match else None
