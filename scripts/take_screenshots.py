#!/usr/bin/env python3
"""Take the README's screenshots from the real web client, in Thai.

Runs the browser test tests/test_screenshots.py (tag ``otd_screenshots``, left
out of ``make test``) in a fresh database against the local Zortout sandbox:
it pulls stock once and has the runner fail a job, opens the account form,
the job form, the Jobs list, the failed job and the module in Apps (its card,
its page) in headless Chromium as an administrator using Thai, and writes

    docs/images/account_form.png
    docs/images/job_form.png
    docs/images/jobs_list.png
    docs/images/failed_job.png
    docs/images/apps_card.png
    docs/images/apps_page.png

and, for the module page (static/description/index.html), smaller copies of the
first three in static/description/.

Usage: python3 scripts/take_screenshots.py

Thai text needs a Thai font for Chromium (Debian: apt-get install fonts-thai-tlwg);
without one the Thai labels come out as empty boxes.
"""
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import devenv  # noqa: E402


def main():
    fc_list = shutil.which("fc-list")
    if fc_list and not subprocess.run([fc_list, ":lang=th"], capture_output=True, text=True).stdout.strip():
        devenv.die("No Thai font found (fc-list :lang=th is empty): the screenshots would show boxes instead "
                   "of Thai. Install one first, e.g. apt-get install fonts-thai-tlwg")
    command = [sys.executable, str(Path(__file__).resolve().parent / "devenv.py"), "test",
               "--tags", f"otd_screenshots/{devenv.ADDON_NAME}"]
    returncode = subprocess.call(command)
    if returncode == 0:
        for name in ("account_form.png", "job_form.png", "jobs_list.png", "failed_job.png", "apps_card.png",
                     "apps_page.png"):
            devenv.say(f"Wrote {devenv.REPO / 'docs' / 'images' / name}")
        for name in ("account_form.png", "job_form.png", "jobs_list.png"):
            devenv.say(f"Wrote {devenv.REPO / 'static' / 'description' / name}")
    return returncode


if __name__ == "__main__":
    sys.exit(main())
