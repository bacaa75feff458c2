#!/usr/bin/env bash
# One CI check: clone this repository's current commit into FOLDER (made by the caller) and run the
# set-up and a short real test run there, as a new user would; then stop and delete the PostgreSQL
# cluster it made (which may live outside the clone, in /var/lib/otd_marketplace_stock).
# Usage: .ci/clone_check.sh FOLDER TEST_TAGS
set -euo pipefail
folder=$1
tags=$2
repo=$(cd "$(dirname "$0")/.." && pwd)
clone="$folder/otd_marketplace_stock"
git clone -q "$repo" "$clone"
git -C "$clone" checkout -q --detach "$(git -C "$repo" rev-parse HEAD)"
cd "$clone"
trap 'python3 scripts/devenv.py remove-cluster' EXIT
# these tags hold no browser test, which only the full suite must prove
python3 scripts/devenv.py test --tags "$tags" --browser-optional
