"""Prometheus metrics: request latency by route pattern, task durations, bytes received by uploads, queue depth.

Served at ``/metrics`` only when ``DAYBOOK_METRICS_TOKEN`` is set, and only to a request that presents it
(``Authorization: Bearer <token>``); otherwise the address is a plain 404. Labels are route patterns, methods,
status classes and task names: never an address with its numbers, never anything a person typed. With several
gunicorn processes, set ``PROMETHEUS_MULTIPROC_DIR`` (``scripts/run.sh`` does) so every process is counted."""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django_tasks.signals import task_finished, task_started
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

REQUESTS = Histogram(
    "daybook_http_request_duration_seconds",
    "Time to answer a request, by route pattern",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
UPLOAD_BYTES = Counter("daybook_upload_bytes_total", "Bytes received by the evidence and import upload routes")
TASKS = Histogram("daybook_task_duration_seconds", "Time a background task ran, by task", ["task", "state"], buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 1800))
QUEUE_WAITING = Gauge("daybook_queue_waiting", "Tasks waiting for a worker", multiprocess_mode="max")
QUEUE_OLDEST = Gauge("daybook_queue_oldest_wait_seconds", "How long the oldest waiting task has waited", multiprocess_mode="max")

UPLOAD_ROUTES = ("evidence/uploads/", "evidence/add/", "imports/upload/")
_started: dict[str, float] = {}


def token() -> str:
    return str(getattr(settings, "DAYBOOK_METRICS_TOKEN", "") or "")


class MetricsMiddleware:
    """Times every request by its route pattern and counts upload bytes; logs one JSON line per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        import logging  # noqa: PLC0415

        self.log = logging.getLogger("daybook.request")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        took = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None else "(no route)"
        status = f"{response.status_code // 100}xx"
        REQUESTS.labels(route=route, method=request.method, status=status).observe(took)
        if request.method in ("POST", "PUT", "PATCH") and any(part in route for part in UPLOAD_ROUTES):
            try:
                UPLOAD_BYTES.inc(max(int(request.META.get("CONTENT_LENGTH") or 0), 0))
            except ValueError:
                pass
        self.log.info(
            "request",
            extra={"route": route, "method": request.method, "status": response.status_code, "ms": round(took * 1000, 1), "bytes": _size(response)},
        )
        return response


def _size(response: HttpResponse) -> int | None:
    return None if getattr(response, "streaming", False) else len(response.content)


@receiver(task_started)
def _task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    _started[str(task_result.id)] = time.perf_counter()


@receiver(task_finished)
def _task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    began = _started.pop(str(task_result.id), None)
    if began is not None:
        TASKS.labels(task=task_result.task.module_path, state=str(task_result.status)).observe(time.perf_counter() - began)


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    expected = token()
    given = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Http404("No such page")
    from ops import health  # noqa: PLC0415

    try:
        _fine, queue = health._queue()  # noqa: SLF001 - the same reading the health check makes
        QUEUE_WAITING.set(queue.get("waiting", 0))
        QUEUE_OLDEST.set(queue.get("oldest_wait_seconds", 0))
    except Exception:  # noqa: BLE001, S110 - the other metrics are still worth serving
        pass
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        from prometheus_client import REGISTRY  # noqa: PLC0415

        body = generate_latest(REGISTRY)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
