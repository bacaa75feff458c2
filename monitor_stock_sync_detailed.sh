#!/usr/bin/env bash
# Follow the Odoo log and show the Zortout stock syncs of otd_marketplace_stock
# in detail: every event, the per-SKU decisions, the HTTP calls with their
# timings and retries, tracebacks; and, given a database, a table of the
# latest jobs. Run with --help for the options.
set -u

# This script's own directory, following symlinks (no readlink -f on older macOS).
mon_source="${BASH_SOURCE[0]}"
while [ -L "$mon_source" ]; do
    mon_target="$(readlink "$mon_source")"
    case "$mon_target" in
        /*) mon_source="$mon_target" ;;
        *) mon_source="$(dirname "$mon_source")/$mon_target" ;;
    esac
done
MON_HERE="$(cd "$(dirname "$mon_source")" && pwd -P)"
# shellcheck source=scripts/monitor_common.sh
. "$MON_HERE/scripts/monitor_common.sh"

usage() {
    cat <<EOF
Usage: $(mon_prog) [options] [LOGFILE | -]

Follows the Odoo log in real time and shows the Zortout stock syncs of the
otd_marketplace_stock addon in detail: each event of each job, the decision
taken for each SKU, each HTTP call to Zortout with its status, time and
attempt, the retries, and the tracebacks of errors:

  01:03:39 JOB/0042 start account=3 warehouse=W0001 location="WH/Stock" source=availablestock mode=full
  01:03:39 JOB/0042   http GET /Product/GetProducts?warehousecode=W0001&page=1&limit=500 -> 200 in 240 ms (attempt 1)
  01:03:40 JOB/0042 fetched rows=1250 api_calls=3 retries=0 ms=812
  01:03:40 JOB/0042   decision sku=A-001 decision=updated from=4 to=7
  01:03:40 JOB/0042   decision sku=A-002 decision=not_in_odoo from=- to=-
  01:03:41 JOB/0042 done fetched=1250 matched=1227 updated=37 unchanged=1190 skipped=23 duration_s=1.8

Instant sync (Zortout's stock webhook): each delivery, accepted, ignored or
refused with the HTTP status and the reason, and each instant job it starts:

  01:05:02 JOB/0043 webhook_accepted account=3 skus=1 added=1 pending=4 due="2026-11-28 01:05:05" format=json ms=6.1
  01:05:09 - webhook_refused account=3 status=401 reason=wrong_keys peer=203.0.113.9 ms=2.3

With a database, a table of the latest 10 jobs (reference, account, state,
attempts, fetched/updated/skipped, duration) is read with psql every
--interval seconds and printed whenever it changed. The database is -d DB,
else PGDATABASE; else, when no -c nor --db- option is given, the database of
"make run" in this folder, found as scripts/devenv.py sets it up: \$OTD_DB
(default otd_marketplace) on its private PostgreSQL cluster (under .local, or
\$OTD_DATA_DIR), or on the server of PGHOST when that is set.

The decisions and HTTP calls are logged at DEBUG only: start Odoo with
  --log-handler odoo.addons.otd_marketplace_stock:DEBUG
(or log_handler = odoo.addons.otd_marketplace_stock:DEBUG in its config file).

Which log is read:
  1. LOGFILE, when given ("-" reads the standard input);
  2. else the "logfile =" entry of the Odoo config file: -c FILE, else \$ODOO_RC,
     else ~/.odoorc, /etc/odoo/odoo.conf, /etc/odoo.conf (the first that exists);
  3. else .local/logs/odoo.log beside this script, the log of "make run"
     (in \$OTD_DATA_DIR/logs when that is set, as for make run);
  4. else $MON_DEFAULT_LOG.

Options:
  -n, --lines N      start with the last N lines of the log (default 0: only new lines)
  -c, --config FILE  read the log path (and db_host, db_port, db_user,
                     db_password for the table) from this Odoo config file
      --once         read the log from its beginning to its end, print it (and
                     the jobs table once, with a database), and exit instead of following
                     (with -n N: only its last N lines)
      --no-color     no colours
      --tz ZONE      show the times in ZONE, a name of the tz database such as
                     Asia/Bangkok, Europe/Paris or UTC (default: \$MONITOR_TZ,
                     else Asia/Bangkok). Odoo logs in UTC; the time of each line
                     and the datetimes of the events (due=, next_run_at=) are
                     moved by the offset ZONE has when the monitor starts
  -d, --database DB  show the latest jobs of this Odoo database
      --db-host H    PostgreSQL host or socket directory (else db_host of the
                     config file, else PGHOST, else psql's default)
      --db-port P    PostgreSQL port (else db_port, else PGPORT)
      --db-user U    PostgreSQL user (else db_user, else PGUSER); the password
                     comes from db_password, PGPASSWORD or ~/.pgpass
      --interval S   seconds between two reads of the jobs table (default 10)
      --no-table     no jobs table, not even the one of make run's database
  -h, --help         show this help

Examples:
  $(mon_prog)                          # make run's log and database
  $(mon_prog) --tz UTC                 # times as Odoo logs them
  $(mon_prog) -n 500 /var/log/odoo/odoo-server.log
  $(mon_prog) -c /etc/odoo/odoo.conf -d production
  $(mon_prog) -d odoo --db-host localhost --db-user odoo --interval 5
  $(mon_prog) --once -d odoo /var/log/odoo/odoo-server.log.1
  docker logs -f odoo 2>&1 | $(mon_prog) -

Exit status: 0 when done or stopped with Ctrl+C; 2 when the log or the config
file cannot be read, psql is missing for -d, or on a wrong option.
EOF
}

mon_log_arg=""
mon_db=""
mon_no_table=0
mon_db_host=""
mon_db_port=""
mon_db_user=""
mon_interval=10

mon_need_value() {
    [ "$2" -ge 2 ] || mon_die 2 "$1 needs a value (see --help)"
}

while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --) shift; [ $# -gt 0 ] && { mon_log_arg="$1"; shift; }; break ;;
        -) mon_log_arg="-"; shift; continue ;;
        --no-table) mon_no_table=1; shift; continue ;;
        -d|--database) mon_need_value "$1" $#; mon_db="$2"; shift 2; continue ;;
        --database=*) mon_db="${1#--database=}"; shift; continue ;;
        --db-host|--db_host) mon_need_value "$1" $#; mon_db_host="$2"; shift 2; continue ;;
        --db-host=*|--db_host=*) mon_db_host="${1#*=}"; shift; continue ;;
        --db-port|--db_port) mon_need_value "$1" $#; mon_db_port="$2"; shift 2; continue ;;
        --db-port=*|--db_port=*) mon_db_port="${1#*=}"; shift; continue ;;
        --db-user|--db_user) mon_need_value "$1" $#; mon_db_user="$2"; shift 2; continue ;;
        --db-user=*|--db_user=*) mon_db_user="${1#*=}"; shift; continue ;;
        --interval) mon_need_value "$1" $#; mon_interval="$2"; shift 2; continue ;;
        --interval=*) mon_interval="${1#--interval=}"; shift; continue ;;
    esac
    mon_parse_common_option "$@"
    if [ "$MON_SHIFT" -gt 0 ]; then
        shift "$MON_SHIFT"
        continue
    fi
    case "$1" in
        -*) mon_die 2 "unknown option $1 (see --help)" ;;
        *)
            [ -z "$mon_log_arg" ] || mon_die 2 "one log file only, got '$mon_log_arg' and '$1' (see --help)"
            mon_log_arg="$1"; shift ;;
    esac
done
[ $# -eq 0 ] || mon_die 2 "one log file only (see --help)"
if ! mon_is_count "$mon_interval" || [ "$mon_interval" -lt 1 ]; then
    mon_die 2 "--interval needs a whole number of seconds (1 or more), not '$mon_interval'"
fi

mon_setup_awk
mon_setup_tz
mon_resolve_log "$mon_log_arg"
mon_check_log

mon_color=0
if mon_use_color; then mon_color=1; fi

# --- the jobs table ---------------------------------------------------------

# The jobs table. result is JSON text written by the job; a row whose result
# is not a JSON object shows empty counts. skipped is an object of counts per
# skip reason: its total is shown. The duration is the one the sync measured
# (duration_s), else finished_at - started_at (whole seconds: Odoo stores
# datetimes to the second). MON_JSON_GUARD is completed with
# pg_input_is_valid() on PostgreSQL 16 and later.
MON_JSON_GUARD="j.result::text ~ '^[[:space:]]*[{].*[}][[:space:]]*\$'"
mon_jobs_sql() {
    cat <<EOF
WITH jobs AS (
    SELECT j.*,
           CASE WHEN $MON_JSON_GUARD THEN j.result::text::jsonb END AS r
      FROM marketplace_job j
     ORDER BY j.create_date DESC NULLS LAST, j.id DESC
     LIMIT 10
)
SELECT coalesce(nullif(jobs.reference, '/'), jobs.name, jobs.id::text) AS job,
       a.name AS account,
       jobs.state,
       jobs.attempts,
       CASE WHEN jsonb_typeof(jobs.r->'fetched') = 'number' THEN (jobs.r->'fetched')::text::numeric END AS fetched,
       CASE WHEN jsonb_typeof(jobs.r->'updated') = 'number' THEN (jobs.r->'updated')::text::numeric END AS updated,
       CASE jsonb_typeof(jobs.r->'skipped')
            WHEN 'number' THEN (jobs.r->'skipped')::text::numeric
            WHEN 'object' THEN (SELECT coalesce(sum(e.value::text::numeric), 0)
                                  FROM jsonb_each(jobs.r->'skipped') e
                                 WHERE jsonb_typeof(e.value) = 'number')
       END AS skipped,
       CASE WHEN jsonb_typeof(jobs.r->'duration_s') = 'number' AND jobs.state = 'done'
                 THEN round((jobs.r->'duration_s')::text::numeric, 1)::text || ' s'
            WHEN jobs.started_at IS NULL THEN ''
            WHEN jobs.finished_at IS NOT NULL
                 THEN CASE WHEN jobs.finished_at - jobs.started_at < interval '1 second' THEN '<1 s'
                           ELSE extract(epoch FROM date_trunc('second', jobs.finished_at - jobs.started_at))::bigint::text || ' s'
                      END
            WHEN jobs.state = 'running'
                 THEN 'running ' || round(extract(epoch FROM (now() AT TIME ZONE 'UTC') - jobs.started_at))::text || ' s'
            ELSE ''
       END AS duration
  FROM jobs
  LEFT JOIN marketplace_account a ON a.id = jobs.account_id
 ORDER BY jobs.create_date DESC NULLS LAST, jobs.id DESC
EOF
}

# The first 12 hex digits of the SHA-1 of a text, as devenv.py names folders.
mon_sha1_12() {
    if command -v sha1sum >/dev/null 2>&1; then
        mon_sum="$(printf '%s' "$1" | sha1sum)"
    elif command -v shasum >/dev/null 2>&1; then
        mon_sum="$(printf '%s' "$1" | shasum -a 1)"
    else
        return 1
    fi
    printf '%s\n' "${mon_sum:0:12}"
}

# The database of `make run` in this folder, found as scripts/devenv.py sets it
# up (read-only; see ensure_postgres, cluster_dir and socket_dir there):
# $OTD_DB, default otd_marketplace, on the server of PGHOST when that is set,
# else on devenv.py's private cluster: LOCAL/pg, or, when the postgres user
# could not enter LOCAL (root's clone in a private folder),
# /var/lib/otd_marketplace_stock/<sha1 of LOCAL>. The cluster's socket is in
# run/ inside it, or in /tmp/otd-pg-<sha1 of the cluster> when that path would
# be too long for a Unix socket (107 bytes); its port is in the file port; the
# role is odoo. Sets mon_db, mon_db_host, mon_db_port, mon_db_user; returns 1
# when this folder has no such set-up.
mon_find_run_database() {
    mon_local="$(mon_local_dir)"
    if [ -n "${PGHOST:-}" ]; then
        # psql takes PGPORT, PGUSER and PGPASSWORD from the environment, as odoo-bin got them
        [ -f "$mon_local/logs/odoo.log" ] || return 1
        mon_db="${OTD_DB:-otd_marketplace}"
        mon_db_host="$PGHOST"
        return 0
    fi
    mon_cluster="$mon_local/pg"
    if [ ! -f "$mon_cluster/port" ]; then
        mon_cluster="/var/lib/otd_marketplace_stock/$(mon_sha1_12 "$mon_local")" || return 1
        [ -f "$mon_cluster/port" ] || return 1
    fi
    mon_port="$(cat "$mon_cluster/port" 2>/dev/null)"
    mon_is_count "$mon_port" || return 1
    mon_socket="$mon_cluster/run"
    if [ "$(printf '%s' "$mon_socket/.s.PGSQL.65535" | wc -c)" -gt 107 ]; then
        mon_socket="/tmp/otd-pg-$(mon_sha1_12 "$mon_cluster")" || return 1
    fi
    mon_db="${OTD_DB:-otd_marketplace}"
    mon_db_host="$mon_socket"
    mon_db_port="$mon_port"
    mon_db_user="odoo"
}

mon_table=0
mon_table_required=0
mon_table_of_run=0
if [ "$mon_no_table" = 1 ]; then
    :
elif [ -n "$mon_db" ]; then
    mon_table=1
    mon_table_required=1
elif [ -n "${PGDATABASE:-}" ]; then
    mon_table=1
    mon_db="$PGDATABASE"
elif [ -z "$MON_CONFIG$mon_db_host$mon_db_port$mon_db_user" ] && mon_find_run_database; then
    mon_table=1
    mon_table_of_run=1
fi

if [ "$mon_table" = 1 ]; then
    if ! command -v psql >/dev/null 2>&1; then
        mon_message="psql, the PostgreSQL client, is not installed or not on PATH: it is needed for the jobs table."
        mon_message="$mon_message Install it (Debian/Ubuntu: apt-get install postgresql-client; macOS: brew install libpq)"
        if [ "$mon_table_required" = 1 ]; then
            mon_die 2 "$mon_message or leave out -d."
        fi
        mon_warn "$mon_message; following the log without the table."
        mon_table=0
    fi
fi
if [ "$mon_table" = 1 ] && [ "$mon_table_of_run" = 0 ] && [ -n "$MON_CONFIG_FILE" ]; then
    # fill what was not given from the Odoo config file
    [ -n "$mon_db_host" ] || mon_db_host="$(mon_config_get "$MON_CONFIG_FILE" db_host)"
    [ -n "$mon_db_port" ] || mon_db_port="$(mon_config_get "$MON_CONFIG_FILE" db_port)"
    [ -n "$mon_db_user" ] || mon_db_user="$(mon_config_get "$MON_CONFIG_FILE" db_user)"
    if [ -z "${PGPASSWORD:-}" ]; then
        mon_db_password="$(mon_config_get "$MON_CONFIG_FILE" db_password)"
        if [ -n "$mon_db_password" ]; then
            PGPASSWORD="$mon_db_password"
            export PGPASSWORD
        fi
    fi
fi

mon_psql() {
    # -w: never ask for a password (the table is read in the background)
    set -- -X -w -q -P pager=off -P footer=off -v ON_ERROR_STOP=1 -d "$mon_db"
    [ -z "$mon_db_host" ] || set -- "$@" -h "$mon_db_host"
    [ -z "$mon_db_port" ] || set -- "$@" -p "$mon_db_port"
    [ -z "$mon_db_user" ] || set -- "$@" -U "$mon_db_user"
    psql "$@" "$MON_PSQL_ACTION" "$MON_PSQL_ARG" 2>&1
}

mon_guard_checked=0
mon_check_guard() {
    [ "$mon_guard_checked" = 0 ] || return 0
    MON_PSQL_ACTION="-tAc"
    MON_PSQL_ARG="SHOW server_version_num"
    mon_version="$(mon_psql)" || return 0
    mon_guard_checked=1
    if mon_is_count "$mon_version" && [ "$mon_version" -ge 160000 ]; then
        MON_JSON_GUARD="pg_input_is_valid(j.result::text, 'jsonb') AND $MON_JSON_GUARD"
    fi
}

# Prints the table; with "changed" only when it differs from the last one.
mon_last_table=""
mon_show_table() {
    mon_check_guard
    MON_PSQL_ACTION="-c"
    MON_PSQL_ARG="$(mon_jobs_sql)"
    if ! mon_rows="$(mon_psql)"; then
        case "$mon_rows" in
            *json*|*JSON*)
                # a result that looks like JSON but is not (PostgreSQL < 16
                # cannot test it): the table without the counts
                mon_guard_saved="$MON_JSON_GUARD"
                MON_JSON_GUARD="false"
                MON_PSQL_ARG="$(mon_jobs_sql)"
                MON_JSON_GUARD="$mon_guard_saved"
                mon_rows="$(mon_psql)
(no counts: the result of a job is not valid JSON)"
                ;;
        esac
    fi
    if [ "${1:-}" = changed ] && [ "$mon_rows" = "$mon_last_table" ]; then
        return 0
    fi
    mon_last_table="$mon_rows"
    printf '\n-- latest jobs in database %s at %s --\n%s\n\n' "$mon_db" "$(TZ="$MON_TZ_DATE" date '+%H:%M:%S')" "$mon_rows"
}

mon_table_loop() {
    mon_sleep_pid=""
    trap '[ -z "$mon_sleep_pid" ] || kill "$mon_sleep_pid" 2>/dev/null; exit 0' INT TERM HUP
    while :; do
        mon_show_table changed
        sleep "$mon_interval" &
        mon_sleep_pid=$!
        wait "$mon_sleep_pid"
        mon_sleep_pid=""
    done
}

# --- run --------------------------------------------------------------------

if [ "$MON_ONCE" = 1 ]; then
    trap 'exit 0' INT TERM
    mon_header
    mon_run_filter_once 1 "$mon_color"
    mon_status=$?
    if [ "$mon_table" = 1 ]; then
        mon_show_table
    fi
    exit "$mon_status"
fi

mon_header
if [ "$mon_table" = 1 ]; then
    mon_defer_stop  # until mon_follow has started its processes too
    mon_table_loop &
    # shellcheck disable=SC2034  # stopped by mon_cleanup
    MON_TABLE_PID=$!
fi
mon_follow 1 "$mon_color"
exit 0
