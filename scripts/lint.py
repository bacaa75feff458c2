#!/usr/bin/env python3
"""Run the project's linters and exit non-zero on any finding.

    ruff    pyflakes, bugbear, import order and pycodestyle at 120 columns, over every Python file
            of the repository (settings: pyproject.toml)
    pylint  with the pylint-odoo plugin: Odoo 19's checks, over the addon as Odoo imports it,
            odoo.addons.otd_marketplace_stock (settings: .pylintrc)

Run it through `python3 scripts/devenv.py lint` (make lint), which installs the pinned linters
(scripts/lint-requirements.txt) into the project's virtual environment first and runs this script
with that environment's Python. `--fix` lets ruff rewrite what it can (import order) before it reports.
"""
import argparse
import os
import subprocess
import sys
from pathlib import Path

from devenv import REPO, link_addon  # scripts/ is this script's own folder, first on sys.path


def run_ruff(fix):
    """ruff check; its warnings (an unreadable `# noqa`, a bad setting) count as findings too."""
    command = [sys.executable, "-m", "ruff", "check", "--no-cache", *(["--fix"] if fix else []), "."]
    result = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    return result.returncode == 0 and not warnings


def addon_tree(tree):
    """A folder with odoo/addons/<addon> linked to the repository: with it and Odoo on PYTHONPATH, the addon
    imports as odoo.addons.<addon> (odoo and odoo.addons are namespace packages in Odoo 19)."""
    return link_addon(tree / "odoo" / "addons")


def run_pylint(odoo, tree):
    addon = addon_tree(tree)
    # the migration scripts sit in folders whose names are versions: not a package, so named one by one
    migrations = sorted(str(addon / path.relative_to(REPO)) for path in REPO.glob("migrations/*/*.py"))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(odoo), str(tree)]))
    command = [sys.executable, "-m", "pylint", f"--rcfile={REPO / '.pylintrc'}", str(addon), *migrations]
    result = subprocess.run(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # name the files as the repository does, not through the link
    prefix = os.path.relpath(addon, REPO) + os.sep
    sys.stdout.write(result.stdout.replace(prefix, ""))
    return result.returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--odoo", required=True, type=Path, help="the Odoo 19 source tree (odoo-bin's folder)")
    parser.add_argument("--tree", required=True, type=Path, help="a folder for the odoo/addons link pylint needs")
    parser.add_argument("--fix", action="store_true", help="let ruff fix what it can (import order) first")
    args = parser.parse_args()
    print("=== ruff (pyproject.toml)", flush=True)
    ruff_clean = run_ruff(args.fix)
    print(f"=== ruff: {'clean' if ruff_clean else 'FINDINGS'}", flush=True)
    print("=== pylint with pylint-odoo, Odoo 19 checks (.pylintrc)", flush=True)
    pylint_clean = run_pylint(args.odoo.resolve(), args.tree.resolve())
    print(f"=== pylint: {'clean' if pylint_clean else 'FINDINGS'}", flush=True)
    return 0 if ruff_clean and pylint_clean else 1


if __name__ == "__main__":
    sys.exit(main())
