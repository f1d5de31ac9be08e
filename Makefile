# Two commands: `make run` and `make test`. Both create .venv if missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test install translations catalogs migrate demo lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python setup.cfg constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

translations: install
	$(BIN)/pybabel compile -d translations -D messages --statistics

# After changing user-facing strings: refresh the template and the fr/es catalogs, then translate.
catalogs: install
	$(BIN)/python tools/fill_catalogs.py

migrate: install
	$(FLASK) db-upgrade

demo: migrate
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)} $(FLASK) seed-demo

run: translations demo
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)} $(FLASK) dev-server --host 127.0.0.1 --port $(PORT)

test: translations
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/planner.py
	$(BIN)/python bench/ics.py

clean:
	rm -rf $(VENV) instance .pytest_cache
