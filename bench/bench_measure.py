"""What one measured phase cost: wall time, SQL queries, API calls, peak RSS growth;
and the time spent inside chosen functions while it ran (``MethodTimer``).

Peak RSS growth is the highest resident set size seen by a sampler thread
(every 5 ms, psutil) during the phase, minus the RSS at its start. Before the
start the garbage collector runs and glibc is asked to hand freed heap back to
the system (malloc_trim), so memory freed by an earlier phase is not silently
reused and hidden; the figure can still be slightly low if some of it is kept.
"""

import ctypes
import functools
import gc
import threading
import time

import psutil
import psycopg2

import odoo.sql_db

__all__ = ["Measure", "MethodTimer", "release_memory", "quiet_database"]

_PROCESS = psutil.Process()

try:
    _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
except (OSError, AttributeError):  # not glibc
    _malloc_trim = None


def release_memory():
    gc.collect()
    if _malloc_trim is not None:
        _malloc_trim(0)


def quiet_database(env):
    """Commit, then VACUUM ANALYZE and CHECKPOINT the database, before a measured path.

    Each path leaves thousands of dead rows (the sync's committed updates, the
    rolled-back Odoo path's inserts) and unwritten pages behind it; without this,
    PostgreSQL's autovacuum and checkpointer clean up after one path inside the
    next one's measured window. CHECKPOINT needs a superuser role (the development
    cluster's has one); with another role only the VACUUM ANALYZE runs.
    """
    env.cr.commit()
    _dsn_name, info = odoo.sql_db.connection_info_for(env.cr.dbname)
    connection = psycopg2.connect(**{key: value for key, value in info.items() if key != "application_name"})
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                cursor.execute("CHECKPOINT")
    finally:
        connection.close()


class _RssSampler(threading.Thread):
    def __init__(self, interval=0.005):
        super().__init__(name="bench-rss-sampler", daemon=True)
        self.interval = interval
        self.peak = _PROCESS.memory_info().rss
        self._stop_event = threading.Event()

    def run(self):
        while not self._stop_event.is_set():
            rss = _PROCESS.memory_info().rss
            if rss > self.peak:
                self.peak = rss
            self._stop_event.wait(self.interval)

    def stop(self):
        self._stop_event.set()
        self.join()
        rss = _PROCESS.memory_info().rss
        if rss > self.peak:
            self.peak = rss


class Measure:
    """``with Measure(sandbox) as m: ...`` then m.seconds, m.queries, m.api_calls, m.rss_growth_mb."""

    def __init__(self, sandbox=None):
        self.sandbox = sandbox
        self.seconds = self.queries = self.api_calls = 0
        self.api_routes = {}
        self.rss_growth_mb = 0.0

    def __enter__(self):
        release_memory()
        if self.sandbox is not None:
            self.sandbox.clear_requests()
        self._rss_start = _PROCESS.memory_info().rss
        self._sampler = _RssSampler()
        self._sampler.start()
        self._queries = odoo.sql_db.sql_counter
        self._started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._started
        self.queries = odoo.sql_db.sql_counter - self._queries
        self._sampler.stop()
        self.rss_growth_mb = max(0, self._sampler.peak - self._rss_start) / 2**20
        if self.sandbox is not None:
            requests = self.sandbox.requests
            self.api_calls = len(requests)
            for request in requests:
                self.api_routes[request["route"]] = self.api_routes.get(request["route"], 0) + 1
        return False


class MethodTimer:
    """Adds up the seconds spent inside ``owner``'s functions ``names`` (a class or a module).

    ``install()`` replaces them with timed wrappers in this process only;
    ``uninstall()`` puts the originals back. A call made inside another timed
    call of the same timer counts once.
    """

    def __init__(self, owner, names):
        self.owner, self.names = owner, tuple(names)
        self.seconds = 0.0
        self._depth = 0
        self._originals = {}

    def install(self):
        for name in self.names:
            original = getattr(self.owner, name)
            self._originals[name] = original
            setattr(self.owner, name, self._wrap(original))
        return self

    def uninstall(self):
        for name, original in self._originals.items():
            setattr(self.owner, name, original)
        self._originals.clear()

    def _wrap(self, function):
        timer = self

        @functools.wraps(function)
        def timed(*args, **kwargs):
            timer._depth += 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                timer._depth -= 1
                if not timer._depth:
                    timer.seconds += time.perf_counter() - started
        return timed
