# Shared code of monitor_stock_sync.sh and monitor_stock_sync_detailed.sh.
# Sourced, not run. Written for bash 3.2 (macOS) and newer, with only portable
# tail/awk (BSD, GNU, mawk, busybox): no associative arrays, no ${var,,},
# no mapfile, no GNU-only options.
# shellcheck shell=bash disable=SC2034  # the MON_ variables are read by the scripts

MON_DEFAULT_LOG="/var/log/odoo/odoo-server.log"
# The awk to run, as an array (see mon_setup_awk); MON_AWK_FOLLOW adds what it
# needs to read a pipe line by line.
MON_AWK=("${AWK:-awk}")
MON_AWK_FOLLOW=("${AWK:-awk}")

# Options shared by both scripts (set by mon_parse_common_option).
MON_LINES=0
MON_CONFIG=""
MON_ONCE=0
MON_COLOR_OPT=1
MON_TZ=""
MON_LOG=""
MON_LOG_SOURCE=""
MON_TRIED=""
MON_TZ_OFFSET=0

# Process ids and scratch directory cleaned up on exit.
MON_TAIL_PID=""
MON_FILTER_PID=""
MON_TABLE_PID=""
MON_TMP=""
MON_STOP_ASKED=0

mon_prog() {
    basename "$0"
}

mon_die() {
    # mon_die STATUS MESSAGE...
    mon_status="$1"
    shift
    printf '%s: %s\n' "$(mon_prog)" "$*" >&2
    exit "$mon_status"
}

mon_warn() {
    printf '%s: %s\n' "$(mon_prog)" "$*" >&2
}

# Chooses the awk: $AWK, else awk. AWK may be a command with its arguments
# ("busybox awk"). mawk, Debian's default awk, reads a pipe in blocks of
# several kilobytes: on a quiet log it shows nothing for minutes, until a block
# is full or the pipe is closed. Its -W interactive makes it read (and write)
# line by line. gawk and busybox awk read what is there already and only warn
# about -W, so the option is given only to an awk that takes it silently.
mon_setup_awk() {
    mon_awk_name="${AWK:-awk}"
    if command -v -- "$mon_awk_name" >/dev/null 2>&1; then
        MON_AWK=("$mon_awk_name")
    else
        read -r -a MON_AWK <<< "$mon_awk_name"
    fi
    if [ "${#MON_AWK[@]}" -eq 0 ] || ! command -v -- "${MON_AWK[0]}" >/dev/null 2>&1; then
        mon_die 2 "awk not found: '$mon_awk_name' (set AWK to an awk such as mawk, gawk or 'busybox awk')"
    fi
    MON_AWK_FOLLOW=("${MON_AWK[@]}")
    # shellcheck disable=SC2016  # an awk program
    if [ "$("${MON_AWK[@]}" -W interactive 'BEGIN { print "ok" }' </dev/null 2>&1)" = ok ]; then
        MON_AWK_FOLLOW=("${MON_AWK[@]}" -W interactive)
    fi
}

mon_is_count() {
    case "${1:-}" in
        ''|*[!0-9]*) return 1 ;;
    esac
    return 0
}

# Parses one option shared by both scripts. Prints nothing; sets MON_SHIFT to
# the number of arguments used (0: not a shared option).
mon_parse_common_option() {
    MON_SHIFT=0
    case "$1" in
        -n|--lines)
            [ $# -ge 2 ] || mon_die 2 "$1 needs a number of lines (see --help)"
            mon_is_count "$2" || mon_die 2 "$1 needs a number of lines, not '$2'"
            MON_LINES="$2"; MON_SHIFT=2 ;;
        --lines=*)
            MON_LINES="${1#--lines=}"
            mon_is_count "$MON_LINES" || mon_die 2 "--lines needs a number of lines, not '$MON_LINES'"
            MON_SHIFT=1 ;;
        -n[0-9]*)
            MON_LINES="${1#-n}"
            mon_is_count "$MON_LINES" || mon_die 2 "-n needs a number of lines, not '$MON_LINES'"
            MON_SHIFT=1 ;;
        -c|--config)
            [ $# -ge 2 ] || mon_die 2 "$1 needs the path of an Odoo config file (see --help)"
            MON_CONFIG="$2"; MON_SHIFT=2 ;;
        --config=*)
            MON_CONFIG="${1#--config=}"; MON_SHIFT=1 ;;
        --once)
            MON_ONCE=1; MON_SHIFT=1 ;;
        --no-color|--no-colour)
            MON_COLOR_OPT=0; MON_SHIFT=1 ;;
        --tz)
            [ $# -ge 2 ] || mon_die 2 "$1 needs a time zone such as Asia/Bangkok or UTC (see --help)"
            MON_TZ="$2"; MON_SHIFT=2 ;;
        --tz=*)
            MON_TZ="${1#--tz=}"; MON_SHIFT=1 ;;
    esac
}

