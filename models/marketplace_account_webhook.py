"""Instant sync on the account: Zortout's stock webhook, its set-up and the queue a delivery joins.

"Enable instant sync" reads the store's webhook configuration (GetWebhook),
sets our ``updatequantityurl`` and writes the whole configuration back
(UpdateWebhook replaces it all), every other URL kept. Each delivery to our
URL adds its SKUs to the account's one pending instant-sync job, which a
short window after the first delivery re-reads those SKUs from Zortout and
applies them like any sync (see marketplace_job_webhook.py).

The keys are the store's: Zortout holds one key1/key2/key3 for every URL of
the store and sends them with every delivery. When Zortout already holds
keys (another integration set them), they are kept - new keys would make the
other integration refuse its own deliveries; otherwise new random keys are
made. They are secrets like the API key: readable by Marketplace
administrators only, never in a log line, message or job.
"""

import json
import logging
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from odoo import api, fields, models, sql_db
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.otd_marketplace_stock import zortout
from odoo.addons.otd_marketplace_stock.const import (
    ADVISORY_LOCK_NAMESPACE,
    INSTANT_JOB_TYPE,
    JOB_STATES,
    MANAGER_GROUP,
    MAX_SKUS,
    PARAM_WEBHOOK_WINDOW,
    WEBHOOK_ROUTE,
)
from odoo.addons.otd_marketplace_stock.services.joblog import log_job_event
from odoo.addons.otd_marketplace_stock.services.webhook_payload import REFUSAL_REASONS
from odoo.addons.otd_marketplace_stock.services.webhook_url import public_url_problem
from odoo.addons.otd_marketplace_stock.tools.params import param_value

from .marketplace_webhook_day import zortout_today

_logger = logging.getLogger(__name__)

