#!/usr/bin/env python3
"""Check `make run WORKERS=2`: Odoo's multi-process mode, its cron worker, and a clean stop.

In a throwaway data dir (its own PostgreSQL cluster, database, filestore and logs) and on free ports:

1. `make run WORKERS=2` starts Odoo with 2 HTTP workers, 1 cron worker and the gevent process,
   and the Zortout sandbox;
2. 30 s after Odoo first answers, the gevent process is still the one seen then (no crash loop)
   and accepts a websocket on the gevent port;
3. a pull of the demo account "Zortout Sandbox", queued over XML-RPC as admin, is run to done by
   the runner cron inside the cron worker;
4. SIGTERM to the `make` process leaves no process of the run behind and frees its ports;
5. `make run` again (same database, threaded: the default), then SIGHUP to make's process group,
   as a closed terminal sends it: the same check;
6. `make run WORKERS=2` again, then SIGINT to make's process group, as Ctrl+C sends it: the same check;
7. the throwaway cluster and data dir are removed.

Prints a line per step, ends with "production-mode check: PASS" (exit 0) or
"production-mode check: FAIL: <reason>" (exit 1). Standard library only, like scripts/devenv.py.

    python3 scripts/check_production_mode.py
"""
import base64
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import xmlrpc.client
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORKERS = 2
GEVENT_WATCH_SECONDS = 30
READY_TIMEOUT = 900  # the first start creates the database with demo data and Thai: a minute or two here
JOB_TIMEOUT = 180
STOP_TIMEOUT = 90
ACCOUNT_NAME = "Zortout Sandbox"
# settings of the caller that would point the run elsewhere than the throwaway data dir
FOREIGN_SETTINGS = ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "OTD_PG_PORT", "OTD_WORKERS", "WORKERS",
                    "MAKEFLAGS", "MAKELEVEL")


class CheckFailed(Exception):
    pass


def say(message):
    print(f"[production-mode check] {message}", flush=True)