# True when date knows the zone: a file of the tz database, or a POSIX TZ
# value with its offset written out (UTC0, <+07>-7). date itself cannot tell:
# it takes an unknown name for UTC.
mon_known_zone() {
    mon_zone="${1#:}"
    case "$mon_zone" in
        ''|*..*) return 1 ;;
        UTC|GMT) return 0 ;;
        */*) ;;
        *[0-9]*) return 0 ;;
    esac
    for mon_zonedir in "${TZDIR:-}" /usr/share/zoneinfo /usr/lib/zoneinfo /usr/share/lib/zoneinfo; do
        if [ -n "$mon_zonedir" ] && [ -f "$mon_zonedir/$mon_zone" ]; then
            return 0
        fi
    done
    return 1
}

# The zone the times are shown in: --tz, else $MONITOR_TZ, else Asia/Bangkok.
# (Not $TZ: servers often set TZ=UTC for their own programs, and Odoo runs
# with TZ=UTC.) Odoo writes its log times, and the datetimes in the events
# (due=, next_run_at=), in UTC; the filter adds the zone's offset, taken once
# at start: a zone with daylight saving time keeps the offset of that moment.
# Sets MON_TZ_NAME, MON_TZ_DATE (a TZ value for date), MON_TZ_OFFSET (seconds
# east of UTC) and MON_TZ_LABEL (UTC+07:00).
mon_setup_tz() {
    MON_TZ_NAME="${MON_TZ:-${MONITOR_TZ:-Asia/Bangkok}}"
    MON_TZ_DATE="$MON_TZ_NAME"
    if ! mon_known_zone "$MON_TZ_NAME"; then
        if [ "$MON_TZ_NAME" = Asia/Bangkok ]; then
            # no tz database on this machine (a slim container): Bangkok is UTC+7 all year
            MON_TZ_DATE="<+07>-7"
        else
            mon_die 2 "unknown time zone '$MON_TZ_NAME': give a name of the tz database such as" \
                "Asia/Bangkok, Europe/Paris or UTC (the files under /usr/share/zoneinfo)"
        fi
    fi
    mon_offset="$(TZ="$MON_TZ_DATE" date +%z)"
    case "$mon_offset" in
        [+-][0-9][0-9][0-9][0-9]) ;;
        *) mon_die 2 "cannot read the offset of the time zone $MON_TZ_NAME from date (got '$mon_offset')" ;;
    esac
    MON_TZ_OFFSET=$((10#${mon_offset:1:2} * 3600 + 10#${mon_offset:3:2} * 60))
    if [ "${mon_offset:0:1}" = - ]; then
        MON_TZ_OFFSET=$((-MON_TZ_OFFSET))
    fi
    MON_TZ_LABEL="UTC${mon_offset:0:3}:${mon_offset:3:2}"
}

# The first line, on a terminal only (on the standard error): what is read,
# and the zone of the times.
mon_header() {
    [ -t 2 ] || return 0
    if [ "$MON_LOG" = "-" ]; then
        mon_what="the standard input"
    else
        mon_what="$MON_LOG ($MON_LOG_SOURCE)"
    fi
    if [ "$MON_ONCE" = 1 ]; then
        printf 'Reading %s; times in %s (%s).\n' "$mon_what" "$MON_TZ_NAME" "$MON_TZ_LABEL" >&2
    else
        printf 'Following %s; times in %s (%s); Ctrl+C to stop.\n' "$mon_what" "$MON_TZ_NAME" "$MON_TZ_LABEL" >&2
    fi
}

# Colours only on a terminal, when NO_COLOR is unset and --no-color not given.
mon_use_color() {
    [ "$MON_COLOR_OPT" = 1 ] || return 1
    [ -z "${NO_COLOR+set}" ] || return 1
    [ -t 1 ] || return 1
    return 0
}

# mon_config_get FILE KEY: the value of KEY in the [options] section of an
# Odoo config file; nothing when absent, empty, False or None.
mon_config_get() {
    # shellcheck disable=SC2016  # an awk program
    "${MON_AWK[@]}" -v key="$2" '
        /^[ \t]*[#;]/ { next }
        /^[ \t]*\[/ {
            section = $0
            gsub(/[][ \t\r]/, "", section)
            next
        }
        section == "options" {
            line = $0
            sub(/\r$/, "", line)
            eq = index(line, "=")
            colon = index(line, ":")
            if (eq == 0 || (colon > 0 && colon < eq)) eq = colon
            if (eq == 0) next
            name = substr(line, 1, eq - 1)
            gsub(/[ \t]/, "", name)
            if (name != key) next
            value = substr(line, eq + 1)
            sub(/^[ \t]+/, "", value)
            sub(/[ \t]+$/, "", value)
            if (value == "False" || value == "None") value = ""
            print value
            exit
        }
    ' "$1" 2>/dev/null
}

mon_expand_home() {
    # shellcheck disable=SC2088  # a literal ~ from the config file
    case "$1" in
        "~") printf '%s\n' "$HOME" ;;
        "~/"*) printf '%s/%s\n' "$HOME" "${1#\~/}" ;;
        *) printf '%s\n' "$1" ;;
    esac
}

# The data folder of scripts/devenv.py (make run, make test), as its LOCAL:
# $OTD_DATA_DIR, else .local beside the scripts; symlinks resolved.
mon_local_dir() {
    mon_local="$(mon_expand_home "${OTD_DATA_DIR:-$MON_HERE/.local}")"
    if [ -d "$mon_local" ]; then
        (CDPATH='' cd -- "$mon_local" 2>/dev/null && pwd -P) && return 0
    fi
    printf '%s\n' "$mon_local"
}

# The Odoo config file to read: -c, else $ODOO_RC, else the usual places.
# Sets MON_CONFIG_FILE (empty when none was found).
mon_find_config() {
    MON_CONFIG_FILE=""
    if [ -n "$MON_CONFIG" ]; then
        [ -e "$MON_CONFIG" ] || mon_die 2 "config file not found: $MON_CONFIG"
        if [ ! -f "$MON_CONFIG" ] || [ ! -r "$MON_CONFIG" ]; then
            mon_die 2 "cannot read the config file $MON_CONFIG"
        fi
        MON_CONFIG_FILE="$MON_CONFIG"
        return 0
    fi
    for mon_candidate in "${ODOO_RC:-}" "$HOME/.odoorc" /etc/odoo/odoo.conf /etc/odoo.conf; do
        if [ -n "$mon_candidate" ] && [ -f "$mon_candidate" ] && [ -r "$mon_candidate" ]; then
            MON_CONFIG_FILE="$mon_candidate"
            return 0
        fi
    done
    return 0
}

# Chooses the log: LOGFILE argument; else logfile = of the config file; else
# logs/odoo.log in devenv.py's data folder (written by `make run`); else the
# default. Sets MON_LOG and MON_LOG_SOURCE.
mon_resolve_log() {
    mon_arg="$1"
    mon_find_config
    if [ -n "$mon_arg" ]; then
        MON_LOG="$mon_arg"
        MON_LOG_SOURCE="given as argument"
        return 0
    fi
    if [ -n "$MON_CONFIG_FILE" ]; then
        mon_value="$(mon_config_get "$MON_CONFIG_FILE" logfile)"
        if [ -n "$mon_value" ]; then
            MON_LOG="$(mon_expand_home "$mon_value")"
            MON_LOG_SOURCE="the logfile entry of $MON_CONFIG_FILE"
            return 0
        fi
        if [ -n "$MON_CONFIG" ]; then
            mon_die 2 "$MON_CONFIG has no logfile entry, so Odoo writes its log to its standard error" \
                "(the terminal, journalctl, docker logs). Pipe that into this script with '-'," \
                "e.g. journalctl -u odoo -f -o cat | $(mon_prog) -"
        fi
        MON_TRIED="$MON_CONFIG_FILE (no logfile entry), "
    fi
    mon_run_log="$(mon_local_dir)/logs/odoo.log"
    if [ -f "$mon_run_log" ]; then
        MON_LOG="$mon_run_log"
        MON_LOG_SOURCE="the log of make run"
        return 0
    fi
    MON_TRIED="${MON_TRIED}$mon_run_log (absent), "
    MON_LOG="$MON_DEFAULT_LOG"
    MON_LOG_SOURCE="the default"
}

mon_check_log() {
    [ "$MON_LOG" = "-" ] && return 0
    mon_how="Choose the log with an argument ($(mon_prog) /path/to/odoo.log) or with -c /path/to/odoo.conf (its logfile entry)."
    mon_from="($MON_LOG_SOURCE)"
    if [ -n "$MON_TRIED" ]; then
        mon_from="($MON_LOG_SOURCE; also tried ${MON_TRIED%, })"
    fi
    if [ ! -e "$MON_LOG" ]; then
        mon_die 2 "the Odoo log $MON_LOG does not exist $mon_from. $mon_how"
    fi
    if [ -d "$MON_LOG" ]; then
        mon_die 2 "the Odoo log $MON_LOG is a directory, not a file $mon_from. $mon_how"
    fi
    if [ ! -r "$MON_LOG" ]; then
        mon_die 2 "cannot read the Odoo log $MON_LOG: permission denied $mon_from." \
            "Run as a user that may read it (e.g. sudo -u odoo $(mon_prog)) or: $mon_how"
    fi
}

# The filter (see monitor_filter.awk beside this file).
MON_FILTER="$MON_HERE/scripts/monitor_filter.awk"

# mon_filter_args DETAILED COLOR: the filter and its variables, in MON_FILTER_ARGS.
mon_filter_args() {
    MON_FILTER_ARGS=(-v detailed="$1" -v color="$2" -v tzoff="$MON_TZ_OFFSET" -f "$MON_FILTER")
}

# Runs the filter on the chosen log: once (whole file, or its last N lines)
# or following it.
mon_run_filter_once() {
    # mon_run_filter_once DETAILED COLOR
    mon_filter_args "$1" "$2"
    if [ "$MON_LOG" = "-" ]; then
        "${MON_AWK[@]}" "${MON_FILTER_ARGS[@]}"
    elif [ "$MON_LINES" -gt 0 ]; then
        tail -n "$MON_LINES" "$MON_LOG" | "${MON_AWK[@]}" "${MON_FILTER_ARGS[@]}"
    else
        "${MON_AWK[@]}" "${MON_FILTER_ARGS[@]}" "$MON_LOG"
    fi
}

mon_cleanup() {
    for mon_pid in "$MON_TABLE_PID" "$MON_TAIL_PID" "$MON_FILTER_PID"; do
        if [ -n "$mon_pid" ]; then
            kill "$mon_pid" 2>/dev/null
        fi
    done
    MON_TABLE_PID=""
    MON_TAIL_PID=""
    MON_FILTER_PID=""
    if [ -n "$MON_TMP" ] && [ -d "$MON_TMP" ]; then
        rm -rf "$MON_TMP"
    fi
    MON_TMP=""
}

mon_interrupted() {
    mon_cleanup
    exit 0
}

# While background processes are started, Ctrl+C or a kill only notes the
# stop: bash runs a trap between two commands, so one run between `cmd &` and
# `pid=$!` would lose the id and leave that process running for ever (tail
# waiting for the pipe's reader, say). mon_allow_stop stops, if asked, once
# every id is known.
mon_defer_stop() {
    trap 'MON_STOP_ASKED=1' INT TERM HUP
    trap 'mon_cleanup' EXIT
}

mon_allow_stop() {
    trap 'mon_interrupted' INT TERM HUP
    [ "$MON_STOP_ASKED" = 0 ] || mon_interrupted
}

# Follows the log until interrupted. tail and awk run in the background, each
# with its own id, so that Ctrl+C or a kill of this script stops both.
mon_follow() {
    # mon_follow DETAILED COLOR
    mon_defer_stop
    mon_filter_args "$1" "$2"
    if [ "$MON_LOG" = "-" ]; then
        # a background command would read /dev/null: hand it our stdin
        exec 3<&0
        "${MON_AWK_FOLLOW[@]}" "${MON_FILTER_ARGS[@]}" <&3 &
        MON_FILTER_PID=$!
    else
        MON_TMP="$(mktemp -d "${TMPDIR:-/tmp}/monitor_stock_sync.XXXXXX")" \
            || mon_die 2 "cannot create a temporary directory"
        mkfifo "$MON_TMP/lines" || mon_die 2 "cannot create a pipe in $MON_TMP"
        "${MON_AWK_FOLLOW[@]}" "${MON_FILTER_ARGS[@]}" < "$MON_TMP/lines" &
        MON_FILTER_PID=$!
        tail -n "$MON_LINES" -F "$MON_LOG" > "$MON_TMP/lines" &
        MON_TAIL_PID=$!
    fi
    mon_allow_stop
    wait "$MON_FILTER_PID"
    mon_cleanup
}
