# Filter of the otd_marketplace_stock monitor scripts: reads Odoo log lines
# and prints the Zortout sync events of the addon, one line each.
# Variables: detailed=1 also prints DEBUG lines (per-SKU decisions, HTTP
# calls) and tracebacks; color=1 colours errors, warnings and finished jobs;
# tzoff=N shows the times N seconds later than logged (Odoo logs in UTC).
# Portable awk only (BSD awk as on macOS, mawk, gawk, busybox awk).

function out(text, col) {
    if (color && col != "") print col text RST
    else print text
    fflush()
}

# Length of the first token of s: up to the first space outside double quotes.
function token_length(s,    i, n, c, quoted) {
    n = length(s)
    quoted = 0
    for (i = 1; i <= n; i++) {
        c = substr(s, i, 1)
        if (quoted) {
            if (c == "\\") { i++; continue }
            if (c == "\"") quoted = 0
            continue
        }
        if (c == "\"") { quoted = 1; continue }
        if (c == " ") return i - 1
    }
    return n
}

# A value without its double quotes and backslash escapes.
function unquote(v,    i, n, c, plain) {
    if (length(v) < 2 || substr(v, 1, 1) != "\"" || substr(v, length(v), 1) != "\"") return v
    v = substr(v, 2, length(v) - 2)
    if (index(v, "\\") == 0) return v
    plain = ""
    n = length(v)
    for (i = 1; i <= n; i++) {
        c = substr(v, i, 1)
        if (c == "\\" && i < n) { i++; c = substr(v, i, 1) }
        plain = plain c
    }
    return plain
}

function month_days(y, m) {
    if (m == 2) return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28
    return (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31
}

# "YYYY-MM-DD HH:MM:SS" in UTC, as Odoo logs and stores times, moved by tzoff
# seconds to the zone shown (plain arithmetic: BSD awk has no strftime).
function shift_time(stamp,    y, m, d, s) {
    if (tzoff == 0) return stamp
    y = substr(stamp, 1, 4) + 0
    m = substr(stamp, 6, 2) + 0
    d = substr(stamp, 9, 2) + 0
    s = substr(stamp, 12, 2) * 3600 + substr(stamp, 15, 2) * 60 + substr(stamp, 18, 2) + tzoff
    while (s < 0) {
        s += 86400
        d--
        if (d < 1) {
            m--
            if (m < 1) { m = 12; y-- }
            d = month_days(y, m)
        }
    }
    while (s >= 86400) {
        s -= 86400
        d++
        if (d > month_days(y, m)) {
            d = 1
            m++
            if (m > 12) { m = 1; y++ }
        }
    }
    return sprintf("%04d-%02d-%02d %02d:%02d:%02d", y, m, d, int(s / 3600), int(s % 3600 / 60), s % 60)
}

# key=value of an event, its value moved to the zone shown when it is a datetime.
function shift_pair(key, value,    plain) {
    plain = unquote(value)
    if (plain !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]$/) return key "=" value
    return key "=\"" shift_time(plain) "\""
}

function level_color(level) {
    if (level == "ERROR" || level == "CRITICAL") return RED
    if (level == "WARNING") return YEL
    return ""
}

function short_logger(name) {
    if (substr(name, 1, length(PFX) + 1) == PFX ".") return substr(name, length(PFX) + 2)
    return name
}

function job_opened(pid, job) {
    if (!((pid SUBSEP job) in open_job)) {
        open_job[pid SUBSEP job] = 1
        open_count[pid]++
    }
}

function job_closed(pid, job) {
    if ((pid SUBSEP job) in open_job) {
        delete open_job[pid SUBSEP job]
        open_count[pid]--
    }
}

# The job an HTTP call belongs to: the one sync running in that process, if
# exactly one is; "-" when none or several (threaded server) are.
function job_of(pid,    key, parts) {
    if (open_count[pid] != 1) return "-"
    for (key in open_job) {
        split(key, parts, SUBSEP)
        if (parts[1] == pid) return parts[2]
    }
    return "-"
}

function sync_line(msg, level, pid, hhmmss,    at, before, s, n, tok, eq, key, job, account, event, rest, detail, col, text) {
    at = index(msg, "zortout-sync ")
    before = substr(msg, 1, at - 1)
    sub(/[ :]+$/, "", before)
    s = substr(msg, at + 13)
    job = ""; account = ""; event = ""; rest = ""; detail = ""
    while (s != "") {
        sub(/^ +/, "", s)
        if (s == "") break
        n = token_length(s)
        tok = substr(s, 1, n)
        s = substr(s, n + 1)
        eq = index(tok, "=")
        key = eq ? substr(tok, 1, eq - 1) : ""
        if (key == "job" && job == "") job = unquote(substr(tok, eq + 1))
        else if (key == "account" && account == "") account = unquote(substr(tok, eq + 1))
        else if (key == "event" && event == "") event = unquote(substr(tok, eq + 1))
        else {
            if (key == "detail" && detail == "") detail = unquote(substr(tok, eq + 1))
            else if (eq && tzoff != 0) tok = shift_pair(key, substr(tok, eq + 1))
            rest = rest (rest == "" ? "" : " ") tok
        }
    }
    if (job == "") job = "-"
    if (event == "") event = "?"
    if (event == "start") {
        job_opened(pid, job)
        if (account != "") rest = "account=" account (rest == "" ? "" : " " rest)
    } else if (event ~ /^webhook_/ || event == "instant_queued") {
        # a delivery of Zortout's stock webhook (accepted, ignored or refused, and why), or the
        # instant-sync job it started: which account it was for matters
        if (account != "" && account != "-") rest = "account=" account (rest == "" ? "" : " " rest)
    } else if (event == "done" || event == "failed" || event == "retry") {
        job_closed(pid, job)
    }
    if (before != "") rest = rest (rest == "" ? "" : " ") "(" before ")"
    if (event == "http" && detail != "") {
        # an HTTP call of the Zortout client, logged with the job prefix
        if (!detailed && (level == "DEBUG" || level == "INFO")) return 0
        return http_line(detail, level, job, hhmmss)
    }
    if (level == "DEBUG") {
        if (!detailed) return 0
        text = hhmmss " " job "   " event (rest == "" ? "" : " " rest)
        out(text, DIM)
        return 1
    }
    col = level_color(level)
    if (col == "" && event == "done") col = GRN
    text = hhmmss " " job " " event (rest == "" ? "" : " " rest)
    if (level != "INFO" && level != "WARNING" && level != "ERROR") text = text " [" level "]"
    out(text, col)
    return 1
}

