# Odoo 19 + otd_marketplace_stock: see README.md ("Settings") for the environment variables.
PYTHON ?= python3

.PHONY: run test lint bench bench-production shell
run:    ## start Odoo with the addon, demo data and the local Zortout sandbox; WORKERS=N for Odoo's multi-process mode
	$(PYTHON) scripts/devenv.py run $(if $(WORKERS),--workers $(WORKERS))
test:   ## run every test of the addon in a fresh database; prints "N passed, N failed"
	$(PYTHON) scripts/devenv.py test
lint:   ## ruff and pylint with pylint-odoo (Odoo 19 checks), installed into the venv on first use; exits non-zero on any finding
	$(PYTHON) scripts/devenv.py lint
bench:  ## measure the stock sync at scale against Odoo's own inventory path (ARGS="--quick" for a smoke run)
	$(PYTHON) scripts/devenv.py bench -- $(ARGS)
bench-production:  ## a full sync of 50,000 SKUs from a slow store across cron runs of multi-worker Odoo (ARGS="--quick")
	$(PYTHON) bench/production_shape.py $(ARGS)
shell:  ## Odoo shell on the run database
	$(PYTHON) scripts/devenv.py shell
