"""Names, limits and defaults of the whole addon, in one place: the modules import them
from here (a test may patch one where it is used).

Adding a skip reason: add it to ``SKIP_REASONS`` (key and English label), then
translate the label in ``i18n/th.po``. Adding a job type: see job_types/ (one module
and one registration).
"""

# -- job queue -------------------------------------------------------------------

JOB_STATES = [
    ("pending", "Pending"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]
#: a job in one of these states may be run (Run Now, the runner)
RUNNABLE_STATES = ("pending", "failed")
SYNC_JOB_TYPE = "sync_stock_from_zortout"
#: a sync of the SKUs Zortout's stock webhook named (instant sync): the same steps
#: as a sync with a SKU list; it neither blocks nor postpones Pull Stock and the
#: scheduled full pulls, which stay the safety net
INSTANT_JOB_TYPE = "instant_sync_from_zortout"
#: Create Products from Zortout: the Zortout products Odoo lacks, created from the wizard's rows
PRODUCT_IMPORT_JOB_TYPE = "create_products_from_zortout"

#: what started a job; set by the code that creates it (engine-owned: not a user field)
JOB_ORIGINS = [
    ("hand_made", "Hand-made"),
    ("pull_stock", "Pull Stock"),
    ("preview", "Preview"),
    ("scheduled", "Scheduled"),
    ("instant", "Instant Sync"),
    ("preview_applied", "Preview Applied"),
]
#: the origins of a full pull: the scheduled pulls' interval counts from the newest of these
FULL_PULL_ORIGINS = ("pull_stock", "scheduled", "preview_applied")

#: where a sync job stands between two runs (see services/sync_engine.py)
SYNC_PHASES = [
    ("start", "Not started"),
    ("fetch", "Reading Zortout"),
    ("check", "Checking the sweep"),
    ("settle", "Re-reading products left out"),
    ("apply", "Applying"),
    ("finish", "Finishing"),
    ("done", "Finished"),
]

#: delay before the next try after a transient failure: 60 s, 120 s, 240 s... at most one hour
#: context key of the upgrade's data migrations (and the first pull that completes them): they keep the
#: accounts' locations as the database holds them, even where two accounts fill one location
UPGRADE_CONTEXT = "marketplace_upgrade"

BACKOFF_BASE = 60
BACKOFF_CAP = 3600
#: times the runner looks again after another runner claimed the job it picked
CLAIM_RETRIES = 10
#: due jobs a claim looks at before it gives up on accounts that are busy elsewhere
CLAIM_CANDIDATES = 20
#: times the runner takes a step again at once after a lock conflict, before it postpones the job
STEP_CONFLICT_RETRIES = 3
#: seconds a runner run may take from the moment it claims a job (on top of
#: Odoo's own cron window): well inside a cron worker's real-time limit
RUNNER_STEP_BUDGET = 20.0
#: a step's share of Odoo's real-time limit kept free for rolling back and recording the
#: postponement (tools/time_limits.py)...
MARGIN_SHARE = 0.1
#: ...and never less than this many seconds
MIN_MARGIN_SECONDS = 5.0
#: first key of the advisory locks on job runs ("ZJOB"); the second is the job's id
RUN_LOCK_NAMESPACE = 0x5A4A4F42
#: seconds added to a wake-up time: the job is surely due when the runner looks
WAKE_MARGIN = 0.5

# -- a job's payload (tools/job_payload.py) -----------------------------------------

#: SKUs a payload's sku_list may hold
MAX_SKUS = 10_000
#: characters of a Zortout warehouse code
MAX_CODE_LENGTH = 30

# -- who may do what, and where the Zortout client logs ----------------------------

#: Marketplace Administrator: sees and sets the API key and secret and the webhook keys,
#: runs a job with "force"
MANAGER_GROUP = "otd_marketplace_stock.group_marketplace_manager"
#: the Zortout client's logger (one line per call, at DEBUG)
CLIENT_LOGGER = "odoo.addons.otd_marketplace_stock.zortout"

# -- system parameters: key -> default (the code falls back to the default) --------

PARAM_BASE_URL = "otd_marketplace_stock.zortout_base_url"
PARAM_READ_TIMEOUT = "otd_marketplace_stock.zortout_read_timeout"
PARAM_RUNNING_TIMEOUT = "otd_marketplace_stock.job_running_timeout_minutes"
PARAM_KEEP_DAYS = "otd_marketplace_stock.job_keep_days"
PARAM_REQUEST_BUDGET = "otd_marketplace_stock.request_time_budget"
PARAM_REQUEST_MAX_SKUS = "otd_marketplace_stock.request_max_skus"
PARAM_DAILY_CALL_LIMIT = "otd_marketplace_stock.zortout_daily_call_limit"
PARAM_HAND_MADE_HOLD = "otd_marketplace_stock.hand_made_job_hold_seconds"
PARAM_WEBHOOK_WINDOW = "otd_marketplace_stock.webhook_window_seconds"
PARAM_APPLY_STEP_ROWS = "otd_marketplace_stock.apply_step_rows"
PARAM_APPLY_STEP_CHANGES = "otd_marketplace_stock.apply_step_changes"
PARAM_PAGE_MAX_AGE = "otd_marketplace_stock.kept_page_max_age_minutes"

PARAM_DEFAULTS = {
    PARAM_READ_TIMEOUT: 30.0,       # seconds to wait for one Zortout answer
    PARAM_RUNNING_TIMEOUT: 30,      # minutes before a running job counts as left by a dead worker
    PARAM_KEEP_DAYS: 30,            # days done and cancelled jobs (and their lines) are kept
    # seconds a sync may work inside a web request (Pull Stock, Run Now) before
    # the runner takes over; well inside Odoo's limit_time_real (120 s)
    PARAM_REQUEST_BUDGET: 20.0,
    # Pull Stock queues the job instead of syncing in the request when the
    # account's last full sweep read more SKUs than this
    PARAM_REQUEST_MAX_SKUS: 5000,
    # Zortout's daily limit of API calls per store (all its connections together)
    PARAM_DAILY_CALL_LIMIT: 50000,
    # a job saved from the Jobs form waits this long for Run Now before the runner takes it
    PARAM_HAND_MADE_HOLD: 120,
    # seconds an instant sync waits after the first webhook delivery, gathering the
    # SKUs of the deliveries that follow into the same job (fewer Zortout calls)
    PARAM_WEBHOOK_WINDOW: 5.0,  # a burst of up to 10 s in 2 jobs: fewer partial GetProducts calls
    # one apply step of a sync takes kept pages (whole) until it holds this many
    # Zortout rows or this many stock changes, then applies the changes in one
    # go: fewer, larger Applies cost less, and 500 changes stay well inside a
    # step's few seconds
    PARAM_APPLY_STEP_ROWS: 10000,
    PARAM_APPLY_STEP_CHANGES: 500,
    # minutes a sweep's kept Zortout pages stay good to apply once the sweep stands still
    # (a failed job retried later, Run Now, a dead worker, a preview applied): older ones are
    # read again. A sweep that is moving keeps its pages however long it takes, and the
    # newest-reading rule (models/marketplace_stock_reading.py) guards each row
    PARAM_PAGE_MAX_AGE: 15,
}

# -- instant sync (Zortout's stock webhook) -------------------------------------------

#: Zortout delivers to <web.base.url><WEBHOOK_ROUTE>/<the account's token>
WEBHOOK_ROUTE = "/otd_marketplace_stock/webhook"
#: a delivery is one product (about 100 bytes); a bigger body is refused (HTTP 400)
WEBHOOK_MAX_BODY = 64 * 1024
#: at most this many products are read from one delivery (Zortout sends one)
MAX_PRODUCTS = 1000
#: the event of a product's quantity change, the one our URL is registered for
QUANTITY_EVENT = "UPDATEPRODUCTQUANTITY"
#: first half of the advisory lock that lines up the deliveries of one account ("ZORT")
ADVISORY_LOCK_NAMESPACE = 0x5A4F5254
#: days the deliveries' daily counts are kept
WEBHOOK_DAY_KEEP_DAYS = 90
#: rows a day of an account's delivery counts is spread over
WEBHOOK_DAY_SLOTS = 16

# -- the sync's decisions ----------------------------------------------------------

#: why a Zortout row did not change Odoo's stock; the order is the result's order
SKIP_REASONS = {
    "no_sku": "No SKU in Zortout",
    "duplicate_in_zortout": "SKU twice in Zortout",
    "ambiguous_in_odoo": "SKU on several Odoo products",
    "not_in_odoo": "SKU not in Odoo",
    "service": "Service",
    "not_tracked": "Inventory not tracked",
    "tracked_by_lot": "Tracked by lot/serial",
    "kit": "Kit (stock comes from its components)",
    "bad_quantity": "Missing or unreadable quantity",
    "being_counted": "Being counted in Odoo",
    "superseded_by_newer": "A newer Zortout reading was applied",
    "apply_failed": "Refused by Odoo",
}
#: the reasons decided after the SKU matched exactly one Odoo product
MATCHED_SKIP_REASONS = ("service", "not_tracked", "tracked_by_lot", "kit", "bad_quantity", "being_counted",
                        "superseded_by_newer", "apply_failed")
#: a product with stock here that Zortout does not know at all: left alone, reported
NOT_IN_ZORTOUT = ("not_in_zortout", "Not in Zortout (stock left alone)")
#: what a change line says happened to its SKU
LINE_DECISIONS = [
    ("updated", "Updated"),
    ("would_update", "Would update"),
    *SKIP_REASONS.items(),
    NOT_IN_ZORTOUT,
]

#: a sweep whose pages drifted is read again from page 1, at most this many times in all
MAX_SWEEP_PASSES = 2
#: an apply step takes no further kept page once it has planned for this long (see SyncEngine._step_apply)
APPLY_STEP_PLAN_SECONDS = 3.0
#: sample SKUs a result keeps per skip reason
MAX_SAMPLES = 20

# -- alerts --------------------------------------------------------------------------

#: no good full pull for this many pull intervals is a problem
STALE_INTERVALS = 3

# -- zero guard: refuse a full sweep that would empty most of the stocked products --

#: the guard trips when more than this many stocked products would go to zero...
ZERO_GUARD_MIN = 10
#: ...and they are more than this share of the matched products that have stock
ZERO_GUARD_SHARE = 0.5