#: characters a token is made of (secrets.token_urlsafe)
_TOKEN_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class MarketplaceAccount(models.Model):
    _inherit = "marketplace.account"

    # ------------------------------------------------------------------ fields

    webhook_enabled = fields.Boolean(
        "Instant Sync", readonly=True, copy=False, tracking=True,
        help="Zortout calls Odoo when a product's quantity changes, and Odoo re-reads that product at once.")
    # secrets: readable only by Marketplace administrators, never copied, never tracked
    webhook_token = fields.Char("Webhook Token", readonly=True, copy=False, groups=MANAGER_GROUP)
    webhook_key1 = fields.Char("Webhook Key 1", readonly=True, copy=False, groups=MANAGER_GROUP)
    webhook_key2 = fields.Char("Webhook Key 2", readonly=True, copy=False, groups=MANAGER_GROUP)
    webhook_key3 = fields.Char("Webhook Key 3", readonly=True, copy=False, groups=MANAGER_GROUP)
    webhook_url = fields.Char("Webhook URL", compute="_compute_webhook_url", compute_sudo=True,
                              groups=MANAGER_GROUP,
                              help="Where Zortout sends quantity changes (its updatequantityurl).")
    webhook_url_warning = fields.Char("Webhook Address Warning", compute="_compute_webhook_url_warning")
    webhook_events_today = fields.Integer("Deliveries Today", compute="_compute_webhook_stats",
                                          help="Deliveries from Zortout received today (Bangkok time).")
    webhook_refused_today = fields.Integer("Refused Today", compute="_compute_webhook_stats",
                                           help="Deliveries refused today: wrong or missing keys, unreadable body.")
    webhook_last_event_at = fields.Datetime("Last Delivery", compute="_compute_webhook_stats")
    webhook_last_refused_at = fields.Datetime("Last Refused Delivery", compute="_compute_webhook_stats")
    webhook_last_refusal = fields.Selection(list(REFUSAL_REASONS.items()), "Last Refusal Reason",
                                            compute="_compute_webhook_stats")
    webhook_job_id = fields.Many2one("marketplace.job", "Last Instant Sync", compute="_compute_webhook_job")
    webhook_job_state = fields.Selection(JOB_STATES, "Last Instant Sync State", compute="_compute_webhook_job")

    _webhook_token_unique = models.Constraint("UNIQUE(webhook_token)", "Two accounts cannot share a webhook token.")

    def _compute_webhook_url(self):
        for account in self:
            token = account.webhook_token
            account.webhook_url = self._webhook_url_for(token) if token else False

    @api.depends_context("lang")
    def _compute_webhook_url_warning(self):
        """The address warning, unless deliveries arrive today: then Zortout does reach Odoo
        (through a proxy or a tunnel the address does not show), and the warning would only
        contradict the counter beside it."""
        warning = self._webhook_base_url_warning()
        for account in self:
            account.webhook_url_warning = warning if warning and not account.webhook_events_today else False

    def _compute_webhook_stats(self):
        today = zortout_today()
        rows = self.env["marketplace.webhook.day"].sudo().search([("account_id", "in", self.ids)])
        for account in self:
            days = rows.filtered(lambda row, account=account: row.account_id == account)
            current = days.filtered(lambda row: row.day == today)
            refused = max(days.filtered("last_refused_at"), key=lambda row: row.last_refused_at, default=None)
            account.webhook_events_today = sum(current.mapped("accepted"))
            account.webhook_refused_today = sum(current.mapped("refused"))
            account.webhook_last_event_at = max(days.filtered("last_accepted_at").mapped("last_accepted_at"),
                                                default=False)
            account.webhook_last_refused_at = refused.last_refused_at if refused else False
            account.webhook_last_refusal = refused.last_refusal if refused else False

    def _compute_webhook_job(self):
        Job = self.env["marketplace.job"]
        for account in self:
            job = Job.search([("account_id", "=", account.id), ("job_type", "=", INSTANT_JOB_TYPE)],
                             order="id desc", limit=1) if account.id else Job
            account.webhook_job_id = job
            account.webhook_job_state = job.state

    # ------------------------------------------------------------------ addresses

    @api.model
    def _webhook_base_url(self):
        return (self.env["ir.config_parameter"].sudo().get_param("web.base.url") or "").strip().rstrip("/")

    @api.model
    def _webhook_url_for(self, token):
        return f"{self._webhook_base_url()}{WEBHOOK_ROUTE}/{token}"

    @api.model
    def _webhook_base_url_warning(self):
        """Why Zortout may not reach Odoo's web.base.url, in the user's language; False when it looks public."""
        url = self._webhook_base_url()
        problem = public_url_problem(url)
        if not problem:
            return False
        kind, host = problem
        if kind == "local":
            return self.env._(
                "Zortout cannot reach Odoo at %(url)s: it is a local or private address, so instant sync "
                "deliveries will not arrive. This is for an Odoo administrator: give Odoo a public https address "
                "(e.g. https://erp.example.co.th), set it as the system parameter web.base.url (with "
                "web.base.url.freeze = True), then press Enable instant sync again.", url=url)
        if kind == "not_https":
            return self.env._(
                "Odoo's address %s uses http, so Zortout would send the webhook keys in clear text. This is for an "
                "Odoo administrator: serve Odoo over https, set that address as the system parameter "
                "web.base.url (with web.base.url.freeze = True), then press Enable instant sync again.", url)
        return self.env._(
            "Odoo's address (system parameter web.base.url: %s) is not a valid URL, so Zortout cannot send "
            "deliveries. This is for an Odoo administrator: set web.base.url to Odoo's public https address, "
            "then press Enable instant sync again.", url or self.env._("empty"))

    @api.model
    def _webhook_token_of(self, url):
        """The token of one of our webhook URLs, else None."""
        try:
            path = urlsplit(url or "").path
        except ValueError:
            return None
        prefix = WEBHOOK_ROUTE + "/"
        if not path.startswith(prefix):
            return None
        return path[len(prefix):].strip("/") or None

    @api.model
    def _same_host(self, url, other):
        try:
            return urlsplit(url).netloc.lower() == urlsplit(other).netloc.lower()
        except ValueError:
            return False

    # ------------------------------------------------------------------ buttons

    def action_enable_instant_sync(self):
        """Enable instant sync: our URL becomes Zortout's updatequantityurl, every other URL kept."""
        self.ensure_one()
        self.check_access("write")
        self._check_can_sync()
        account = self.sudo()
        token = account.webhook_token or secrets.token_urlsafe(32)
        return self._webhook_register(token, own_tokens={account.webhook_token, token} - {False, None})

    def action_regenerate_webhook_url(self):
        """A new, unguessable URL; when instant sync is on, Zortout is given the new one at once."""
        self.ensure_one()
        self.check_access("write")
        account = self.sudo()
        token = secrets.token_urlsafe(32)
        if not account.webhook_enabled:
            account.webhook_token = token
            return self._webhook_notification(
                self.env._("Instant sync"),
                self.env._("A new webhook URL was made; Zortout gets it when instant sync is enabled."), "success")
        self._check_can_sync()
        return self._webhook_register(token, own_tokens={account.webhook_token, token} - {False, None})

    def action_disable_instant_sync(self):
        """Disable instant sync: clear our URL in Zortout (only ours) and refuse further deliveries."""
        self.ensure_one()
        self.check_access("write")
        account = self.sudo()
        title = self.env._("Instant sync")
        try:
            with self._zortout_client(max_retries=1) as client:
                config = client.get_webhook()
                current = config.url(zortout.QUANTITY_URL_KEY)
                ours = bool(current) and self._webhook_token_of(current) == account.webhook_token
                if ours:
                    client.update_webhook(config.with_url(zortout.QUANTITY_URL_KEY, ""),
                                          config.keys or account._webhook_keys())
        except zortout.ZortoutError as exc:
            account.webhook_enabled = False
            return self._webhook_notification(title, self.env._(
                "Instant sync is off in Odoo, but Zortout could not be told (%s). Zortout may still send "
                "deliveries, which Odoo now refuses: press Disable instant sync again later, or clear the URL in "
                "Zortout (Setting > Integration > API Reference > Webhook).", self._zortout_message(exc)), "warning")
        account.webhook_enabled = False
        if ours:
            message = self.env._("Instant sync is off: Zortout no longer sends quantity changes to Odoo. The "
                                 "scheduled pulls and Pull Stock work as before.")
        else:
            message = self.env._("Instant sync is off. Zortout's quantity URL was not Odoo's, so Zortout's webhook "
                                 "configuration was left as it was.")
        return self._webhook_notification(title, message, "success")

    def _webhook_register(self, token, own_tokens):
        """Read Zortout's webhook configuration, set our URL as updatequantityurl, write it
        back with everything else kept, read it again to check, then store token and keys."""
        account = self.sudo()
        title = self.env._("Instant sync")
        if not self._webhook_base_url():
            raise UserError(self.env._("Odoo's address (system parameter web.base.url) is empty: Zortout would "
                                       "not know where to send quantity changes."))
        url = self._webhook_url_for(token)
        try:
            with self._zortout_client(max_retries=1) as client:
                config = client.get_webhook()
                self._check_quantity_url_free(config.url(zortout.QUANTITY_URL_KEY), url, own_tokens)
                keys = config.keys or tuple(secrets.token_urlsafe(24) for _key in range(3))
                client.update_webhook(config.with_url(zortout.QUANTITY_URL_KEY, url), keys)
                stored = client.get_webhook()
        except zortout.ZortoutError as exc:
            return self._webhook_notification(self.env._("Instant sync not enabled"),
                                              self._zortout_message(exc), "danger")
        if stored.url(zortout.QUANTITY_URL_KEY) != url:
            raise UserError(self.env._("Zortout accepted the webhook configuration but does not show Odoo's URL "
                                       "for quantity changes. Instant sync stays off; try again later."))
        keys = stored.keys or keys
        account.write({"webhook_token": token, "webhook_key1": keys[0], "webhook_key2": keys[1],
                       "webhook_key3": keys[2], "webhook_enabled": True})
        kept = len([key for key in stored.active_urls() if key != zortout.QUANTITY_URL_KEY])
        message = self.env._("Instant sync is on: Zortout sends every quantity change of store %(store)s to Odoo, "
                             "which re-reads the product within seconds.", store=account.store_name)
        if kept:
            message += " " + self.env._("The %s other webhook URLs of the store were kept.", kept)
        warning = self._webhook_base_url_warning()
        if warning:
            return self._webhook_notification(title, f"{message} {warning}", "warning")
        return self._webhook_notification(title, message, "success")

    def _check_quantity_url_free(self, current, url, own_tokens):
        """Refuse to replace another integration's updatequantityurl: Zortout calls
        one URL per event, so the other integration would stop receiving.

        Ours to replace: our URL, a URL with one of ``own_tokens`` (an address
        or token of this account that changed), or a URL of this Odoo whose
        token no account has (a regenerated one).
        """
        if not current or current == url:
            return
        token = self._webhook_token_of(current)
        if token in own_tokens:
            return
        if token and self._same_host(current, url):
            other = self.sudo().with_context(active_test=False).search(
                [("webhook_token", "=", token), ("id", "!=", self.id)], limit=1)
            if not other:
                return
            raise UserError(self.env._(
                "Instant sync of the account %s already receives this Zortout store's quantity changes. Zortout "
                "calls one URL per event: disable instant sync there first.", other.display_name))
        try:
            host = urlsplit(current).netloc or current
        except ValueError:
            host = current
        raise UserError(self.env._(
            "Zortout already sends this store's quantity changes to another address (%s). Zortout calls one URL "
            "per event, so enabling instant sync would stop those deliveries. If that address is no longer used, "
            "clear it in Zortout (Setting > Integration > API Reference > Webhook), then press Enable instant "
            "sync again.", host))

    def _webhook_notification(self, title, message, kind):
        """A notification, then the form reloaded: the Instant Sync section shows what changed."""
        action = self._notification(title, message, kind)
        action["params"]["next"] = {"type": "ir.actions.client", "tag": "soft_reload"}
        return action

    # ------------------------------------------------------------------ deliveries

    @api.model
    def _webhook_account_for_token(self, token):
        """The active account with instant sync on whose token is ``token`` (sudo), or an empty recordset."""
        return self._webhook_lookup(token)[0]

    @api.model
    def _webhook_lookup(self, token):
        """(account, its three keys) for ``token``, in one query: every delivery asks."""
        if not token or len(token) > 128 or not set(token) <= _TOKEN_CHARACTERS:
            return self.browse(), ("", "", "")
        self.env.cr.execute("""
            SELECT id, webhook_key1, webhook_key2, webhook_key3 FROM marketplace_account
             WHERE webhook_token = %s AND webhook_enabled AND active
        """, [token])
        row = self.env.cr.fetchone()
        if not row:
            return self.browse(), ("", "", "")
        return self.sudo().browse(row[0]), tuple(key or "" for key in row[1:])

    def _webhook_ignore_reason(self):
        """Why a delivery that passed the keys queues no job, if it does not: the account's sync is
        off, or Zortout refuses its credentials (every job would fail the same way) until a pull
        works or someone saves new ones."""
        account = self.sudo()
        if not account.sync_enabled:
            return "sync_off"
        if account.credentials_refused:
            return "credentials_refused"
        return None

    def _webhook_keys(self):
        account = self.sudo()
        return (account.webhook_key1 or "", account.webhook_key2 or "", account.webhook_key3 or "")

    def _webhook_count(self, refusal=None):
        """Count one delivery (received, or refused for ``refusal``); see _webhook_apart."""
        self._webhook_apart(lambda account: account.env["marketplace.webhook.day"]._count_delivery(
            account.id, refusal))

    def _webhook_enqueue(self, event, skus):
        """Count the delivery and add ``skus`` to the account's pending job of ``event``'s type
        (services/webhook_events.py), or to a new one due a window (system parameter) from now;
        see _webhook_apart. Returns what happened, as a dict for the log line."""
        self.ensure_one()
        return self._webhook_apart(lambda account: account._webhook_enqueue_now(event, list(skus)))

    def _webhook_apart(self, work):
        """``work(account)`` in a fresh READ COMMITTED transaction of the delivery's request,
        committed at once when it is done.

        Only for the webhook's request: the transaction it has run so far (it
        only read) is committed, and the next one reads each statement afresh.
        Under Odoo's REPEATABLE READ a delivery that waited for another
        delivery's row (the pending job, see _webhook_enqueue_now) would fail
        with a serialization error and the whole request would be retried;
        READ COMMITTED sees the row as the other delivery left it. The work is
        committed as soon as it is done, so the rows it wrote are held for the
        time of one statement, not for the rest of the request. (Under a test
        cursor the transaction is the test's: nothing is committed and the
        isolation is left alone.)
        """
        self.ensure_one()
        self._webhook_new_transaction()
        result = work(self)
        if isinstance(self.env.cr, sql_db.Cursor):
            # the webhook's request commits its work at once, see the docstring
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return result

    def _webhook_new_transaction(self):
        """Commit, and run the next transaction READ COMMITTED (see _webhook_apart)."""
        cr = self.env.cr
        # ends the request's transaction so far (it only read), see _webhook_apart
        cr.commit()  # pylint: disable=invalid-commit
        if isinstance(cr, sql_db.Cursor):
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")

    def _webhook_enqueue_now(self, event, skus):
        """The queue itself. One statement appends the delivery's new SKUs to the
        newest pending job of the event's type, its row locked only while the statement and
        the commit run; concurrent deliveries of the account never wait for more.
        Only when no pending job is in its window (the first delivery of a window),
        or the job is full, are the deliveries of
        the account lined up (an advisory lock, released at commit) to look again
        and make one new job; no row is held while waiting for that lock. The
        delivery is counted last: a delivery holding a count's row never waits
        for the job or the lock, so no two deliveries can wait for each other. The SKUs are those of
        services/webhook_payload.clean_sku - the payload's own rule - and a list
        never grows past the payload's limit, so the payload stays valid."""
        outcome = {"job": None, "added": 0, "pending": 0, "new_jobs": 0}
        window = param_value(self.env, PARAM_WEBHOOK_WINDOW)
        remaining = self._webhook_append(event.job_type, skus, outcome, window)
        if remaining:
            # a full job stays locked by this transaction: commit what was appended, then wait for the
            # lock without holding a row another delivery may hold the lock and wait for
            self._webhook_new_transaction()
            # deliveries of one account that need a new job, one after the other (released at commit)
            self.env.cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_LOCK_NAMESPACE, self.id])
            # another delivery may have made the job meanwhile: this statement sees it (READ COMMITTED)
            remaining = self._webhook_append(event.job_type, remaining, outcome, window)
        if remaining:
            self._webhook_new_jobs(event, remaining, outcome, window)
        self.env["marketplace.webhook.day"]._count_delivery(self.id)
        return outcome

    def _webhook_new_jobs(self, event, remaining, outcome, window):
        """New pending jobs of ``event``'s type for ``remaining`` (under the account's advisory lock)."""
        Job = self.env["marketplace.job"]
        lang = self.company_id.partner_id.lang or self.env.lang
        name = self.with_context(lang=lang).env._(event.job_name)
        while remaining:
            chunk, remaining = remaining[:MAX_SKUS], remaining[MAX_SKUS:]
            due = fields.Datetime.now() + timedelta(seconds=window)
            job = Job.create({
                "name": name, "job_type": event.job_type, "account_id": self.id, "next_run_at": due,
                "payload": json.dumps({"sku_list": chunk}, ensure_ascii=False),
            })
            job.sudo().origin = event.origin
            job._wake_runner_at(due)
            log_job_event(_logger, logging.INFO, job, "instant_queued", skus=len(chunk),
                          due=fields.Datetime.to_string(due))
            outcome.update(job=job.reference, added=outcome["added"] + len(chunk), pending=len(chunk),
                           due=fields.Datetime.to_string(due), new_jobs=outcome["new_jobs"] + 1)
        return outcome

    def _webhook_append(self, job_type, skus, outcome, window):
        """Append ``skus`` (no repeats) to the newest pending job of ``job_type`` of the account in one
        statement; update ``outcome`` and return the SKUs that found no place: all of them without
        a pending job still in its window, those past the payload's limit when it is full.

        A job gathers the SKUs of its window (``window`` seconds from its first delivery); once it
        is due, deliveries leave its row alone and start the next job, so that the runner takes it
        at once instead of waiting for the row between two deliveries of a flood. (A window of 0:
        the job gathers until the runner takes it.)

        The job's row is locked by the statement's ``FOR UPDATE``: a delivery at the same moment
        waits for this one's commit, then (READ COMMITTED) reads the list this one left; a job
        the runner took meanwhile is no longer pending, and the statement finds no job.
        """
        self.env.cr.execute(SQL("""
            WITH locked AS (
                SELECT id, reference, next_run_at, COALESCE(payload::jsonb -> 'sku_list', '[]'::jsonb) AS queued
                  FROM marketplace_job
                 WHERE account_id = %(account)s AND job_type = %(job_type)s
                   AND state = 'pending' AND sync_phase = 'start' AND (next_run_at > %(now)s OR %(gather)s)
              ORDER BY id DESC
                 LIMIT 1
                   FOR UPDATE
            ),
            fresh AS (
                SELECT sku.value, row_number() OVER (ORDER BY sku.position) AS position,
                       %(max)s - jsonb_array_length(locked.queued) AS room
                  FROM locked, unnest(%(skus)s::varchar[]) WITH ORDINALITY AS sku(value, position)
                 WHERE NOT locked.queued ? sku.value
            ),
            taken AS (
                SELECT COALESCE(jsonb_agg(value ORDER BY position), '[]'::jsonb) AS skus, count(*) AS added
                  FROM fresh
                 WHERE position <= room
            ),
            appended AS (
                UPDATE marketplace_job job
                   SET payload = jsonb_set(COALESCE(job.payload, '{}')::jsonb, '{sku_list}',
                                           locked.queued || taken.skus)::text,
                       write_date = %(now)s, write_uid = %(uid)s
                  FROM locked, taken
                 WHERE job.id = locked.id AND taken.added > 0
            )
            SELECT locked.reference, locked.next_run_at, taken.added,
                   jsonb_array_length(locked.queued) + taken.added,
                   ARRAY(SELECT value FROM fresh WHERE position > room ORDER BY position)
              FROM locked, taken
        """, account=self.id, job_type=job_type, max=MAX_SKUS, skus=list(skus),
                                now=fields.Datetime.now(), uid=self.env.uid, gather=not window))
        row = self.env.cr.fetchone()
        if not row:
            return skus
        reference, next_run_at, added, pending, left = row
        outcome.update(job=reference, added=outcome["added"] + added, pending=pending,
                       due=fields.Datetime.to_string(next_run_at))
        return list(left)
