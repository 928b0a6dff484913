# Daybook: `make run` sets everything up and starts it; `make test` runs the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run stack test test-s3 test-postgres demo bench setup deps static migrate chromium media-tools lint clean

setup: deps static

deps: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -U pip
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static: deps
	node frontend/build.mjs
	$(PY) manage.py collectstatic --noinput -v0

migrate: deps
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py createcachetable

run: setup migrate media-tools
	@bash scripts/run.sh

# The reference topology on this machine: two web nodes and two workers on PostgreSQL, S3 (SeaweedFS) and Redis
# (ops/stack.py). Needs PostgreSQL and Redis running on 127.0.0.1.
stack: setup media-tools
	@bash scripts/stack.sh

demo: setup migrate
	$(PY) manage.py load_demo

# Debian's Chromium for the browser tests (never a downloaded browser).
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# Debian's poppler-utils (pdftoppm) and ffmpeg make previews of PDFs and videos; Noto fonts (and Droid Sans Fallback
# for Chinese and Japanese, Nanum for Korean) let the PDF report print every script a person may type, right-to-left included.
# Without them Daybook still keeps every file and says "no preview".
MEDIA_PACKAGES := poppler-utils ffmpeg fonts-noto-core fonts-droid-fallback fonts-nanum
media-tools:
	@if ! command -v pdftoppm >/dev/null 2>&1 || ! command -v ffmpeg >/dev/null 2>&1 \
		|| [ ! -d /usr/share/fonts/truetype/noto ] || [ ! -d /usr/share/fonts/truetype/droid ] || [ ! -d /usr/share/fonts/truetype/nanum ]; then \
		echo "Installing Debian's $(MEDIA_PACKAGES) (previews and report fonts)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		( $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(MEDIA_PACKAGES) >/dev/null ) \
			|| echo "Could not install them: PDFs and videos will have no preview, reports fewer scripts."; \
	fi

test: setup chromium media-tools
	$(PY) -m pytest

# The tests of everything stored (evidence, reports, imports, integrity, tampering, backups) again with the storage on
# a real S3 server (SeaweedFS on 127.0.0.1, ops/seaweed.py; DAYBOOK_TEST_STORAGE=s3, see tests/conftest.py).
S3_TESTS := tests/test_evidence.py tests/test_evidence_access.py tests/test_evidence_properties.py \
	tests/test_reports_flow.py tests/test_report_bundle.py tests/test_report_streamed_bundle.py tests/test_report_pdf.py \
	tests/test_imports_flow.py tests/test_imports_command.py \
	tests/test_integrity_check.py tests/test_tampering.py tests/test_ops_backup.py
test-s3: setup media-tools
	DAYBOOK_TEST_STORAGE=s3 $(PY) -m pytest $(S3_TESTS)

bench: setup migrate media-tools
	$(PY) benchmarks/run.py $(B)

lint: deps
	$(VENV)/bin/ruff check .

clean:
	rm -rf build .pytest_cache
