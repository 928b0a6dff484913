#!/usr/bin/env bash
# The reference topology on one machine (ops/stack.py): SeaweedFS S3, PostgreSQL database daybook_stack, Redis, two
# web nodes (scripts/run.sh each, ports 8001 and 8002) and two `manage.py worker` processes on the RQ queue.
# Prints the addresses; Ctrl+C stops everything. Settings: DAYBOOK_STACK_DIR (./data/stack), DAYBOOK_STACK_DATABASE_URL
# (postgres://postgres@127.0.0.1:5432/daybook_stack), DAYBOOK_STACK_REDIS_URL (redis://127.0.0.1:6379/3),
# DAYBOOK_STACK_PORTS (8001,8002), DAYBOOK_STACK_WORKERS (2), DAYBOOK_WEB_WORKERS/THREADS (2/4 per node).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m ops.stack
