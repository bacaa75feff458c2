"""How long the database's transactions stay open, sampled from pg_stat_activity.

PostgreSQL logs slow statements, not long transactions, so a ``psql`` process
re-runs one query every 0.5 s (``\\watch``) listing each open transaction of the
database with its age (now - ``xact_start``) and its latest statement. A
transaction is known by (backend pid, ``xact_start``); its age is the highest
sampled, so a transaction can be up to one interval longer than reported.

Odoo's cron worker keeps one transaction of its own open for the whole of a
cron run: the one that locks the ``ir_cron`` row (``_acquire_one_job``) so
that no other worker runs the same cron, committed when the run ends. It holds
that row lock and nothing else; the job's work runs in another transaction
(``_run_job``'s cursor, committed by ``_commit_progress``). Such transactions
are told apart by their statements and reported separately.

Standard library only.
"""

import re
import subprocess
import threading

__all__ = ["TransactionWatch"]

SEPARATOR = "\x1f"
INTERVAL = 0.5
#: statements that only Odoo's cron bookkeeping transaction runs (see ir_cron._process_jobs and
#: _acquire_one_job, whose lock query starts with its last_cron_progress CTE). Not any "FOR NO KEY
#: UPDATE SKIP LOCKED": stock's own quant updates lock that way (try_lock_for_update), in the sync's
#: apply steps.
CRON_BOOKKEEPING = re.compile(
    r"WITH last_cron_progress AS|DELETE FROM ir_cron_trigger|^\s*SELECT latest_version\s+FROM ir_module_module"
    r"|UPDATE ir_cron\s+SET (failure_count|nextcall|lastcall)|FROM ir_cron\s+WHERE|INSERT INTO ir_cron_trigger\(", re.I)

QUERY = (
    "SELECT pid, xact_start, EXTRACT(EPOCH FROM clock_timestamp() - xact_start), state,"
    " left(regexp_replace(query, '\\s+', ' ', 'g'), 300)"
    " FROM pg_stat_activity"
    " WHERE datname = '{database}' AND xact_start IS NOT NULL AND pid <> pg_backend_pid()"
    " \\watch {interval}\n"
)


class Transaction:
    def __init__(self, pid, start):
        self.pid, self.start = pid, start
        self.age = 0.0
        self.statements = []  # distinct sampled statements, in order
        self.cron_bookkeeping = False

    def see(self, age, statement):
        self.age = max(self.age, age)
        if statement and statement not in self.statements:
            self.statements.append(statement)
        if CRON_BOOKKEEPING.search(statement or ""):
            self.cron_bookkeeping = True


class TransactionWatch:
    """``start()``, the work, ``stop()``; then ``longest(kind)`` and ``samples``."""

    def __init__(self, psql_command, database):
        self.command = [*psql_command, "-X", "-q", "-A", "-t", "-F", SEPARATOR, "-f", "-"]
        self.database = database
        self.transactions = {}
        self.samples = 0
        self._process = None
        self._reader = None

    def start(self):
        self._process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL, text=True)
        self._process.stdin.write(QUERY.format(database=self.database, interval=INTERVAL))
        self._process.stdin.flush()  # stdin stays open: psql keeps watching until it is stopped
        self._reader = threading.Thread(target=self._read, name="transaction-watch", daemon=True)
        self._reader.start()
        return self

    def _read(self):
        for line in self._process.stdout:
            fields = line.rstrip("\n").split(SEPARATOR)
            if len(fields) != 5:
                continue
            pid, start, age, _state, statement = fields
            self.samples += 1
            key = (pid, start)
            if key not in self.transactions:
                self.transactions[key] = Transaction(int(pid), start)
            self.transactions[key].see(float(age or 0), statement)

    def stop(self):
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._reader:
            self._reader.join(timeout=5)

    def longest(self, cron_bookkeeping=False, count=1):
        """The ``count`` longest transactions of one kind, longest first."""
        kind = [t for t in self.transactions.values() if t.cron_bookkeeping == cron_bookkeeping]
        return sorted(kind, key=lambda t: t.age, reverse=True)[:count]
