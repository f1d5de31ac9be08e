# Two commands: `make run` and `make test`. Each creates its own virtualenv from a hashed lock:
# .venv-run holds the runtime only (as in production), .venv the runtime and the test tools.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_VENV := .venv-run
RUN_BIN := $(RUN_VENV)/bin
RUN_STAMP := $(RUN_VENV)/.installed
TOOLS_VENV := .venv-tools
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
RUN_FLASK := $(RUN_BIN)/flask --app wsgi
LOCK_OPTIONS := --quiet --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: run test install install-runtime translations run-translations catalogs migrate demo lint bench clean locks

# A changed lock rebuilds the virtualenv from scratch, so nothing the lock dropped stays installed.
$(STAMP): requirements/test.txt setup.cfg
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements/test.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

$(RUN_STAMP): requirements/runtime.txt setup.cfg
	rm -rf $(RUN_VENV)
	$(PYTHON) -m venv $(RUN_VENV) || python3 -m venv $(RUN_VENV)
	$(RUN_BIN)/pip install --quiet --upgrade pip
	$(RUN_BIN)/pip install --quiet --require-hashes -r requirements/runtime.txt
	$(RUN_BIN)/pip install --quiet --no-deps -e .
	touch $(RUN_STAMP)

# After changing dependencies in setup.cfg: regenerate both locks (pip-compile, needs the package index).
locks:
	test -x $(TOOLS_VENV)/bin/pip-compile || ($(PYTHON) -m venv $(TOOLS_VENV) && $(TOOLS_VENV)/bin/pip install --quiet 'pip-tools>=7.4,<8')
	$(TOOLS_VENV)/bin/pip-compile $(LOCK_OPTIONS) $(LOCK_UPGRADE) -o requirements/runtime.txt setup.cfg
	$(TOOLS_VENV)/bin/pip-compile $(LOCK_OPTIONS) $(LOCK_UPGRADE) --extra test -c requirements/runtime.txt -o requirements/test.txt setup.cfg

install-runtime: $(RUN_STAMP)

install: $(STAMP)

translations: install
	$(BIN)/pybabel compile -d translations -D messages --statistics

# After changing user-facing strings: refresh the template and the fr/es catalogs, then translate.
catalogs: install
	$(BIN)/python tools/fill_catalogs.py

run-translations: install-runtime
	$(RUN_BIN)/pybabel compile -d translations -D messages --statistics

migrate: install-runtime
	$(RUN_FLASK) db-upgrade

demo: migrate
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)} $(RUN_FLASK) seed-demo

run: run-translations demo
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)} $(RUN_FLASK) dev-server --host 127.0.0.1 --port $(PORT)

test: translations
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/planner.py
	$(BIN)/python bench/ics.py

clean:
	rm -rf $(VENV) $(RUN_VENV) $(TOOLS_VENV) instance .pytest_cache