def free_port():
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port):
    """True when something accepts connections on the port (a TIME_WAIT left by a client does not count)."""
    with contextlib.closing(socket.socket()) as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def process_table():
    """pid -> (ppid, state, argv) of every process, read from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
        except OSError:
            continue  # ended meanwhile
        # the command name in parentheses may hold spaces: the fields that follow start after the last ")"
        state, ppid = stat[stat.rindex(")") + 2:].split()[:2]
        table[int(entry.name)] = (int(ppid), state, argv)
    return table


def descendants(table, root):
    found, todo = set(), [root]
    while todo:
        parent = todo.pop()
        children = [pid for pid, (ppid, _state, _argv) in table.items() if ppid == parent]
        found.update(children)
        todo.extend(children)
    return found


def is_odoo(argv):
    return len(argv) > 1 and argv[1].endswith("odoo-bin")


def is_gevent(argv):
    return is_odoo(argv) and argv[2:3] == ["gevent"]


def wait_until(predicate, timeout, interval=1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return predicate()


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def websocket_accepts(port):
    """Open a websocket on /websocket and tell whether the server switched protocols (HTTP 101)."""
    key = base64.b64encode(os.urandom(16)).decode()
    host = f"127.0.0.1:{port}"
    request = (f"GET /websocket HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(request.encode())
            status_line = sock.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace")
    except OSError as exc:
        return False, str(exc)
    return " 101 " in f"{status_line} ", status_line


class Run:
    """One `make run` (WORKERS=workers) in the throwaway data dir, in a process group of its own
    (which the SIGHUP and SIGINT rounds signal, as a terminal would)."""

    def __init__(self, data_dir, ports, database, number, workers):
        self.data_dir = data_dir
        self.ports = ports
        self.log_path = data_dir.parent / f"make-run-{number}.log"
        env = {key: value for key, value in os.environ.items() if key not in FOREIGN_SETTINGS}
        env.update(OTD_DATA_DIR=str(data_dir), OTD_DB=database, ODOO_PORT=str(ports["http"]),
                   SANDBOX_PORT=str(ports["sandbox"]), GEVENT_PORT=str(ports["gevent"]))
        with open(self.log_path, "w") as log:
            self.make = subprocess.Popen(["make", "--no-print-directory", "-C", str(REPO), "run",
                                          f"WORKERS={workers}"],
                                         env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        self.seen = set()  # every process of the run seen so far

    def log_tail(self, lines=15):
        return "".join(self.log_path.read_text(errors="replace").splitlines(True)[-lines:])

    def processes(self):
        """The run's processes now: make's descendants, and any process naming the data dir or the sandbox
        port (a process whose parent died is no longer a descendant). PostgreSQL is the data dir's, not the run's."""
        table = process_table()
        mine = descendants(table, self.make.pid) | {self.make.pid}
        sandbox_port = str(self.ports["sandbox"])
        for pid, (_ppid, _state, argv) in table.items():
            command = " ".join(argv)
            if argv and ("postgres" in Path(argv[0]).name or argv[0].startswith("postgres:")):
                continue
            if str(self.data_dir) in command or ("zortout_sandbox" in command and sandbox_port in argv):
                mine.add(pid)
        alive = {pid: table[pid] for pid in mine if pid in table and table[pid][1] != "Z"}
        self.seen.update(alive)
        return alive

    def wait_ready(self):
        url = f"http://127.0.0.1:{self.ports['http']}/web/login"
        started = time.monotonic()
        ready = wait_until(lambda: self.make.poll() is not None or answers(url), READY_TIMEOUT, interval=2)
        if self.make.poll() is not None or not ready:
            raise CheckFailed(f"Odoo did not answer on {url} (make exited with {self.make.poll()}); "
                              f"end of {self.log_path}:\n{self.log_tail()}")
        say(f"Odoo answers on port {self.ports['http']} after {time.monotonic() - started:.0f} s")

    def stop_with(self, signum, whom):
        """Send signum to make (or to its process group) and check that nothing of the run is left."""
        self.processes()
        started = time.monotonic()
        if whom == "group":
            os.killpg(self.make.pid, signum)
        else:
            os.kill(self.make.pid, signum)
        try:
            self.make.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise CheckFailed(f"make did not end within {STOP_TIMEOUT} s of {signal.Signals(signum).name}") from None
        wait_until(lambda: not self.processes() and not any(map(listening, self.ports.values())), 15)
        left = self.processes()
        busy = [name for name, port in self.ports.items() if listening(port)]
        if left:
            names = "; ".join(f"{pid} {' '.join(argv)[:120]}" for pid, (_ppid, _state, argv) in left.items())
            raise CheckFailed(f"after {signal.Signals(signum).name} these processes are left: {names}")
        if busy:
            raise CheckFailed(f"after {signal.Signals(signum).name} ports still listening: {busy}")
        target = "make's process group" if whom == "group" else "make"
        say(f"{signal.Signals(signum).name} to {target}: make ended in {time.monotonic() - started:.1f} s, "
            f"none of the run's {len(self.seen)} processes is left, ports {sorted(self.ports.values())} are free")

    def kill_all(self):
        """Last resort after a failed step: end every process of this run."""
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.make.wait(10)


def check_gevent(run):
    """The gevent process seen now is still the same one GEVENT_WATCH_SECONDS later and takes websockets."""
    first_seen = time.monotonic()
    found = wait_until(lambda: [pid for pid, (_p, _s, argv) in run.processes().items() if is_gevent(argv)], 60)
    if not found:
        raise CheckFailed(f"no gevent process (odoo-bin gevent) started; end of {run.log_path}:\n{run.log_tail()}")
    gevent_pid = found[0]
    odoo = [pid for pid, (_p, _s, argv) in run.processes().items() if is_odoo(argv)]
    say(f"{len(odoo)} Odoo processes (main, {WORKERS} HTTP workers, cron worker, gevent {gevent_pid}); "
        f"watching the gevent process for {GEVENT_WATCH_SECONDS} s")
    time.sleep(max(0.0, GEVENT_WATCH_SECONDS - (time.monotonic() - first_seen)))
    now = [pid for pid, (_p, _s, argv) in run.processes().items() if is_gevent(argv)]
    if now != [gevent_pid]:
        raise CheckFailed(f"the gevent process changed from {gevent_pid} to {now} within "
                          f"{GEVENT_WATCH_SECONDS} s (it crashed and was restarted)")
    accepted, status_line = websocket_accepts(run.ports["gevent"])
    if not accepted:
        raise CheckFailed(f"/websocket on the gevent port {run.ports['gevent']} answered {status_line!r}")
    say(f"gevent process {gevent_pid} alive after {GEVENT_WATCH_SECONDS} s; /websocket on port "
        f"{run.ports['gevent']} answered {status_line!r}")


def check_cron_runs_a_pull(run, database):
    url = f"http://127.0.0.1:{run.ports['http']}/xmlrpc/2"
    uid = xmlrpc.client.ServerProxy(f"{url}/common").authenticate(database, "admin", "admin", {})
    if not uid:
        raise CheckFailed("admin/admin could not log in over XML-RPC")
    models = xmlrpc.client.ServerProxy(f"{url}/object")

    def call(model, method, *args):
        return models.execute_kw(database, uid, "admin", model, method, list(args))

    accounts = call("marketplace.account", "search", [("name", "=", ACCOUNT_NAME)])
    if not accounts:
        raise CheckFailed(f"no account named {ACCOUNT_NAME!r} in the demo data")
    job_id = call("marketplace.job", "create", {"account_id": accounts[0]})
    started = time.monotonic()

    def finished():
        job = call("marketplace.job", "read", [job_id], ["state", "reference", "error"])[0]
        return job if job["state"] in ("done", "failed", "cancelled") else None

    job = wait_until(finished, JOB_TIMEOUT, interval=2)
    if not job:
        raise CheckFailed(f"the queued pull was not run within {JOB_TIMEOUT} s (is the cron worker alive?)")
    if job["state"] != "done":
        raise CheckFailed(f"the queued pull {job['reference']} ended {job['state']}: {job['error']}")
    # which process ran it: the job's "event=done" log line against the cron workers' "alive" lines
    odoo_log = (run.data_dir / "logs" / "odoo.log").read_text(errors="replace")
    cron_pids = set(re.findall(r"Worker WorkerCron \((\d+)\) alive", odoo_log))
    done_pids = set(re.findall(rf"^\S+ \S+ (\d+) .*job={re.escape(job['reference'])} .*event=done", odoo_log, re.M))
    if not done_pids or not done_pids <= cron_pids:
        raise CheckFailed(f"job {job['reference']} was done by process(es) {done_pids or 'unknown'}, "
                          f"not by the cron worker {cron_pids or '(none logged)'}")
    say(f"queued pull {job['reference']} run to done by the cron worker {', '.join(sorted(done_pids))} "
        f"in {time.monotonic() - started:.0f} s")


def remove_throwaway(root, data_dir):
    env = {key: value for key, value in os.environ.items() if key not in FOREIGN_SETTINGS}
    env["OTD_DATA_DIR"] = str(data_dir)
    subprocess.run([sys.executable, str(REPO / "scripts" / "devenv.py"), "remove-cluster"], env=env,
                   stdout=subprocess.DEVNULL)
    shutil.rmtree(root, ignore_errors=True)


def main():
    started = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="otd-production-check-"))
    data_dir = root / "data"
    database = f"otd_check_{int(time.time())}"
    ports = {"http": free_port(), "gevent": free_port(), "sandbox": free_port()}
    say(f"throwaway data dir {data_dir}, database {database}, ports {ports}")
    run = None
    try:
        run = Run(data_dir, ports, database, 1, WORKERS)
        run.wait_ready()
        check_gevent(run)
        check_cron_runs_a_pull(run, database)
        run.stop_with(signal.SIGTERM, whom="make")
        run = Run(data_dir, ports, database, 2, 0)
        run.wait_ready()
        run.stop_with(signal.SIGHUP, whom="group")
        run = Run(data_dir, ports, database, 3, WORKERS)
        run.wait_ready()
        run.stop_with(signal.SIGINT, whom="group")
        run = None
    except CheckFailed as exc:
        print(f"production-mode check: FAIL: {exc}", flush=True)
        return 1
    finally:
        if run is not None:
            run.kill_all()
        remove_throwaway(root, data_dir)
    print(f"production-mode check: PASS ({time.monotonic() - started:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
