"""Typed errors raised by :class:`zortout.client.ZortoutClient`.

Every error carries:

* ``transient`` - True when trying again later may succeed (timeouts, server
  trouble, the daily quota); False when a person has to fix something first
  (credentials, warehouse code, a rejected request). The client itself
  retries only :class:`ZortoutTransientError`: a spent daily quota is
  transient too, but only passes at its reset time;
* ``res_code`` / ``res_desc`` - Zortout's result code and its exact message,
  when the answer carried one;
* ``http_status`` - the HTTP status, when a response arrived;
* ``endpoint`` - the path called, e.g. ``/Product/GetProducts``.

Messages never contain the API key or secret.
"""

__all__ = [
    "ZortoutError",
    "ZortoutPermanentError",
    "ZortoutAuthError",
    "ZortoutUnknownWarehouseError",
    "ZortoutTransientError",
    "ZortoutTimeoutError",
    "ZortoutConnectionError",
    "ZortoutServerError",
    "ZortoutRateLimitError",
    "ZortoutQuotaExceededError",
    "ZortoutBadResponseError",
    "ZortoutIncompleteSweepError",
    "ZortoutOutOfTimeError",
]


class ZortoutError(Exception):
    """Base class of every Zortout failure."""

    transient = False

    def __init__(self, message, *, res_code=None, res_desc=None, http_status=None, endpoint=None):
        super().__init__(message)
        self.message = message
        self.res_code = None if res_code is None else str(res_code)
        self.res_desc = res_desc
        self.http_status = http_status
        self.endpoint = endpoint

    def __str__(self):
        return self.message

    def __repr__(self):
        return (
            f"{type(self).__name__}({self.message!r}, res_code={self.res_code!r}, "
            f"http_status={self.http_status!r}, endpoint={self.endpoint!r})"
        )


class ZortoutPermanentError(ZortoutError):
    """Zortout refused the request; repeating it unchanged will not help."""


class ZortoutAuthError(ZortoutPermanentError):
    """The store name, API key or API secret was rejected ("Access Denied",
    "Invalid API")."""


class ZortoutUnknownWarehouseError(ZortoutPermanentError):
    """Zortout does not know the warehouse code ("Invalid Warehouse/Branch").

    ``code`` is the code that was sent; ``valid_codes`` lists the codes the
    store does have, when the caller knows them (empty list otherwise).
    """

    def __init__(self, message, *, code=None, valid_codes=None, **kwargs):
        super().__init__(message, **kwargs)
        self.code = code
        self.valid_codes = list(valid_codes or [])


class ZortoutTransientError(ZortoutError):
    """A failure that may go away by itself; the client already retried."""

    transient = True


class ZortoutTimeoutError(ZortoutTransientError):
    """Zortout did not answer in time (connect or read timeout).

    For a write this means the outcome is unknown: the update may have been
    applied.
    """


class ZortoutConnectionError(ZortoutTransientError):
    """The connection failed or was reset before an answer arrived."""


class ZortoutServerError(ZortoutTransientError):
    """Zortout reported a server error (HTTP 5xx or resCode 500)."""


class ZortoutRateLimitError(ZortoutTransientError):
    """Zortout asked us to slow down (HTTP 429). ``retry_after`` holds the
    server's Retry-After in seconds when it sent one."""

    def __init__(self, message, *, retry_after=None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ZortoutOutOfTimeError(ZortoutTransientError):
    """The caller's time is up: the next call, or the wait before a retry, would
    end after the client's ``deadline``. Nothing was lost by the client; the
    caller may go on later from where it stood. ``time_left`` is what was left,
    in seconds; ``cause`` the failure the client would have retried, if any."""

    def __init__(self, message, *, time_left=None, cause=None, **kwargs):
        super().__init__(message, **kwargs)
        self.time_left = time_left
        self.cause = cause


class ZortoutQuotaExceededError(ZortoutError):
    """The store's daily request quota is spent: Zortout answered with its
    "API Request Limits" notice and no rows.

    Not a :class:`ZortoutTransientError`: the client never repeats the call,
    since every repeat before the reset is refused as well. ``transient`` is
    True because the same call will work after ``resets_at`` (an aware UTC
    datetime: the next midnight in Asia/Bangkok). ``daily_limit`` is the limit
    named in the notice, or :data:`zortout.quota.DAILY_REQUEST_LIMIT`.
    """

    transient = True

    def __init__(self, message, *, resets_at=None, daily_limit=None, **kwargs):
        super().__init__(message, **kwargs)
        self.resets_at = resets_at
        self.daily_limit = daily_limit


class ZortoutBadResponseError(ZortoutTransientError):
    """The answer was not JSON, or lacked the result envelope."""


class ZortoutIncompleteSweepError(ZortoutTransientError):
    """A paged read stopped before ``count`` rows were read: a page stayed
    short of ``count`` while the page after it still held rows, or a page
    after the first one failed. No partial result is ever returned in its
    place. ``cause`` is the underlying error, if any."""

    def __init__(self, message, *, rows_read=None, count=None, page=None, cause=None, **kwargs):
        super().__init__(message, **kwargs)
        self.rows_read = rows_read
        self.count = count
        self.page = page
        self.cause = cause
