#!/usr/bin/env python3
"""Check the addon's data migrations with real upgrades from its released versions.

Version 19.0.1.1.0 (commit 43f63d1^) kept one Zortout warehouse code per account; an account
without one read the Zortout warehouse named like the short name of its location's Odoo warehouse
when Zortout had it, else the store-wide totals. 19.0.1.2.0 (commit 5d30369) turned codes into
warehouse mappings and every account without a code into store-wide totals (wrongly). The working
tree repairs this: migrations/19.0.1.2.0 (straight from 1.1.0) and migrations/19.0.1.3.0 (from
1.2.0) leave such accounts "pending", and their next pull asks Zortout (legacy_short_name_pending).

In throwaway databases of devenv's PostgreSQL cluster, with the released versions exported by
`git archive` into a temporary folder:

  path A: install 19.0.1.1.0, create its accounts, upgrade to 19.0.1.2.0, then to the working tree;
  path B: install 19.0.1.1.0, create the same accounts, upgrade straight to the working tree.

The accounts (one Odoo warehouse WH, unknown to Zortout, and one W0002, which the sandbox has):
  (a) code W0001                            -> one mapping W0001 -> its Stock Location
  (b) no code, Stock Location of W0002      -> pending; the next pull maps W0002 -> that location
  (c) no code, Stock Location WH/Stock      -> pending; the next pull keeps store-wide totals
  (d) code "BAD CODE WITH SPACES"           -> kept aside (legacy_warehouse_code), no mapping,
                                               the upgrade goes on (path B only: 19.0.1.2.0 as
                                               released refuses it and stops, so no site at
                                               19.0.1.2.0 can hold it)
  (e) no code, no Stock Location, in a company whose first warehouse by sequence is archived
                                            -> pending; the next pull maps the ACTIVE warehouse
  (f) code W0001, no Stock Location, same company as (e)
                                            -> one mapping into the ACTIVE warehouse (on path A,
                                               19.0.1.2.0 as released mapped the archived one:
                                               19.0.1.3.0 moves it)
After each upgrade, the pulls of (b), (c) and (e) run against the Zortout sandbox.

Prints one PASS/FAIL line per check and ends with "upgrade check: PASS ..." (exit 0) or
"upgrade check: FAIL ..." (exit 1). The databases, the sandbox and the temporary folder are
removed in the end, also after a failure. Standard library only, plus scripts/devenv.py.

    python3 scripts/check_upgrade.py
"""
import ast
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def load_devenv():
    spec = importlib.util.spec_from_file_location("devenv", Path(__file__).resolve().with_name("devenv.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


devenv = load_devenv()

ADDON = devenv.ADDON_NAME
REPO = devenv.REPO
V110_COMMIT = "43f63d1^"
V120_COMMIT = "5d30369"
COMMAND_TIMEOUT = 600  # one install, upgrade or shell; each takes seconds to a minute here

KNOWN_SHORT_NAME = "W0002"    # the short name of an Odoo warehouse that the Zortout sandbox has too
UNKNOWN_SHORT_NAME = "WH"     # Odoo's default warehouse: no Zortout warehouse has this code
CODE = "W0001"                # a code of version 1.1 that is a valid mapping code
INVALID_CODE = "BAD CODE WITH SPACES"

ACCOUNTS = {
    "a": f"code {CODE}, Stock Location WH/Stock",
    "b": f"no code, Stock Location of warehouse {KNOWN_SHORT_NAME} (Zortout has {KNOWN_SHORT_NAME})",
    "c": f"no code, Stock Location of warehouse {UNKNOWN_SHORT_NAME} (Zortout has no {UNKNOWN_SHORT_NAME})",
    "d": f"code {INVALID_CODE!r} (the mapping rule refuses it)",
    "e": "no code, no Stock Location, company whose first warehouse is archived",
    "f": f"code {CODE}, no Stock Location, company whose first warehouse is archived",
}
PATH_A_ACCOUNTS = ("a", "b", "c", "e", "f")
PATH_B_ACCOUNTS = ("a", "b", "c", "d", "e", "f")
PULLED_ACCOUNTS = ("b", "c", "e")


class StepFailed(Exception):
    """A step after which the rest of a path cannot be checked (an install, upgrade or shell that failed).
    ``reported``: its FAIL line is printed already."""

    def __init__(self, message, reported=False):
        super().__init__(message)
        self.reported = reported


def say(message):
    print(f"[upgrade check] {message}", flush=True)


# --------------------------------------------------------------------------- Odoo shell scripts
# Each runs in `odoo-bin shell` (stdin), gets its values in PARAMS (JSON) and prints one line
# "CHECK-RESULT <json>" for this script to read.

RESULT_MARKER = "CHECK-RESULT "

# With the code of version 1.1.0: the warehouses, the second company and the accounts.
CREATE_V110_DATA = r'''
import json
params = json.loads(PARAMS)
main_company = env.ref("base.main_company")
Warehouse = env["stock.warehouse"]
default_warehouse = Warehouse.search([("company_id", "=", main_company.id)], order="sequence, id", limit=1)
assert default_warehouse.code == params["unknown_short_name"], f"default warehouse is {default_warehouse.code}"
shop = Warehouse.create({"name": "Shop Front", "code": params["known_short_name"], "company_id": main_company.id})
# a company whose first warehouse by sequence is archived; version 1.1 read its active one
second_company = env["res.company"].create({"name": "Second Company"})
env.user.company_ids |= second_company
both = [main_company.id, second_company.id]
Warehouse = Warehouse.with_context(allowed_company_ids=both)
old_main = Warehouse.create({"name": "Old Main", "code": params["code"], "company_id": second_company.id,
                             "sequence": 1})
Warehouse.create({"name": "New Main", "code": params["known_short_name"], "company_id": second_company.id,
                  "sequence": 5})
old_main.active = False
store, api_key, api_secret = params["credentials"]
values = {
    "a": {"zortout_warehouse_code": params["code"], "stock_location_id": default_warehouse.lot_stock_id.id},
    "b": {"stock_location_id": shop.lot_stock_id.id},
    "c": {"stock_location_id": default_warehouse.lot_stock_id.id},
    "d": {"zortout_warehouse_code": params["invalid_code"]},
    "e": {"company_id": second_company.id},
    "f": {"zortout_warehouse_code": params["code"], "company_id": second_company.id},
}
Account = env["marketplace.account"].with_context(allowed_company_ids=both)
created = {}
for key in params["accounts"]:
    account = Account.create({"name": params["names"][key], "store_name": store, "api_key": api_key,
                              "api_secret": api_secret, **values[key]})
    created[key] = account.id
env.cr.commit()
print(RESULT_MARKER + json.dumps(created))
'''

# With the working tree's code: what an account holds now (shared by the two scripts below).
ACCOUNT_STATE = r'''
import json
from odoo.tools import html2plaintext
params = json.loads(PARAMS)
all_companies = env["res.company"].search([]).ids
Account = env["marketplace.account"].with_context(allowed_company_ids=all_companies)

def stock_location(domain):
    return env["stock.warehouse"].with_context(active_test=False).search(domain).lot_stock_id

def call(method):
    try:
        return method()
    except Exception as exc:  # reported as found, the check says what was expected
        return f"error: {exc}"

def account_state(account):
    return {
        "stock_scope": account.stock_scope,
        "pending": account.legacy_short_name_pending,
        "legacy_code": account.legacy_warehouse_code or False,
        "mappings": [[mapping.warehouse_code, mapping.location_id.id, mapping.location_id.display_name]
                     for mapping in account.warehouse_mapping_ids],
        "target_location": call(lambda: account._zortout_target_location().id),
        "target_location_name": call(lambda: account._zortout_target_location().display_name),
        "legacy_short_name": call(account._legacy_short_name),
        "messages": [html2plaintext(message.body) for message in account.message_ids if message.body],
    }

# the stock locations the checks expect, by id: the default warehouse by its short name, the others by name
main_company = env.ref("base.main_company")
locations = {"WH": stock_location([("code", "=", params["default_short_name"]),
                                   ("company_id", "=", main_company.id)]).id}
locations.update({name: stock_location([("name", "=", name)]).id for name in ("Shop Front", "Old Main", "New Main")})
accounts = {key: Account.search([("name", "=", name)]) for key, name in params["names"].items()}
'''

READ_STATE = ACCOUNT_STATE + r'''
print(RESULT_MARKER + json.dumps({
    "locations": locations, "accounts": {key: account_state(account) for key, account in accounts.items() if account},
}))
'''

# A pull of each account, as the Pull Stock button does it; the chatter lines it added.
PULL_ACCOUNTS = ACCOUNT_STATE + r'''
env["ir.config_parameter"].sudo().set_param("otd_marketplace_stock.zortout_base_url", params["base_url"])
pulled = {}
for key in params["pull"]:
    account = accounts[key]
    seen = set(account.message_ids.ids)
    try:
        with env.cr.savepoint():
            action = account.action_pull_stock()
            job = env["marketplace.job"].browse(action["res_id"])
            outcome = {"job": [job.state, job.error or ""]}
    except Exception as exc:
        outcome = {"job": ["exception", str(exc)]}
    env.invalidate_all()  # a pull that failed was rolled back to the savepoint
    outcome.update(account_state(account))
    outcome["new_messages"] = [html2plaintext(message.body) for message in account.message_ids
                               if message.id not in seen and message.body]
    pulled[key] = outcome
env.cr.commit()
print(RESULT_MARKER + json.dumps({"locations": locations, "accounts": pulled}))
'''


# --------------------------------------------------------------------------- Odoo commands


class Odoo:
    """odoo-bin on devenv's cluster and data dir, with one version of the addon."""

    def __init__(self, base, addons_dir, label, logs):
        self.command = list(base)
        # devenv's base command names the working tree's link; an older version takes its place
        index = self.command.index("--addons-path") + 1
        odoo_addons = self.command[index].split(",")[0]
        self.command[index] = f"{odoo_addons},{addons_dir}"
        self.version = manifest_version(Path(addons_dir) / ADDON)
        self.label = label
        self.logs = logs

    def run(self, what, database, options=(), stdin_text="", log_level="info", shell=False):
        """Run odoo-bin (or its shell); return (exit code, output). The output is kept in a log file."""
        command = devenv.odoo_shell(self.command) if shell else self.command
        log_path = self.logs / f"{database}-{re.sub(r'[^a-z0-9]+', '-', what.lower())}.log"
        try:
            result = subprocess.run([*command, "-d", database, *options, "--no-http", "--log-level", log_level],
                                    input=stdin_text, text=True, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, timeout=COMMAND_TIMEOUT, env=devenv.sandbox_env())
            returncode, output = result.returncode, result.stdout
        except subprocess.TimeoutExpired as exc:
            # what the process wrote before it was killed comes as bytes here, even with text=True
            partial = exc.stdout or b""
            returncode = f"killed after {COMMAND_TIMEOUT} s"
            output = partial.decode(errors="replace") if isinstance(partial, bytes) else partial
        log_path.write_text(output)
        return returncode, output

    def shell(self, what, database, script, params):
        """Run a script in an Odoo shell; return what it printed after RESULT_MARKER (StepFailed otherwise)."""
        text = f"PARAMS = {json.dumps(params)!r}\nRESULT_MARKER = {RESULT_MARKER!r}\n{script}"
        returncode, output = self.run(what, database, stdin_text=text, log_level="warn", shell=True)
        for line in reversed(output.splitlines()):
            if line.startswith(RESULT_MARKER):
                return json.loads(line[len(RESULT_MARKER):])
        raise StepFailed(f"{what}: the Odoo shell ended with {returncode} without a result; "
                         f"its output ends with:\n{tail(output)}")


def tail(output, lines=25):
    return "\n".join("        " + line for line in output.rstrip().splitlines()[-lines:])


def error_lines(output):
    return [line for line in output.splitlines() if re.search(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ", line)]


def exception_lines(output):
    """The last line of each traceback, e.g. "odoo.exceptions.ValidationError: ..." """
    return [line for line in output.splitlines() if re.match(r"^[\w.]+(Error|Exception|Warning): ", line)]


def migration_lines(output):
    """What the migration scripts logged (which script ran, and their own lines), as "LEVEL logger: message"."""
    lines = []
    for line in output.splitlines():
        if "Running migration" in line or re.search(r" (pre|post|end)-migrate: ", line):
            parts = line.split(" ", 5)  # date, time, pid, level, database, "logger: message"
            lines.append((f"{parts[3]} {parts[5]}" if len(parts) == 6 else line).rstrip())
    return lines


# --------------------------------------------------------------------------- set-up


def export_version(commit, folder):
    """`git archive` of the addon at commit, as <folder>/otd_marketplace_stock (Odoo wants the addon's name)."""
    target = folder / ADDON
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", commit],
                             stdout=subprocess.PIPE, check=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return folder


def manifest_version(addon_dir):
    return ast.literal_eval((Path(addon_dir) / "__manifest__.py").read_text())["version"]


def sandbox_warehouse_codes():
    """The warehouse codes of the sandbox's demo catalogue (its default warehouses when it names none)."""
    spec = importlib.util.spec_from_file_location("sandbox_catalogue", REPO / "zortout_sandbox" / "catalogue.py")
    catalogue = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(catalogue)
    return catalogue.Catalogue.demo().warehouse_codes()


class Report:
    def __init__(self):
        self.results = []

    def check(self, passed, what, found=None):
        self.results.append(bool(passed))
        line = f"{'PASS' if passed else 'FAIL'} {what}"
        if not passed and found is not None:
            line += f"\n     found: {found}"
        print(line, flush=True)
        return passed

    @property
    def failed(self):
        return self.results.count(False)


# --------------------------------------------------------------------------- one upgrade path


class UpgradePath:
    def __init__(self, report, setup, label, versions, account_keys, note=""):
        self.report = report
        self.setup = setup
        self.label = label
        self.versions = versions  # [Odoo]: installed first, then each upgrade in turn
        self.account_keys = account_keys
        self.note = note
        self.database = f"otd_upgrade_{label.lower()}_{int(time.time())}_{os.getpid()}"
        self.names = {key: f"Upgrade check ({key})" for key in account_keys}

    def step(self, passed, what, found=None):
        if not self.report.check(passed, f"path {self.label}: {what}", found):
            raise StepFailed(what, reported=True)

    def run(self):
        route = " -> ".join(odoo.version for odoo in self.versions)
        say(f"path {self.label}: {route}, accounts ({') ('.join(self.account_keys)}), database {self.database}")
        if self.note:
            say(f"path {self.label}: {self.note}")
        self.setup.databases.append(self.database)
        try:
            self.install_first_version()
            for odoo in self.versions[1:]:
                self.upgrade(odoo)
            self.check_upgraded_accounts()
            self.check_pulls()
        except StepFailed as exc:
            if not exc.reported:
                self.report.check(False, f"path {self.label}: {exc}")
            say(f"path {self.label}: stopped after a failed step; the other checks of this path did not run")

    def install_first_version(self):
        odoo = self.versions[0]
        version = odoo.version
        returncode, output = odoo.run(f"install {version}", self.database,
                                      ["-i", ADDON, "--stop-after-init"], log_level="warn")
        self.step(returncode == 0 and not error_lines(output), f"install {version} (no demo data)",
                  f"exit {returncode}\n{tail(output)}")
        created = odoo.shell(f"create {version} data", self.database, CREATE_V110_DATA, {
            "accounts": self.account_keys, "names": self.names, "credentials": devenv.SANDBOX_CREDENTIALS,
            "code": CODE, "invalid_code": INVALID_CODE, "known_short_name": KNOWN_SHORT_NAME,
            "unknown_short_name": UNKNOWN_SHORT_NAME})
        self.step(sorted(created) == sorted(self.account_keys),
                  f"create with {version}: warehouse {KNOWN_SHORT_NAME} beside {UNKNOWN_SHORT_NAME}, a company "
                  f"with an archived first warehouse, accounts ({') ('.join(self.account_keys)})", created)

    def upgrade(self, odoo):
        version = odoo.version
        returncode, output = odoo.run(f"upgrade to {version}", self.database,
                                      ["-u", ADDON, "--stop-after-init"])
        for line in migration_lines(output):
            print(f"     {line}", flush=True)
        errors = error_lines(output) + exception_lines(output)
        installed = self.setup.installed_version(self.database)
        self.step(returncode == 0 and not errors and installed == ("installed", version),
                  f"upgrade to {version} ({odoo.label}): exit 0, no error logged, module installed at {version}",
                  f"exit {returncode}, module {installed}, errors:\n{tail(chr(10).join(errors)) or tail(output)}")

    # -- after the upgrade ----------------------------------------------------

    def check_upgraded_accounts(self):
        odoo = self.versions[-1]
        state = odoo.shell("read the upgraded accounts", self.database, READ_STATE,
                           {"names": self.names, "default_short_name": UNKNOWN_SHORT_NAME})
        locations, accounts = state["locations"], state["accounts"]
        prefix = f"path {self.label} after the upgrade"
        expected = {
            "a": ({"mappings": [(CODE, locations["WH"])], "stock_scope": "warehouses", "pending": False,
                   "legacy_code": False}, f"one mapping {CODE} -> WH/Stock"),
            "b": (self.pending_store_total(), "store-wide totals until the next pull asks Zortout (pending)"),
            "c": (self.pending_store_total(), "store-wide totals until the next pull asks Zortout (pending)"),
            "d": ({"mappings": [], "pending": False, "legacy_code": INVALID_CODE},
                  "no mapping, the code kept in legacy_warehouse_code, the upgrade went on"),
            "e": ({**self.pending_store_total(), "target_location": locations["New Main"],
                   "legacy_short_name": KNOWN_SHORT_NAME},
                  f"pending; target: the stock of the active warehouse New Main ({KNOWN_SHORT_NAME}), not of the "
                  f"archived Old Main ({CODE})"),
            "f": ({"mappings": [(CODE, locations["New Main"])], "stock_scope": "warehouses", "pending": False,
                   "legacy_code": False},
                  f"one mapping {CODE} -> the stock of the active warehouse New Main, not of the archived Old Main"),
        }
        for key in self.account_keys:
            values, what = expected[key]
            self.compare(prefix, key, accounts.get(key), values, what)
        if "d" in self.account_keys and "d" in accounts:
            said = any(INVALID_CODE in message for message in accounts["d"]["messages"])
            self.report.check(said, f"{prefix}: (d) its chatter names the code {INVALID_CODE!r} that was kept aside",
                              accounts["d"]["messages"])

    @staticmethod
    def pending_store_total():
        return {"mappings": [], "stock_scope": "store_total", "pending": True, "legacy_code": False}

    def compare(self, prefix, key, account, expected, what):
        """One check: every expected value of the account (mappings as [(code, location id)])."""
        if account is None:
            self.report.check(False, f"{prefix}: ({key}) {ACCOUNTS[key]}: {what}", "the account is gone")
            return
        found = {name: account[name] for name in expected}
        if "mappings" in found:
            found["mappings"] = [(code, location) for code, location, _name in account["mappings"]]
        shown = {**found, "mappings": [f"{code} -> {name}" for code, _location, name in account["mappings"]]}
        if "target_location" in shown:
            shown["target_location"] = account["target_location_name"]
        self.report.check(found == expected, f"{prefix}: ({key}) {ACCOUNTS[key]}: {what}", shown)

    # -- the next pull ----------------------------------------------------------

    def check_pulls(self):
        odoo = self.versions[-1]
        keys = [key for key in PULLED_ACCOUNTS if key in self.account_keys]
        result = odoo.shell("pull the pending accounts", self.database, PULL_ACCOUNTS,
                            {"names": self.names, "default_short_name": UNKNOWN_SHORT_NAME, "pull": keys,
                             "base_url": self.setup.sandbox_url})
        locations, accounts = result["locations"], result["accounts"]
        prefix = f"path {self.label} after a pull"
        expected = {
            "b": ({"mappings": [(KNOWN_SHORT_NAME, locations["Shop Front"])], "stock_scope": "warehouses",
                   "pending": False}, KNOWN_SHORT_NAME, f"maps {KNOWN_SHORT_NAME} -> its Stock Location"),
            "c": ({"mappings": [], "stock_scope": "store_total", "pending": False}, UNKNOWN_SHORT_NAME,
                  "keeps store-wide totals"),
            "e": ({"mappings": [(KNOWN_SHORT_NAME, locations["New Main"])], "stock_scope": "warehouses",
                   "pending": False}, KNOWN_SHORT_NAME,
                  f"maps {KNOWN_SHORT_NAME} -> the stock of the active warehouse New Main"),
        }
        for key in keys:
            values, short_name, what = expected[key]
            account = accounts[key]
            self.report.check(account["job"][0] == "done", f"{prefix}: ({key}) the pull's job is done",
                              account["job"])
            self.compare(prefix, key, account, values, what)
            # the chatter line of _resolve_legacy_warehouse names the short name and version 1.1
            said = any(short_name in message and "1.1" in message for message in account["new_messages"])
            self.report.check(said, f"{prefix}: ({key}) a chatter message says what became of {short_name}",
                              account["new_messages"])


# --------------------------------------------------------------------------- main


class Setup:
    def __init__(self, pg_options, temp):
        self.pg_options = pg_options
        self.temp = temp
        self.databases = []
        self.sandbox = None
        self.sandbox_url = None

    def installed_version(self, database):
        """(state, latest_version) of the addon in ir_module_module, read with psql."""
        options = dict(zip(self.pg_options[::2], self.pg_options[1::2]))
        command = [str(devenv.find_pg_bin() / "psql"), "-h", options["--db_host"], "-p", options["--db_port"],
                   "-d", database, "-tAF", " ", "-c",
                   f"SELECT state, latest_version FROM ir_module_module WHERE name = '{ADDON}'"]
        if "--db_user" in options:
            command[1:1] = ["-U", options["--db_user"]]
        result = subprocess.run(command, capture_output=True, text=True)
        return tuple(result.stdout.split()) or (f"psql: {result.stderr.strip()}",)

    def clean_up(self):
        devenv.ignore_stop_signals()  # a second Ctrl+C must not leave a database behind
        if self.sandbox is not None:
            devenv.stop_group(self.sandbox, "The Zortout sandbox", grace=5)
        for database in self.databases:
            devenv.drop_database(self.pg_options, database)
        shutil.rmtree(self.temp, ignore_errors=True)
        say(f"dropped {', '.join(self.databases) or 'no database'}, stopped the sandbox, removed {self.temp}")


def main():
    started = time.monotonic()
    devenv.handle_stop_signals()  # SIGTERM and SIGHUP clean up as Ctrl+C does
    _odoo_path, python, pg_options, base = devenv.prepare()
    setup = Setup(pg_options, Path(tempfile.mkdtemp(prefix="otd-upgrade-check-")))
    report = Report()
    try:
        logs = setup.temp / "logs"
        logs.mkdir()
        v110 = Odoo(base, export_version(V110_COMMIT, setup.temp / "v110"), V110_COMMIT, logs)
        v120 = Odoo(base, export_version(V120_COMMIT, setup.temp / "v120"), V120_COMMIT, logs)
        current = Odoo(base, devenv.addons_link(), "working tree", logs)
        say("versions: " + ", ".join(f"{odoo.version} ({odoo.label})" for odoo in (v110, v120, current)))

        # the accounts (b) and (c) stand for a short name Zortout has and one it has not
        codes = sandbox_warehouse_codes()
        if report.check(KNOWN_SHORT_NAME in codes and UNKNOWN_SHORT_NAME not in codes,
                        f"the sandbox has the warehouse {KNOWN_SHORT_NAME} and none named {UNKNOWN_SHORT_NAME}",
                        codes):
            port = devenv.free_port()
            setup.sandbox = devenv.start_sandbox(python, port)
            setup.sandbox_url = f"http://127.0.0.1:{port}/v4"
            say(f"Zortout sandbox on {setup.sandbox_url} (warehouses {', '.join(codes)})")
            UpgradePath(report, setup, "A", [v110, v120, current], PATH_A_ACCOUNTS,
                        note=f"no (d): {v120.version} as released stops on a code its mapping rule refuses").run()
            UpgradePath(report, setup, "B", [v110, current], PATH_B_ACCOUNTS).run()
    except KeyboardInterrupt:
        report.check(False, "the check ran to its end (it was stopped)")
    finally:
        setup.clean_up()
    seconds = time.monotonic() - started
    if report.failed or not report.results:
        print(f"upgrade check: FAIL ({report.failed} of {len(report.results)} checks failed, {seconds:.0f} s)")
        return 1
    print(f"upgrade check: PASS ({len(report.results)} checks, {seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
