#!/usr/bin/env python3
"""Set up and drive a local Odoo 19 for the otd_marketplace_stock addon.

Sub-commands:
    run    set everything up, install the addon with demo data in a local database,
           start the Zortout sandbox and Odoo, and print the URL and the login;
           --workers N (or OTD_WORKERS) runs Odoo in its multi-process mode
    test   set everything up, run the addon's tests in a fresh database and print
           "N passed, N failed"; exit non-zero on any failure
    bench  run the sync benchmark (bench/run_bench.py) in a throwaway database
    lint   install the pinned linters (scripts/lint-requirements.txt) into the virtual
           environment on first use, then run ruff and pylint with pylint-odoo
           (scripts/lint.py); exit non-zero on any finding; --fix lets ruff fix what it can
    shell  open an Odoo shell on the run database
    remove-cluster
           stop the private PostgreSQL cluster and delete it (as root it may live
           in /var/lib/otd_marketplace_stock, see cluster_dir())

Everything is idempotent: a second call reuses the Odoo checkout, the virtual
environment and the PostgreSQL cluster. SIGTERM and SIGHUP stop what a command
started, as Ctrl+C does. Settings come from environment variables,
see README.md ("Settings").

Only the standard library is used here: this script runs before the venv exists.
"""
import argparse
import contextlib
import hashlib
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ADDON_NAME = "otd_marketplace_stock"
REPO = Path(__file__).resolve().parent.parent
LOCAL = Path(os.environ.get("OTD_DATA_DIR", REPO / ".local")).expanduser().resolve()
CACHE = Path(os.environ.get("OTD_CACHE_DIR", Path.home() / ".cache" / ADDON_NAME))
ODOO_GIT_URL = "https://github.com/odoo/odoo"
ODOO_CANDIDATES = ("/opt/odoo19", "/opt/odoo", "~/odoo19", "~/odoo", "~/src/odoo", str(REPO.parent / "odoo"))
PG_BIN_CANDIDATES = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin",
                     "/usr/lib/postgresql/14/bin", "/usr/local/bin", "/usr/bin")
