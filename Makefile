# Hearth: `make run` sets everything up and serves the demo; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3

.PHONY: install run test test-browser lint format check-migrations messages assets clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Hearth needs Python 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

run: install
	$(BIN)/hearth migrate --no-input
	$(BIN)/hearth collectstatic --no-input --verbosity 0
	$(BIN)/hearth demo --if-empty
	$(BIN)/hearth search-index ensure
	@echo "Hearth is starting at http://$(HOST):$(PORT)/  (stop it with Ctrl+C)"
	HEARTH_SECURE_COOKIES=$${HEARTH_SECURE_COOKIES:-false} $(BIN)/gunicorn hearth.wsgi \
		--bind $(HOST):$(PORT) --workers $(WORKERS) --threads 2 --access-logfile - \
		--forwarded-allow-ips=''

test: install
	$(BIN)/pytest -n 2 --dist loadfile -m "not browser"
	$(BIN)/pytest -m browser

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-migrations: install
	$(BIN)/hearth makemigrations --check --dry-run

messages: install
	cd hearth && ../$(BIN)/hearth makemessages --locale es --no-obsolete --no-location --ignore 'static/*'
	cd hearth && ../$(BIN)/hearth compilemessages --locale es

assets:
	cd frontend && ./build.sh

clean:
	rm -rf $(VENV) var
