"""The police referral API's views: thin, every call through :func:`api_call`.

:func:`api_call` is the only door: a bearer token (never a session or a cookie, so CSRF does not apply and the view
is exempt), a size limit, a rate limit per credential, JSON only, the Idempotency-Key, one error object and an audit
row for every call, answered or not. The work is in casework/police.py.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from api.openapi import ERROR_CODES, document
from audit.actions import AuditAction
from audit.services import record_staff
from casework import police
from casework.models import ApiReplay, PurgedReferral, Referral
from casework.services import ReferralRefused
from organisations.models import ApiCredential
from organisations.services import api_credential_for

MAX_BODY_BYTES = 64 * 1024
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:\-]{1,100}$")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}

    def body(self) -> dict[str, Any]:
        assert self.code in ERROR_CODES, self.code  # noqa: S101 (every code is documented in the OpenAPI document)
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    for k, v in (headers or {}).items():
        response[k] = v
    return response


def _rate_limited(credential: ApiCredential) -> int:
    """Seconds to wait when the credential has used its calls for this minute, else 0 (a fixed window in the
    shared cache, so it holds across server processes)."""
    limit = int(getattr(settings, "DAYBOOK_API_RATE_PER_MINUTE", 600))
    window = int(time.time() // 60)
    key = f"api-rate:{credential.pk}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=120)
        count = 1
    return 60 - int(time.time() % 60) if count > limit else 0


def _credential(request: HttpRequest) -> ApiCredential:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    credential = api_credential_for(token.strip()) if scheme.lower() == "bearer" else None
    if credential is None:
        raise ApiError(401, "unauthorised", "Send a valid API credential as 'Authorization: Bearer <token>'.")
    return credential


def _body(request: HttpRequest) -> dict[str, Any]:
    if not request.body:
        raise ApiError(400, "invalid_json", "The body is empty: send a JSON object.")
    if request.content_type != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send JSON with 'Content-Type: application/json'.")
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(400, "invalid_json", "The body is not valid JSON in UTF-8.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "The body must be a JSON object.")
    return data


Handler = Callable[[ApiCredential, HttpRequest, Any], tuple[int, dict[str, Any]]]


def api_call(*methods: str) -> Callable[[Handler], Callable[..., JsonResponse]]:
    def decorator(handler: Handler) -> Callable[..., JsonResponse]:
        @csrf_exempt
        def view(request: HttpRequest, **kwargs: Any) -> JsonResponse:
            credential: ApiCredential | None = None
            headers: dict[str, str] = {}
            try:
                if request.method not in methods:
                    headers["Allow"] = ", ".join(methods)
                    raise ApiError(405, "method_not_allowed", f"Use {' or '.join(methods)}.")
                length = request.META.get("CONTENT_LENGTH") or "0"
                if not length.isdigit() or int(length) > MAX_BODY_BYTES:
                    raise ApiError(413, "too_large", f"The body may be at most {MAX_BODY_BYTES} bytes.")
                credential = _credential(request)
                if wait := _rate_limited(credential):
                    headers["Retry-After"] = str(wait)
                    raise ApiError(429, "rate_limited", f"Too many calls; try again in {wait} seconds.")
                status, body = _idempotent(handler, credential, request, kwargs)
            except ApiError as exc:
                status, body = exc.status, exc.body()
            _audit(request, credential, status)
            return _json(status, body, headers)

        return view

    return decorator


def _idempotent(handler: Handler, credential: ApiCredential, request: HttpRequest, kwargs: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or key is None:
        return handler(credential, request, kwargs)
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise ApiError(400, "invalid_idempotency_key", "Idempotency-Key: 1 to 100 letters, digits, . _ : or -.")
    digest = hashlib.sha256(request.path.encode() + b"\n" + request.body).hexdigest()
    if (seen := ApiReplay.objects.filter(credential=credential, key=key).first()) is not None:
        if seen.request_hash != digest:
            raise ApiError(422, "idempotency_key_reused", "This Idempotency-Key was used for a different request.")
        return seen.status, seen.body
    status, body = handler(credential, request, kwargs)
    if status < 500:
        try:
            with transaction.atomic():
                ApiReplay.objects.create(credential=credential, key=key, request_hash=digest, status=status, body=body)
        except IntegrityError:
            pass  # the same key arrived twice at once: the first answer stands
    return status, body


def _audit(request: HttpRequest, credential: ApiCredential | None, status: int) -> None:
    route = request.resolver_match.route if request.resolver_match else request.path
    who = f"credential {credential.pk}" if credential else "no credential"
    with transaction.atomic():
        org = credential.organisation if credential else None
        record_staff(None, AuditAction.API_CALLED, organisation=org, target=f"{who} {request.method} {route} {status}")  # type: ignore[arg-type]
        if credential:
            ApiCredential.objects.filter(pk=credential.pk).update(last_used_at=timezone.now())


def _invalid(exc: police.MessageInvalid) -> ApiError:
    return ApiError(422, "invalid", "Some fields are not valid; nothing was stored.", exc.errors)


def _state(referral: Referral, limit: int | None = None) -> dict[str, Any]:
    return {"id": str(referral.uuid), "outcome": police.outcome(referral, limit), "received_at": referral.received_at.isoformat()}


@api_call("POST", "GET")
def referrals(credential: ApiCredential, request: HttpRequest, kwargs: Any) -> tuple[int, dict[str, Any]]:
    if request.method == "GET":
        return _list(credential, request)
    try:
        referral, created = police.create(credential, _body(request))
    except police.MessageInvalid as exc:
        raise _invalid(exc) from None
    except ReferralRefused as exc:
        raise ApiError(422, "refused", str(exc)) from None
    return (201 if created else 200), {**_state(referral), "created": created}


def _list(credential: ApiCredential, request: HttpRequest) -> tuple[int, dict[str, Any]]:
    try:
        limit = int(request.GET.get("limit", "50"))
        offset = int(request.GET.get("offset", "0"))
    except ValueError:
        raise ApiError(422, "invalid", "limit and offset must be whole numbers.", {"limit": "1 to 100.", "offset": "0 or more."}) from None
    if not 1 <= limit <= 100 or not 0 <= offset <= 10**9:
        raise ApiError(422, "invalid", "limit must be 1 to 100 and offset 0 or more.", {"limit": "1 to 100.", "offset": "0 or more."})
    rows = list(Referral.objects.filter(organisation=credential.organisation, credential=credential).order_by("received_at", "pk")[offset : offset + limit + 1])
    more = len(rows) > limit
    unreachable = police.unreachable_after(credential.organisation)
    return 200, {"referrals": [_state(r, unreachable) for r in rows[:limit]], "next_offset": offset + limit if more else None}


@api_call("GET")
def referral_outcome(credential: ApiCredential, request: HttpRequest, kwargs: Any) -> tuple[int, dict[str, Any]]:
    """A referral's outcome, for the credential that sent it only; anything else is "not found"."""
    try:
        wanted = uuid.UUID(kwargs["referral_id"])
    except ValueError:
        raise ApiError(404, "not_found", "No such referral.") from None
    referral = Referral.objects.filter(organisation=credential.organisation, credential=credential, uuid=wanted).first()
    if referral is not None:
        return 200, _state(referral)
    purged = PurgedReferral.objects.filter(organisation=credential.organisation, credential=credential, uuid=wanted).first()
    if purged is not None:
        return 200, {"id": str(purged.uuid), "outcome": "withdrawn", "received_at": purged.received_at.isoformat()}
    raise ApiError(404, "not_found", "No such referral.")


