#!/usr/bin/env bash
# Follow the Odoo log and show the Zortout stock syncs of otd_marketplace_stock,
# one line per event. Run with --help for the options.
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
otd_marketplace_stock addon, one line per event:

  01:03:39 JOB/0042 start account=3 warehouse=W0001 location="WH/Stock" source=availablestock mode=full
  01:03:40 JOB/0042 fetched rows=1250 api_calls=3 retries=0 ms=812
  01:03:41 JOB/0042 applied updated=37 unchanged=1190 skipped=23 ms=905
  01:03:41 JOB/0042 done fetched=1250 matched=1227 updated=37 unchanged=1190 skipped=23 duration_s=1.8

Instant sync (Zortout's stock webhook) shows each delivery - accepted with the
instant job that gathers its SKUs, ignored, or refused with the HTTP status and
the reason (wrong_keys, missing_keys, unknown_token, too_large, unreadable) -
and each instant job it starts:

  01:05:02 JOB/0043 webhook_accepted account=3 skus=1 added=1 pending=4 due="2026-11-28 01:05:05" format=json ms=6.1
  01:05:02 JOB/0043 instant_queued account=3 skus=1 due="2026-11-28 01:05:05"
  01:05:09 - webhook_refused account=3 status=401 reason=wrong_keys peer=203.0.113.9 ms=2.3

Errors of the addon are shown too (red), warnings such as retries and refused
deliveries in yellow, finished syncs in green (colours only on a terminal,
without NO_COLOR).

Which log is read:
  1. LOGFILE, when given ("-" reads the standard input);
  2. else the "logfile =" entry of the Odoo config file: -c FILE, else \$ODOO_RC,
     else ~/.odoorc, /etc/odoo/odoo.conf, /etc/odoo.conf (the first that exists);
  3. else .local/logs/odoo.log beside this script, the log of "make run"
     (in \$OTD_DATA_DIR/logs when that is set, as for make run);
  4. else $MON_DEFAULT_LOG.

Options:
  -n, --lines N      start with the last N lines of the log (default 0: only new lines)
  -c, --config FILE  read the log path from this Odoo config file
      --once         read the log from its beginning to its end, print, and exit
                     instead of following it (with -n N: only its last N lines)
      --no-color     no colours
      --tz ZONE      show the times in ZONE, a name of the tz database such as
                     Asia/Bangkok, Europe/Paris or UTC (default: \$MONITOR_TZ,
                     else Asia/Bangkok). Odoo logs in UTC; the time of each line
                     and the datetimes of the events (due=, next_run_at=) are
                     moved by the offset ZONE has when the monitor starts
  -h, --help         show this help

Examples:
  $(mon_prog)                                   # follow the log found as above
  $(mon_prog) -n 200 /var/log/odoo/odoo-server.log
  $(mon_prog) -c /etc/odoo/odoo.conf
  $(mon_prog) --once /var/log/odoo/odoo-server.log.1    # an old log
  $(mon_prog) --tz Europe/Paris                 # times in Paris, not Bangkok
  journalctl -u odoo -f -o cat | $(mon_prog) -          # Odoo without a logfile
  docker logs -f odoo 2>&1 | $(mon_prog) -

Notes:
  The sync lines are logged at INFO: Odoo's log_level must be info or lower
  (the default). Per-SKU decisions and HTTP calls are logged at DEBUG and shown
  by monitor_stock_sync_detailed.sh; to log them, start Odoo with
    --log-handler odoo.addons.otd_marketplace_stock:DEBUG
  (or log_handler = odoo.addons.otd_marketplace_stock:DEBUG in its config file).

Exit status: 0 when done or stopped with Ctrl+C; 2 when the log or the config
file cannot be read, or on a wrong option.
EOF
}

mon_log_arg=""
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --) shift; [ $# -gt 0 ] && { mon_log_arg="$1"; shift; }; break ;;
        -) mon_log_arg="-"; shift; continue ;;
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

mon_setup_awk
mon_setup_tz
mon_resolve_log "$mon_log_arg"
mon_check_log

mon_color=0
if mon_use_color; then mon_color=1; fi

if [ "$MON_ONCE" = 1 ]; then
    trap 'exit 0' INT TERM
    mon_header
    mon_run_filter_once 0 "$mon_color"
    exit $?
fi

mon_header
mon_follow 0 "$mon_color"
exit 0