function http_line(msg, level, job, hhmmss,    text, col) {
    sub(/^Zortout /, "", msg)
    col = DIM
    # a call answered with something else than 2xx, or a retry
    if (msg ~ /-> [0-9]+ in / && msg !~ /-> 2[0-9][0-9] in /) col = YEL
    if (msg ~ /-> no answer in /) col = YEL
    if (msg ~ /: retry [0-9]+ in /) col = YEL
    if (level != "DEBUG") col = level_color(level)
    text = hhmmss " " job "   http " msg
    out(text, col)
    return 1
}

# An ERROR record of another logger (the HTTP worker, the cron runner...) is
# kept until the next record: it is shown only when its traceback goes
# through this addon.
function flush_foreign(    i, last) {
    if (foreign_n == 0) return
    if (foreign_hit) {
        if (detailed) {
            out(foreign_head, RED)
            for (i = 2; i <= foreign_n; i++) out("    " foreign_buf[i], "")
        } else {
            last = ""
            for (i = foreign_n; i >= 2; i--) {
                if (foreign_buf[i] ~ /^[A-Za-z_][A-Za-z0-9_.]*(Error|Exception|Warning|Exit|Interrupt)?(:|$)/) { last = foreign_buf[i]; break }
            }
            out(foreign_head (last == "" ? "" : " -- " last), RED)
        }
    }
    foreign_n = 0
    foreign_hit = 0
}

function record(line,    n, f, head, msg, level, logger, pid, hhmmss, ours, shown) {
    flush_foreign()
    show_cont = 0
    n = split(line, f, " ")
    head = f[1] " " f[2] " " f[3] " " f[4] " " f[5] " " f[6]
    msg = substr(line, length(head) + 2)
    sub(/[ \t]+$/, "", msg)
    level = f[4]
    pid = f[3]
    logger = f[6]
    sub(/:$/, "", logger)
    ours = (logger == PFX || substr(logger, 1, length(PFX) + 1) == PFX ".")
    if (!ours && level != "ERROR" && level != "CRITICAL") return
    hhmmss = substr(shift_time(f[1] " " substr(f[2], 1, 8)), 12)
    if (!ours) {
        foreign_n = 1
        foreign_buf[1] = line
        foreign_head = hhmmss " " level " " logger ": " msg
        foreign_hit = (index(msg, ADDON) > 0)
        return
    }
    shown = 0
    if (index(msg, "zortout-sync ") > 0 && msg ~ /zortout-sync +job=/) {
        shown = sync_line(msg, level, pid, hhmmss)
    } else if (logger == PFX ".zortout" || substr(logger, 1, length(PFX) + 9) == PFX ".zortout.") {
        if (detailed || (level != "DEBUG" && level != "INFO")) shown = http_line(msg, level, job_of(pid), hhmmss)
    } else if (detailed || (level != "DEBUG" && level != "INFO")) {
        out(hhmmss " " level " " short_logger(logger) ": " msg, (level == "DEBUG" || level == "INFO") ? DIM : level_color(level))
        shown = 1
    }
    # the lines that follow a record (its traceback) go with it
    show_cont = (shown && detailed)
}

BEGIN {
    PFX = "odoo.addons.otd_marketplace_stock"
    ADDON = "otd_marketplace_stock"
    ESC = sprintf("%c", 27)
    if (color) {
        RED = ESC "[31m"; YEL = ESC "[33m"; GRN = ESC "[32m"; DIM = ESC "[2m"; RST = ESC "[0m"
    } else {
        RED = ""; YEL = ""; GRN = ""; DIM = ""; RST = ""
    }
    foreign_n = 0
    foreign_hit = 0
    show_cont = 0
}

{
    line = $0
    sub(/\r$/, "", line)
    if (index(line, ESC) > 0) gsub(ESC "\\[[0-9;]*m", "", line)
    if (line ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9],[0-9][0-9][0-9] [0-9]+ [A-Z]+ [^ ]+ [^ ]+: /) {
        record(line)
    } else if (foreign_n > 0) {
        if (foreign_n < 400) foreign_buf[++foreign_n] = line
        if (index(line, ADDON) > 0) foreign_hit = 1
    } else if (show_cont) {
        out("    " line, "")
    }
}

END { flush_foreign() }