@api_call("POST")
def updates(credential: ApiCredential, request: HttpRequest, kwargs: Any) -> tuple[int, dict[str, Any]]:
    try:
        referral, applied = police.update(credential, _body(request))
    except police.MessageInvalid as exc:
        raise _invalid(exc) from None
    except police.UnknownReferral:
        raise ApiError(404, "unknown_referral", "No referral from this sender has that crime reference and person.") from None
    except police.OutOfOrder:
        raise ApiError(409, "out_of_order", "A later update on this referral has already been applied; this one was not.") from None
    return 200, {**_state(referral), "applied": applied}


@api_call("POST")
def withdrawals(credential: ApiCredential, request: HttpRequest, kwargs: Any) -> tuple[int, dict[str, Any]]:
    try:
        purged = police.withdraw(credential, _body(request))
    except police.MessageInvalid as exc:
        raise _invalid(exc) from None
    except police.UnknownReferral:
        raise ApiError(404, "unknown_referral", "No referral from this sender has that crime reference and person.") from None
    return 200, {"id": str(purged.uuid), "outcome": "withdrawn", "received_at": purged.received_at.isoformat()}


def openapi_document(request: HttpRequest) -> JsonResponse:
    """The OpenAPI 3 document, generated from the same field tables that validate the messages."""
    return _json(200, document())
