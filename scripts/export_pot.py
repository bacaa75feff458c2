#!/usr/bin/env python3
"""Regenerate i18n/otd_marketplace_stock.pot with Odoo itself.

Installs a clean copy of the addon (without .local and .git, whose link back to
the repository would make Odoo's file scan loop) in a throwaway database, runs
``odoo-bin i18n export`` on it and drops the database. Run it after changing any user-facing string, then add
the new terms to i18n/th.po (tests/test_i18n.py fails while one is missing).

    python3 scripts/export_pot.py
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import devenv  # noqa: E402


def main():
    _odoo, _python, pg_options, base = devenv.prepare()
    database = f"otd_pot_{int(time.time())}_{os.getpid()}"
    target = devenv.REPO / "i18n" / f"{devenv.ADDON_NAME}.pot"
    copy_root = Path(tempfile.mkdtemp(prefix="otd_pot_"))
    shutil.copytree(devenv.REPO, copy_root / devenv.ADDON_NAME,
                    ignore=shutil.ignore_patterns(".local", ".git", "__pycache__", "*.pyc", "bench"))
    addons_path = f"{base[base.index('--addons-path') + 1].split(',')[0]},{copy_root}"
    base = list(base)
    base[base.index("--addons-path") + 1] = addons_path
    devenv.say(f"Installing {devenv.ADDON_NAME} in the throwaway database {database}")
    try:
        subprocess.run([*base, "-d", database, "-i", devenv.ADDON_NAME, "--stop-after-init", "--no-http",
                        "--log-level", "warn"], check=True)
        # "odoo-bin i18n" reads the connection from a configuration file only
        options = dict(zip(pg_options[::2], pg_options[1::2]))
        lines = ["[options]", f"addons_path = {addons_path}", f"data_dir = {devenv.LOCAL / 'odoo-data'}"]
        lines += [f"{key.lstrip('-')} = {value}" for key, value in options.items()]
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as config:
            config.write("\n".join(lines) + "\n")
        try:
            subprocess.run([base[0], base[1], "i18n", "export", "-c", config.name, "-d", database,
                            "-o", str(target), devenv.ADDON_NAME], check=True, env=devenv.sandbox_env())
        finally:
            os.unlink(config.name)
    finally:
        devenv.drop_database(pg_options, database)
        shutil.rmtree(copy_root, ignore_errors=True)
    devenv.say(f"Wrote {target}")


if __name__ == "__main__":
    main()
