# The two commands a newcomer runs (README): `make demo` and `make test`.
# Both install what they need: uv (into .tools/ when it is not on PATH), the locked environment,
# and for the browser test Debian's chromium (when running as root and it is missing).

UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
OUT ?= out
# Commands run from the environment's own bin/, not through `uv run`: uv re-syncs the environment on every
# `uv run` and, with compile-bytecode on (pyproject.toml), prints "Bytecode compiled 12273 files" each time.
# `make setup` syncs once, quietly (errors still show).
BIN := .venv/bin

.PHONY: demo test setup browser bench dbt-docs clean

demo: setup
	$(BIN)/capex refresh --offline
	$(BIN)/capex report $(OUT)/report.html
	@echo "report: $(OUT)/report.html   warehouse: $${CAPEX_HOME:-var}/warehouse/capex.duckdb"
	@echo "query it: $(BIN)/capex query \"select ticker, fiscal_year, capex_usd, capex_to_revenue from bi.spend_ratio where ticker = 'MSFT'\""

# Two pytest-xdist workers (TEST_WORKERS=0 for one process); --dist loadscope keeps each test module on one
# worker, so a module's shared fixtures (a published copy, a killed refresh) are built once; modules are handed
# out in the order tests/conftest.py gives (the slowest first), not by their number of tests. The wall time of
# lint + tests goes to var/test-seconds.txt, where benchmarks/refresh.py reports it.
# .venv/bin goes first on PATH: dagster-dbt looks dbt up on PATH when it prepares the manifest at import.
TEST_WORKERS ?= 2

test: setup browser
	@start=$$(date +%s); \
	set -x; $(BIN)/ruff check . && $(BIN)/ruff format --check . && \
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder && \
	{ set +x; mkdir -p var; echo "$$(( $$(date +%s) - start )) s: make test, $$(nproc) cores, load $$(cut -d' ' -f1-3 /proc/loadavg)" > var/test-seconds.txt; cat var/test-seconds.txt; }

bench: setup
	$(BIN)/python benchmarks/refresh.py

# dbt's docs site for analysts, generated against a copy of the published warehouse (dbt opens its
# database read-write; the published file is never written).
dbt-docs: setup
	@test -f $${CAPEX_HOME:-var}/warehouse/capex.duckdb || { echo "no published warehouse: run make demo first"; exit 1; }
	mkdir -p $(OUT)
	cp $${CAPEX_HOME:-var}/warehouse/capex.duckdb $(OUT)/dbt-docs.duckdb
	cd dbt && CAPEX_BUILD_DB=$(CURDIR)/$(OUT)/dbt-docs.duckdb $(CURDIR)/$(BIN)/dbt docs generate --quiet --target-path $(CURDIR)/$(OUT)/dbt-docs
	rm -f $(OUT)/dbt-docs.duckdb
	@echo "dbt docs: $(OUT)/dbt-docs/index.html"

setup: $(UV)
	@$(UV) sync --frozen --quiet

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

# The report is tested in a real headless browser. Debian's chromium is installed when missing and
# we are root (CI, a fresh machine); otherwise that test skips and says why.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium not installed: the browser test will be skipped"; }

clean:
	rm -rf var out .pytest_cache dbt/target
