"""Messages a job keeps as a template and its values, so that each reader sees them in
their own language and time zone, whoever (the runner, a schedule) wrote them.

A message is ``{"t": English template, "p": {name: value}}``; a value may itself be a
message, a time (``{"dt": "YYYY-MM-DD HH:MM:SS"}``, UTC) or plain text. A job's error is
a list of messages (what went wrong, what is kept, when the next try is) plus optional
technical ``details`` that the form folds away.
"""

import json

from markupsafe import Markup, escape

from odoo import fields
from odoo.exceptions import UserError
from odoo.tools.misc import format_datetime

__all__ = ["_lt", "msg", "at", "render", "safe_render", "render_error_html", "stored_json", "SyncUserError"]


def _lt(template):
    """Mark ``template`` for the translation template (i18n/*.pot); rendered later.
    Odoo's term export finds the calls of ``_`` and ``_lt``: keep this name."""
    return template


def msg(template, **params):
    return {"t": template, "p": params}


def at(when):
    """A UTC datetime as a message value: shown in the reader's time zone."""
    return {"dt": fields.Datetime.to_string(when)}


def render(env, message):
    """``message`` (a message, a list of them, or text) in ``env``'s language."""
    if not message:
        return ""
    if isinstance(message, list):
        return " ".join(filter(None, (render(env, part) for part in message)))
    if isinstance(message, str):
        return message
    params = {name: _value(env, value) for name, value in (message.get("p") or {}).items()}
    # a template in a variable: marked for the .pot with _lt where the message was written
    return env._(message["t"], **params) if params else env._(message["t"])


def _value(env, value):
    if isinstance(value, dict) and "t" in value:
        return render(env, value)
    if isinstance(value, dict) and "dt" in value:
        # the reader's zone (the context's, else the user's); a time in UTC says so (the log's, see _error_values)
        zone = env.context.get("tz") or env.user.tz or "UTC"
        text = format_datetime(env, fields.Datetime.to_datetime(value["dt"]), tz=zone, dt_format="short")
        return f"{text} UTC" if zone == "UTC" else text
    if isinstance(value, list):
        return ", ".join(str(_value(env, item)) for item in value)
    return value


def safe_render(env, message):
    """:func:`render` for a stored message whose shape is not guaranteed: text in any case."""
    try:
        return str(render(env, message))
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return message if isinstance(message, str) else ""


def stored_json(text):
    """A JSON object kept in a text field, or None when it holds none (empty, unreadable, not an object)."""
    if not text:
        return None
    try:
        data = json.loads(text) if isinstance(text, (str, bytes)) else text
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def render_error_html(env, data):
    """The job form's error: the message in the reader's language, the details folded."""
    data = stored_json(data)
    if not data:
        return False
    text = escape(safe_render(env, data.get("message")))
    details = data.get("details")
    if not details:
        return Markup("<p>%s</p>") % text
    return Markup("<p>%s</p><details><summary>%s</summary><code>%s</code></details>") % (
        text, env._("Technical details"), details)


class SyncUserError(UserError):
    """A refusal of the sync that the job keeps as a message (see :func:`msg`), so that
    it can be shown later in the reader's language. Its text is the caller's language."""

    def __init__(self, env, message, problem=None):
        self.message = message
        self.problem = problem  # e.g. "zero_guard": which alert an unattended job raises for it
        super().__init__(render(env, message))
