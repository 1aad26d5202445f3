# famplan: two commands from a fresh clone (needs only python3, node/npm and apt).
#   make run    install, migrate, load the demo county, print the logins, serve on :8000
#   make test   install, run the whole test suite (browser tests included)

export UV_PYTHON_DOWNLOADS := never
# uv from PATH, else the copy pip installs (run as a module, so PATH does not matter).
UV := $(shell command -v uv >/dev/null 2>&1 && echo uv || echo python3 -m uv)
ADDR ?= 127.0.0.1:8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/famplan

.PHONY: install system-packages test-system-packages run test test-pg lint format bench clean

install: .venv/.synced node_modules/.installed

# Re-sync only when the lock file changes.
.venv/.synced: uv.lock pyproject.toml
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

# npm ci's postinstall copies the assets into src/famplan/static/vendor.
node_modules/.installed: package-lock.json package.json scripts/copy-assets.mjs
	npm ci --no-audit --no-fund
	@touch $@

# The CJK fonts and WeasyPrint's libraries (and Chromium for the browser tests),
# installed from Debian only where missing.
system-packages:
	@bash scripts/system-packages.sh

test-system-packages:
	@bash scripts/system-packages.sh --tests

run: export FAMPLAN_ENV := development
run: install system-packages
	$(UV) run famplan migrate --no-input
	$(UV) run famplan demo
	$(UV) run famplan serve $(ADDR)

test: install test-system-packages
	$(UV) run pytest

test-pg: install test-system-packages
	DATABASE_URL=$(PG_URL) $(UV) run pytest

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .

format: install
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

# Each script in benchmarks/ prints its figures (benchmarks/README.md records them).
bench: install
	@for script in benchmarks/[!_]*.py; do echo "== $$script"; $(UV) run python $$script || exit 1; done

clean:
	rm -rf .venv node_modules src/famplan/static/vendor test-results