CHROME_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: installed beside the addon in the test database only: the tests cover kits (Manufacturing's
#: phantom bills of materials), which the addon handles without depending on mrp
TEST_EXTRA_MODULES = ("mrp",)
RESULT_LINE = re.compile(r"odoo\.tests\.result: (\d+) failed, (\d+) error\(s\) of (\d+) tests")


def say(message):
    print(f"[{ADDON_NAME}] {message}", flush=True)


def die(message):
    print(f"[{ADDON_NAME}] ERROR: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def run_step(what, command, fix, **kwargs):
    """Run one set-up command; when it fails, say in one line what failed and what to do (no traceback)."""
    try:
        return subprocess.run(command, check=True, **kwargs)
    except subprocess.CalledProcessError as exc:
        die(f"{what} failed (exit code {exc.returncode}, its messages are above); {fix}")
    except OSError as exc:
        die(f"{what} failed ({exc.strerror}: {exc.filename or command[0]}); {fix}")


def free_port():
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port):
    """True when nothing listens on the port. SO_REUSEADDR as in Odoo's own server: the TIME_WAIT
    connections a stopped server leaves for a minute do not make its port taken."""
    with contextlib.closing(socket.socket()) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


# --------------------------------------------------------------------------- Odoo


def odoo_major_version(path):
    release = Path(path) / "odoo" / "release.py"
    if not release.is_file():
        return None
    match = re.search(r"^version_info = \((\d+)", release.read_text(), re.M)
    return int(match.group(1)) if match else None


def find_odoo():
    explicit = os.environ.get("ODOO_PATH")
    if explicit:
        path = Path(explicit).expanduser().resolve()
        version = odoo_major_version(path)
        if version != 19:
            found = f"Odoo {version}" if version else "no Odoo source (odoo/release.py missing)"
            die(f"ODOO_PATH={path} holds {found}; point ODOO_PATH at an Odoo 19 source tree "
                f"(git clone --depth 1 --branch 19.0 {ODOO_GIT_URL}) or unset it to let this script clone one.")
        return path
    for candidate in (*ODOO_CANDIDATES, str(CACHE / "odoo-19.0")):
        path = Path(candidate).expanduser()
        if odoo_major_version(path) == 19:
            return path.resolve()
    target = CACHE / "odoo-19.0"
    say(f"No Odoo 19 found; cloning {ODOO_GIT_URL} (branch 19.0) into {target}")
    CACHE.mkdir(parents=True, exist_ok=True)
    run_step("Cloning Odoo 19", ["git", "clone", "--depth", "1", "--branch", "19.0", ODOO_GIT_URL, str(target)],
             "check the network and git, or clone it yourself and set ODOO_PATH to it")
    if odoo_major_version(target) != 19:
        die(f"The clone in {target} is not Odoo 19; remove it and try again.")
    return target


# --------------------------------------------------------------------------- venv


def venv_dir(odoo):
    requirements = (odoo / "requirements.txt").read_bytes() + (REPO / "requirements.txt").read_bytes()
    digest = hashlib.sha1(requirements + sys.version.encode()).hexdigest()[:10]
    return CACHE / f"venv-py{sys.version_info[0]}{sys.version_info[1]}-{digest}"


# Odoo's gevent process (multi-worker mode) imports pkg_resources through gevent. The setuptools
# that `python -m venv` brings (65 on Python 3.11) does not find zope.interface 8 under its
# normalised metadata name (zope_interface), so that process crash-loops. 80.x finds it and still
# ships pkg_resources, which 81 removed and cbor2's build needs.
SETUPTOOLS = "setuptools>=80,<81"
SETUPTOOLS_MAJOR = 80


def setuptools_major(venv):
    """Major version of the venv's setuptools (None when absent), read from its metadata folder name."""
    for info in venv.glob("lib/python*/site-packages/setuptools-*.dist-info"):
        match = re.match(r"setuptools-(\d+)\.", info.name)
        if match:
            return int(match.group(1))
    return None


def pip_env():
    """pip's environment: the machine's constraints plus setuptools<81 for packages built from source."""
    CACHE.mkdir(parents=True, exist_ok=True)
    # cbor2 5.4.2 builds with a setup script that still imports pkg_resources.
    constraints = CACHE / "pip-constraints.txt"
    machine_constraints = Path("/etc/xdg/pip/constraints.txt")
    extra = machine_constraints.read_text() if machine_constraints.is_file() else ""
    constraints.write_text(extra + "\nsetuptools<81\n")
    return dict(os.environ, PIP_CONSTRAINT=str(constraints))


def ensure_venv(odoo):
    venv = venv_dir(odoo)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    pip_fix = f"check the network (or pip's index settings) and run again; to start afresh, remove {venv}"
    stamp = venv / ".otd-complete"
    if not stamp.exists():
        say(f"Creating the virtual environment {venv} (first run only)")
        run_step("Creating the virtual environment", [sys.executable, "-m", "venv", str(venv)],
                 f"install Python's venv module (Debian: apt-get install python3-venv) or remove {venv}")
        # python-ldap only serves the auth_ldap addon and needs libldap headers: leave it out.
        requirements = CACHE / "odoo-requirements-no-ldap.txt"
        lines = (odoo / "requirements.txt").read_text().splitlines()
        requirements.write_text("\n".join(line for line in lines if not line.startswith("python-ldap")) + "\n")
        run_step("Installing Odoo's requirements",
                 [*pip, "-r", str(requirements), "-r", str(REPO / "requirements.txt"), "websocket-client", SETUPTOOLS],
                 pip_fix, env=pip_env())
        stamp.write_text("ok\n")
    if setuptools_major(venv) != SETUPTOOLS_MAJOR:
        # a venv made before this check: fix it in place rather than building a new one
        say(f"Installing {SETUPTOOLS} in {venv} (Odoo's gevent process needs it)")
        run_step(f"Installing {SETUPTOOLS}", [*pip, SETUPTOOLS], pip_fix, env=pip_env())
    return python


LINT_REQUIREMENTS = REPO / "scripts" / "lint-requirements.txt"


def ensure_lint_tools(python):
    """Install the pinned linters into the venv, once per version of scripts/lint-requirements.txt."""
    venv = python.parent.parent
    digest = hashlib.sha1(LINT_REQUIREMENTS.read_bytes()).hexdigest()[:10]
    stamp = venv / f".otd-lint-{digest}"
    if stamp.exists():
        return
    say(f"Installing the linters of {LINT_REQUIREMENTS.name} into {venv} (first use only)")
    run_step("Installing the linters",
             [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", str(LINT_REQUIREMENTS)],
             "check the network (or pip's index settings) and run again", env=pip_env())
    stamp.write_text("ok\n")


# --------------------------------------------------------------------------- PostgreSQL


# As root the private cluster runs as this user: PostgreSQL refuses to run as root.
PG_OWNER = "postgres"
# Where root keeps the cluster of a data dir that PG_OWNER cannot enter (a clone under /root or in a
# `mktemp -d` folder): one folder per data dir, named by a hash of the data dir's path.
SHARED_CLUSTERS = Path("/var/lib") / ADDON_NAME
# A Unix socket path holds at most 107 bytes; a longer socket folder (a deep path, or Thai letters at
# 3 bytes each) is replaced by a short one in /tmp, where PostgreSQL keeps its socket by default.
SOCKET_PATH_MAX = 107
PG_ROLE = "odoo"


def find_pg_bin():
    for candidate in (os.environ.get("PG_BIN", ""), *PG_BIN_CANDIDATES):
        if candidate and (Path(candidate) / "pg_ctl").is_file():
            return Path(candidate)
    die("PostgreSQL server binaries (initdb, pg_ctl) not found; install PostgreSQL (apt-get install postgresql) "
        "or set PG_BIN to their folder, or give an existing server with PGHOST/PGPORT/PGUSER/PGPASSWORD.")


def cluster_owner():
    """The account of the private cluster: None for the invoking user, PG_OWNER's entry when that is root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(PG_OWNER)
    except KeyError:
        die(f"As root, the PostgreSQL cluster needs a '{PG_OWNER}' system user to run as (PostgreSQL refuses root); "
            "install PostgreSQL (apt-get install postgresql creates it), run as a normal user, "
            "or set PGHOST to an existing server.")


def as_owner(owner):
    """subprocess arguments that run a command as the cluster owner (none for the invoking user)."""
    if owner is None:
        return {}
    # cwd "/": the owner may not be allowed into the current folder, and initdb goes back to it
    return {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": [], "cwd": "/",
            "env": dict(os.environ, HOME=owner.pw_dir, USER=owner.pw_name, LOGNAME=owner.pw_name)}


def owner_can_enter(owner, folder):
    """True when the owner may enter folder, which needs search permission on every folder above it too."""
    if owner is None:
        return True
    return subprocess.run(["test", "-x", str(folder)], **as_owner(owner)).returncode == 0


def shared_cluster_dir():
    return SHARED_CLUSTERS / hashlib.sha1(os.fsencode(LOCAL)).hexdigest()[:12]


def cluster_dir(owner):
    """LOCAL/pg, unless the owner cannot enter LOCAL: then a folder of its own under SHARED_CLUSTERS."""
    LOCAL.mkdir(parents=True, exist_ok=True)
    if owner_can_enter(owner, LOCAL):
        return LOCAL / "pg"
    return shared_cluster_dir()


def socket_dir(cluster):
    run = cluster / "run"
    if len(os.fsencode(run / ".s.PGSQL.65535")) <= SOCKET_PATH_MAX:
        return run
    return Path("/tmp") / f"otd-pg-{hashlib.sha1(os.fsencode(cluster)).hexdigest()[:12]}"


def owned_dir(path, owner):
    """Create path (mode 700) for the cluster owner."""
    path.mkdir(parents=True, exist_ok=True)
    if owner is not None:
        os.chown(path, owner.pw_uid, owner.pw_gid)
    path.chmod(0o700)


def conf_path_list(path):
    """A one-folder list for postgresql.conf: double-quoted in the list, single-quoted as a setting."""
    return "'\"" + str(path).replace('"', '""').replace("'", "''") + "\"'"


def external_server_options():
    options = ["--db_host", os.environ["PGHOST"], "--db_port", os.environ.get("PGPORT", "5432")]
    if os.environ.get("PGUSER"):
        options += ["--db_user", os.environ["PGUSER"]]
    if os.environ.get("PGPASSWORD"):
        options += ["--db_password", os.environ["PGPASSWORD"]]
    return options


def ensure_postgres():
    """Return db connection options for odoo-bin, starting a private cluster when needed."""
    if os.environ.get("PGHOST"):
        return external_server_options()
    pg_bin = find_pg_bin()
    owner = cluster_owner()
    cluster = cluster_dir(owner)
    data, run, log, port_file = cluster / "data", socket_dir(cluster), cluster / "server.log", cluster / "port"
    if cluster != LOCAL / "pg":
        say(f"PostgreSQL cluster: {cluster} (user {PG_OWNER} cannot enter {LOCAL}; "
            f"'python3 scripts/devenv.py remove-cluster' stops and deletes it)")
    if not (data / "PG_VERSION").exists():
        say(f"Creating a private PostgreSQL cluster in {cluster}")
        if cluster.parent == SHARED_CLUSTERS:
            SHARED_CLUSTERS.mkdir(mode=0o755, parents=True, exist_ok=True)
        owned_dir(cluster, owner)
        owned_dir(data, owner)
        (cluster / "data-dir.txt").write_text(f"{LOCAL}\n")  # whose cluster this is, for a reader of /var/lib
        run_step("Creating the PostgreSQL cluster (initdb)",
                 [pg_bin / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"],
                 f"remove {cluster} and run again, or set PGHOST to an existing server",
                 stdout=subprocess.DEVNULL, **as_owner(owner))
        port = int(os.environ.get("OTD_PG_PORT") or free_port())
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {port}\nlisten_addresses = ''\nunix_socket_directories = {conf_path_list(run)}\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n")
        port_file.write_text(str(port))
    port = port_file.read_text().strip()
    status = subprocess.run([pg_bin / "pg_ctl", "-D", data, "status"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, **as_owner(owner))
    if status.returncode != 0:
        owned_dir(run, owner)  # a socket folder in /tmp is gone after a reboot
        say(f"Starting PostgreSQL on socket {run} port {port}")
        run_step("Starting PostgreSQL", [pg_bin / "pg_ctl", "-D", data, "-l", log, "-w", "start"],
                 f"read {log}; if port {port} is taken, remove {cluster} to get a new cluster on a free port",
                 stdout=subprocess.DEVNULL, **as_owner(owner))
    psql = [pg_bin / "psql", "-h", run, "-p", port, "-U", "postgres", "-d", "postgres", "-tAc"]
    psql_fix = f"read {log}, or remove {cluster} and run again"
    exists = run_step("Looking up the database role", [*psql, f"SELECT 1 FROM pg_roles WHERE rolname='{PG_ROLE}'"],
                      psql_fix, stdout=subprocess.PIPE, text=True).stdout.strip()
    if not exists:
        run_step("Creating the database role", [*psql, f"CREATE ROLE {PG_ROLE} LOGIN SUPERUSER"], psql_fix,
                 stdout=subprocess.DEVNULL)
    return ["--db_host", str(run), "--db_port", port, "--db_user", PG_ROLE]


def drop_database(pg_options, name):
    options = dict(zip(pg_options[::2], pg_options[1::2]))
    if "--db_host" not in options or not Path(options["--db_host"]).is_dir():
        return  # external server: leave it to its owner
    psql = [find_pg_bin() / "psql", "-h", options["--db_host"], "-p", options["--db_port"], "-U", "postgres",
            "-d", "postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)']
    subprocess.run(psql, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    filestore = LOCAL / "odoo-data" / "filestore" / name
    shutil.rmtree(filestore, ignore_errors=True)


def command_remove_cluster(args):
    """Stop the private cluster of OTD_DATA_DIR and delete it, wherever cluster_dir() put it."""
    if os.environ.get("PGHOST"):
        say("PGHOST is set: that server is not this script's to remove; nothing done")
        return 0
    owner = cluster_owner()
    for cluster in (LOCAL / "pg", shared_cluster_dir()):
        if not cluster.exists():
            continue
        if (cluster / "data" / "PG_VERSION").exists():
            subprocess.run([find_pg_bin() / "pg_ctl", "-D", cluster / "data", "-m", "fast", "-w", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **as_owner(owner))
        run = socket_dir(cluster)
        if not run.is_relative_to(cluster):
            shutil.rmtree(run, ignore_errors=True)
        shutil.rmtree(cluster)
        say(f"Stopped and removed the PostgreSQL cluster {cluster}")
    return 0


# --------------------------------------------------------------------------- browser


def ensure_chrome():
    for name in CHROME_CANDIDATES:
        if shutil.which(name):
            return shutil.which(name)
    command = "apt-get install -y chromium"
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("Installing headless Chromium for the browser tests (Debian package chromium)")
        run_step("Installing Chromium", ["apt-get", "install", "-y", "-q", "chromium"],
                 f"run 'apt-get update' and try again, or install Chromium or Chrome yourself ({command})",
                 stdout=subprocess.DEVNULL)
        return shutil.which("chromium")
    die(f"The browser tests need Chromium or Chrome; install it first: sudo {command}")


# --------------------------------------------------------------------------- processes

# The signal that ended this script (SIGINT for Ctrl+C), for its exit status.
stopped_by = None


def stop_like_ctrl_c(signum, _frame):
    global stopped_by
    stopped_by = signum
    raise KeyboardInterrupt


def handle_stop_signals():
    """SIGTERM and SIGHUP end this script like Ctrl+C: the same clean-up runs.

    make passes SIGTERM on to this script; a closed terminal sends SIGHUP to make and to this script.
    (A SIGHUP sent to make's process id alone is not passed on by make, which waits for this script.)
    """
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop_like_ctrl_c)


def ignore_stop_signals():
    """While cleaning up, a second Ctrl+C (or make's SIGTERM after the terminal's SIGHUP) must not cut it short."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)


def start_group(command, **kwargs):
    """Start a long-running child in a process group of its own (with Odoo's workers, gevent process and
    Chromium), so that stop_group() reaches all of them and a terminal's Ctrl+C reaches only this script,
    which stops them in order."""
    return subprocess.Popen(command, start_new_session=True, stdin=subprocess.DEVNULL, **kwargs)


def stop_group(process, name, grace):
    """SIGTERM the group's leader and give it `grace` seconds (Odoo then stops its workers itself,
    letting a running cron job finish), then SIGKILL whatever is left in the group."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            say(f"{name} did not stop within {grace} s; killing it")
    # the group outlives its leader while a worker is left; Linux does not reuse its id meanwhile
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


# --------------------------------------------------------------------------- common


def addons_link():
    """Odoo needs the addon in a folder named after it; the repository root is the addon."""
    folder = LOCAL / "addons"
    if "," in str(folder):
        # Odoo's --addons-path is a comma-separated list (spaces and other letters are fine)
        die(f"The folder {folder} has a comma in its path, which Odoo's --addons-path cannot hold; "
            "move the clone, or set OTD_DATA_DIR to a folder without a comma.")
    link_addon(folder)
    return folder


def link_addon(folder):
    """``folder``/otd_marketplace_stock, a link to the repository (made or repaired); returns the link."""
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / ADDON_NAME
    if link.is_symlink() and link.resolve() != REPO:
        link.unlink()
    if not link.exists():
        link.symlink_to(REPO, target_is_directory=True)
    return link


def prepare():
    odoo = find_odoo()
    python = ensure_venv(odoo)
    pg_options = ensure_postgres()
    addons = addons_link()
    base = [str(python), str(odoo / "odoo-bin"), "--addons-path", f"{odoo / 'addons'},{addons}",
            "--data-dir", str(LOCAL / "odoo-data"), *map(str, pg_options)]
    return odoo, python, pg_options, base


def odoo_shell(base):
    """odoo-bin wants its sub-command before the options."""
    return [*base[:2], "shell", *base[2:]]


def sandbox_env():
    return dict(os.environ, PYTHONPATH=str(REPO))


# --------------------------------------------------------------------------- test


def summarise(log_text, returncode, browser_required=True):
    """Turn Odoo's log into (passed, failed, reasons) following the project's rules."""
    reasons = []
    results = RESULT_LINE.findall(log_text)
    if not results:
        reasons.append("Odoo printed no test result line (the addon did not install or Odoo crashed)")
        return 0, 1, reasons
    failures, errors, total = map(int, results[-1])  # the last one
    failed = failures + errors
    passed = total - failed
    if total == 0:
        reasons.append("no test ran")
        failed = max(failed, 1)
    skipped = re.findall(r"INFO \S+ \S+: skipped (.*)", log_text)
    if skipped:
        reasons.extend(f"skipped test: {line}" for line in skipped)
        failed += len(skipped)
        passed -= len(skipped)
    if browser_required and "Chrome headless enable page notifications" not in log_text:
        reasons.append("no browser test drove Chromium")
        failed = max(failed, 1)
    if re.search(r" (ERROR|CRITICAL) ", log_text) and not failed:
        reasons.append("errors were logged outside tests")
        failed = 1
    if returncode != 0 and not failed:
        reasons.append(f"odoo-bin exited with {returncode}")
        failed = 1
    return passed, failed, reasons


def interesting(line):
    """Lines worth showing live: warnings, errors, tracebacks and the test summary."""
    if re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ INFO ", line):
        return "odoo.tests.result" in line or "odoo.tests.stats" in line or ": skipped " in line
    return True


def command_test(args):
    _odoo, _python, pg_options, base = prepare()
    if not args.browser_optional:
        ensure_chrome()
    database = f"otd_test_{int(time.time())}_{os.getpid()}"
    logs = LOCAL / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    tags = args.tags or f"/{ADDON_NAME}"
    started = time.time()
    passed = failed = 0
    try:
        for round_number in range(1, args.repeat + 1):
            # the first round installs; later rounds run the installed module's post_install tests again
            install = ["-i", ",".join((ADDON_NAME, *TEST_EXTRA_MODULES))] if round_number == 1 else []
            command = [*base, "-d", database, *install, "--test-tags", tags, "--stop-after-init",
                       "--http-port", str(free_port()), "--gevent-port", str(free_port()), "--workers", "0",
                       "--max-cron-threads", "0", "--log-level", "info"]
            log_path = logs / f"test-{time.strftime('%Y%m%d-%H%M%S')}.log"
            say(f"Running the tests of {ADDON_NAME} in database {database}"
                f"{f' (round {round_number} of {args.repeat})' if args.repeat > 1 else ''}; full log: {log_path}")
            round_passed, round_failed = run_test_round(command, log_path, pg_options, database, args)
            passed += round_passed
            failed += round_failed
    finally:
        if not args.keep_db:
            drop_database(pg_options, database)
    say(f"finished in {time.time() - started:.0f} s")
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


def run_test_round(command, log_path, pg_options, database, args):
    lines = []
    with open(log_path, "w") as log_file:
        process = start_group(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=sandbox_env())
        try:
            for line in process.stdout:
                log_file.write(line)
                lines.append(line)
                if interesting(line):
                    sys.stdout.write(line)
            returncode = process.wait()
        finally:
            if process.poll() is None:  # interrupted
                ignore_stop_signals()
                stop_group(process, "Odoo", grace=10)
                drop_database(pg_options, database)
    passed, failed, reasons = summarise("".join(lines), returncode, browser_required=not args.browser_optional)
    for reason in reasons:
        say(f"FAILED: {reason}")
    return passed, failed


# --------------------------------------------------------------------------- run


SANDBOX_CREDENTIALS = ("sandbox-store", "sandbox-api-key", "sandbox-api-secret")


def start_sandbox(python, port):
    store, key, secret = SANDBOX_CREDENTIALS
    if not port_is_free(port):
        die(f"Port {port} for the Zortout sandbox is taken; set SANDBOX_PORT to a free port.")
    command = [str(python), "-m", "zortout_sandbox", "--port", str(port), "--catalogue", "demo",
               "--store-name", store, "--api-key", key, "--api-secret", secret,
               *shlex.split(os.environ.get("SANDBOX_ARGS", ""))]
    logs = LOCAL / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log = open(logs / "sandbox.log", "a")
    process = start_group(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=sandbox_env())
    for _attempt in range(50):
        if not port_is_free(port):
            return process
        if process.poll() is not None:
            die(f"The Zortout sandbox did not start; see {logs / 'sandbox.log'}")
        time.sleep(0.1)
    stop_group(process, "The Zortout sandbox", grace=5)
    die("The Zortout sandbox did not open its port in 5 s")


def point_demo_at_sandbox(base, database, sandbox_url):
    script = (
        "env['ir.config_parameter'].sudo().set_param('otd_marketplace_stock.zortout_base_url', %r)\n"
        "env.ref('base.user_admin').lang = 'th_TH'\n"
        "env.cr.commit()\n" % sandbox_url
    )
    run_step("Pointing the demo account at the sandbox",
             [*odoo_shell(base), "-d", database, "--no-http", "--log-level", "warn"],
             f"read the messages above; to start afresh, drop the database {database} (or set OTD_DB)",
             input=script, text=True, stdout=subprocess.DEVNULL)


def database_exists(base, database):
    probe = subprocess.run([*odoo_shell(base), "-d", database, "--no-http", "--log-level", "critical"],
                           input="print('OTD-INSTALLED' if env['ir.module.module'].search_count("
                                 "[('name','=','%s'),('state','=','installed')]) else 'OTD-MISSING')\n" % ADDON_NAME,
                           text=True, capture_output=True)
    return "OTD-INSTALLED" in probe.stdout


def server_options(workers, http_port):
    """odoo-bin options of the server: threaded by default; with workers, Odoo's multi-process mode."""
    if not workers:
        # the threaded server answers websockets on the HTTP port; the gevent port is unused
        return ["--http-port", str(http_port), "--gevent-port", str(free_port())]
    gevent_port = int(os.environ.get("GEVENT_PORT", "8072"))
    if not port_is_free(gevent_port):
        die(f"Port {gevent_port} for Odoo's gevent process is taken; set GEVENT_PORT to a free port.")
    return ["--http-port", str(http_port), "--gevent-port", str(gevent_port), "--workers", str(workers),
            "--max-cron-threads", "1"]


def command_run(args):
    _odoo, python, _pg_options, base = prepare()
    database = os.environ.get("OTD_DB", "otd_marketplace")
    http_port = int(os.environ.get("ODOO_PORT", "8069"))
    sandbox_port = int(os.environ.get("SANDBOX_PORT", "8099"))
    if not port_is_free(http_port):
        die(f"Port {http_port} is taken; set ODOO_PORT to a free port (e.g. ODOO_PORT=8070 make run).")
    options = server_options(args.workers, http_port)
    fresh_start = f"read the messages above; to start afresh, drop the database {database} (or set OTD_DB)"
    if database_exists(base, database):
        say(f"Updating {ADDON_NAME} in the existing database {database}")
        run_step(f"Updating {ADDON_NAME}", [*base, "-d", database, "-u", ADDON_NAME, "--stop-after-init",
                                            "--no-http", "--log-level", "warn"], fresh_start)
    else:
        say(f"Creating database {database} with {ADDON_NAME} and demo data (about a minute)")
        run_step(f"Installing {ADDON_NAME}", [*base, "-d", database, "-i", ADDON_NAME, "--with-demo",
                                              "--stop-after-init", "--no-http", "--load-language", "th_TH",
                                              "--log-level", "warn"], fresh_start)
    sandbox_url = f"http://127.0.0.1:{sandbox_port}/v4"
    point_demo_at_sandbox(base, database, sandbox_url)
    log = LOCAL / "logs" / "odoo.log"
    sandbox = start_sandbox(python, sandbox_port)
    odoo = None
    try:
        say(f"Zortout sandbox with demo catalogue: {sandbox_url}")
        odoo = start_group([*base, "-d", database, "--db-filter", f"^{database}$", *options, "--logfile", str(log)])
        if args.workers:
            gevent_port = options[options.index("--gevent-port") + 1]
            say(f"Odoo in multi-process mode: {args.workers} HTTP workers, 1 cron worker, "
                f"gevent process (websocket) on port {gevent_port}")
        say(f"Odoo: http://localhost:{http_port}/odoo  login: admin  password: admin  (database {database})")
        say(f"Odoo log: {log} (follow it with ./monitor_stock_sync.sh '{log}')")
        say("Press Ctrl+C to stop both.")
        return odoo.wait()
    finally:
        ignore_stop_signals()
        if odoo is not None:
            stop_group(odoo, "Odoo", grace=30)
        stop_group(sandbox, "The Zortout sandbox", grace=5)
        say("Stopped Odoo and the Zortout sandbox")


# --------------------------------------------------------------------------- bench / shell


def command_bench(args):
    _odoo, python, pg_options, base = prepare()
    database = f"otd_bench_{int(time.time())}_{os.getpid()}"
    say(f"Installing {ADDON_NAME} in the throwaway database {database}")
    try:
        run_step(f"Installing {ADDON_NAME}", [*base, "-d", database, "-i", ADDON_NAME, "--stop-after-init",
                                              "--no-http", "--log-level", "warn"], "read the messages above")
        script = (REPO / "bench" / "run_bench.py").read_text()
        env = dict(sandbox_env(), OTD_BENCH_ARGS=" ".join(args.bench_args))
        # odoo-bin takes its sub-command before any option
        shell = odoo_shell(base)
        result = subprocess.run([*shell, "-d", database, "--no-http", "--log-level", "warn"],
                                input=script, text=True, env=env)
        return result.returncode
    finally:
        drop_database(pg_options, database)


def command_shell(args):
    _odoo, _python, _pg_options, base = prepare()
    database = os.environ.get("OTD_DB", "otd_marketplace")
    # Ctrl+C belongs to the interactive shell (it cancels a line there); a handler that does nothing,
    # unlike SIG_IGN, is not inherited by the shell
    signal.signal(signal.SIGINT, lambda _signum, _frame: None)
    return subprocess.call([*odoo_shell(base), "-d", database, "--no-http"])


# --------------------------------------------------------------------------- lint


def command_lint(args):
    odoo = find_odoo()
    python = ensure_venv(odoo)
    ensure_lint_tools(python)
    command = [str(python), str(REPO / "scripts" / "lint.py"), "--odoo", str(odoo), "--tree", str(LOCAL / "lint")]
    return subprocess.call([*command, *(["--fix"] if args.fix else [])])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start Odoo with the addon, demo data and the Zortout sandbox")
    run.add_argument("--workers", type=int, default=int(os.environ.get("OTD_WORKERS") or 0),
                     help="Odoo HTTP workers (multi-process mode with one cron worker and the gevent process); "
                          "default $OTD_WORKERS, else 0: one threaded process")
    test = sub.add_parser("test", help="run the addon's tests")
    test.add_argument("--tags", help="Odoo --test-tags value (default: all tests of the addon)")
    test.add_argument("--keep-db", action="store_true", help="keep the test database afterwards")
    test.add_argument("--repeat", type=int, default=1, metavar="N",
                      help="run the tests N times on one database (to catch a test that fails now and then)")
    test.add_argument("--browser-optional", action="store_true",
                      help="do not fail when no browser test ran (for a narrow --tags run without one)")
    bench = sub.add_parser("bench", help="run the sync benchmark")
    bench.add_argument("bench_args", nargs="*")
    sub.add_parser("shell", help="Odoo shell on the run database")
    lint = sub.add_parser("lint", help="run ruff and pylint with pylint-odoo (installed on first use)")
    lint.add_argument("--fix", action="store_true", help="let ruff fix what it can (import order) first")
    sub.add_parser("remove-cluster", help="stop the private PostgreSQL cluster and delete it")
    args = parser.parse_args()
    handler = {"run": command_run, "test": command_test, "bench": command_bench, "shell": command_shell,
               "lint": command_lint, "remove-cluster": command_remove_cluster}
    handle_stop_signals()
    try:
        sys.exit(handler[args.command](args))
    except KeyboardInterrupt:
        say("Stopped")
        sys.exit(128 + (stopped_by or signal.SIGINT))
    except OSError as exc:
        if not exc.filename:
            die(str(exc))
        # a folder or file the set-up could not make or read: one line, no traceback
        die(f"{exc.strerror}: {exc.filename}; check that {pwd.getpwuid(os.geteuid()).pw_name} may write there, "
            "or set OTD_DATA_DIR / OTD_CACHE_DIR to folders it may write")


if __name__ == "__main__":
    main()
