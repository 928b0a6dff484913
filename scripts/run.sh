#!/usr/bin/env bash
# Starts Daybook with a production-grade server (gunicorn) and the background worker.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
WORKERS="${DAYBOOK_WEB_WORKERS:-3}"
THREADS="${DAYBOOK_WEB_THREADS:-4}"
# On this machine only, a new account is signed in at once (no e-mail needed). Reachable from a network, sign-up must
# not reveal who has an account, so e-mail verification is mandatory (daybook/local.py refuses other addresses).
case "$HOST" in
  127.0.0.1|localhost|::1) export DAYBOOK_EMAIL_VERIFICATION="${DAYBOOK_EMAIL_VERIFICATION:-optional}" ;;
  *) if [ "${DAYBOOK_EMAIL_VERIFICATION:-mandatory}" != "mandatory" ]; then
       echo "DAYBOOK_EMAIL_VERIFICATION=${DAYBOOK_EMAIL_VERIFICATION} only works on 127.0.0.1: set it to mandatory to listen on ${HOST}." >&2
       exit 1
     fi ;;
esac

# Prometheus counters from every gunicorn process and the worker, gathered at /metrics (ops/metrics.py).
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-${DAYBOOK_DATA_DIR:-./data}/metrics}"
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

# A web node of several (ops/stack.py, `make stack`) runs without its own task worker (DAYBOOK_RUN_WORKER=0: workers
# run apart, sharing the RQ queue) and only one node runs the periodic jobs (DAYBOOK_RUN_PERIODIC=0 on the others).
PIDS=()
if [ "${DAYBOOK_RUN_WORKER:-1}" != "0" ]; then
  .venv/bin/python manage.py worker &
  PIDS+=($!)
fi
if [ "${DAYBOOK_RUN_PERIODIC:-1}" != "0" ]; then
  # Account deletions whose cooling-off period has ended, and expired exports (takeout/, issue 17): once an hour.
  ( while true; do .venv/bin/python manage.py carry_out_deletions >/dev/null || true; sleep 3600; done ) &
  PIDS+=($!)
  # Lone working (cover/, issue 15): a missed check-in on a visit is escalated to the duty worker and team leads
  # within five minutes of falling due, even when nobody opens the duty screen.
  ( while true; do .venv/bin/python manage.py check_visits >/dev/null || true; sleep 300; done ) &
  PIDS+=($!)
  # Background jobs whose worker died or whose queue entry was lost (a Redis without persistence) are started again
  # even when nobody opens their page (ops/liveness.py): every five minutes.
  ( while true; do sleep 300; .venv/bin/python manage.py keep_jobs_going >/dev/null || true; done ) &
  PIDS+=($!)
fi
cleanup() {
  if [ "${#PIDS[@]}" -gt 0 ]; then
    kill "${PIDS[@]}" 2>/dev/null || true
    wait "${PIDS[@]}" 2>/dev/null || true
  fi
}
trap cleanup EXIT INT TERM

.venv/bin/python -m daybook.startup "$HOST" "$PORT"
.venv/bin/gunicorn daybook.wsgi:application \
  --bind "${HOST}:${PORT}" \
  --workers "$WORKERS" --threads "$THREADS" --worker-class gthread \
  --timeout 120 --graceful-timeout 20 \
  --access-logfile - --error-logfile - --log-level warning \
  --access-logformat '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss' \
  --forwarded-allow-ips "${DAYBOOK_FORWARDED_ALLOW_IPS:-127.0.0.1}"
