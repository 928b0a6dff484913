"""The OpenAPI 3.0 document of the police referral API, generated from casework/police.py's field tables (the
same ones that validate every message), so the document cannot drift from the implementation."""

from __future__ import annotations

from typing import Any

from casework import police

ERROR_CODES: dict[str, str] = {
    "invalid_json": "The body is not a JSON object in UTF-8.",
    "invalid_idempotency_key": "The Idempotency-Key header is malformed.",
    "unauthorised": "No credential, or one that is unknown, rotated or revoked.",
    "not_found": "No such referral for this credential (also for another sender's ids).",
    "unknown_referral": "No referral from this sender has that crime reference and person.",
    "method_not_allowed": "The method is not allowed on this path.",
    "out_of_order": "A later update on this referral has already been applied.",
    "too_large": "The body is over the size limit.",
    "unsupported_media_type": "The body is not application/json.",
    "invalid": "Field-level errors in `fields`; nothing was stored.",
    "refused": "The referral may not be taken (opted out, or domestic abuse or a sexual offence without explicit consent); nothing was stored.",
    "idempotency_key_reused": "The Idempotency-Key was used before for a different request.",
    "rate_limited": "Too many calls this minute; see Retry-After.",
}

PATTERNS = {"crime_reference": police.CRIME_REFERENCE.pattern}


def field_schema(f: police.Field) -> dict[str, Any]:
    if f.kind == "bool":
        return {"type": "boolean", "description": f.description}
    if f.kind in ("choices", "texts"):
        items: dict[str, Any] = {"type": "string", "enum": list(f.choices)} if f.choices else {"type": "string", "maxLength": f.max_length}
        return {"type": "array", "items": items, "maxItems": 20, "description": f.description}
    if f.kind == "choice":
        return {"type": "string", "enum": list(f.choices), "description": f.description}
    if f.kind == "date":
        return {"type": "string", "format": "date", "description": f.description}
    if f.kind == "datetime":
        return {"type": "string", "format": "date-time", "description": f.description}
    schema: dict[str, Any] = {"type": "string", "maxLength": f.max_length, "description": f.description}
    if f.required:
        schema["minLength"] = 1
    if f.name in PATTERNS:
        schema["pattern"] = PATTERNS[f.name]
    return schema


def message_schema(fields: tuple[police.Field, ...], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        "required": [f.name for f in fields if f.required],
        "properties": {f.name: field_schema(f) for f in fields},
    }


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _ok(description: str, ref: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


COMMON_ERRORS = {
    "401": _error("No valid credential."),
    "405": _error("Method not allowed."),
    "413": _error("Body too large."),
    "429": _error("Rate limit reached (see Retry-After)."),
}
POST_ERRORS = {
    **COMMON_ERRORS,
    "400": _error("Not a JSON object, or a malformed Idempotency-Key."),
    "415": _error("Not application/json."),
    "422": _error("Field errors, a refused referral, or a reused Idempotency-Key."),
}


def _post(summary: str, schema: str, responses: dict[str, Any]) -> dict[str, Any]:
    return {
        "summary": summary,
        "parameters": [{"$ref": "#/components/parameters/IdempotencyKey"}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}},
        "responses": {**responses, **POST_ERRORS},
    }


def _with_flag(state: dict[str, Any], flag: str) -> dict[str, Any]:
    return {**state, "required": [*state["required"], flag], "properties": {**state["properties"], flag: {"type": "boolean"}}}


def document() -> dict[str, Any]:
    state = {
        "type": "object",
        "required": ["id", "outcome", "received_at"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "outcome": {
                "type": "string",
                "enum": list(police.OUTCOMES),
                "description": "could_not_be_reached: the service's own number of first-contact attempts failed (an organisation setting).",
            },
            "received_at": {"type": "string", "format": "date-time"},
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Daybook police referral API",
            "version": "1.0.0",
            "description": (
                "Referrals, updates and late opt-outs from a police force to one receiving service, under a named "
                "data-sharing agreement. Authenticate with 'Authorization: Bearer <token>' (a credential issued by the "
                "service's organisation admin). Every error is the Error object. Bodies are limited to 64 KiB; calls "
                "are rate-limited per credential (429 with Retry-After). POSTs are idempotent with an "
                "Idempotency-Key header, and referrals also by their natural key (force, crime reference, person)."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/referrals": {
                "post": _post(
                    "Send a referral (a repeat of the same crime reference and person returns the first).",
                    "Referral",
                    {"201": _ok("Stored.", "ReferralCreated"), "200": _ok("Already stored (natural key or Idempotency-Key).", "ReferralCreated")},
                ),
                "get": {
                    "summary": "This credential's referrals and what became of each.",
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
                        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
                    ],
                    "responses": {"200": _ok("A page of outcomes.", "ReferralPage"), "422": _error("Bad limit or offset."), **COMMON_ERRORS},
                },
            },
            "/referrals/{id}": {
                "get": {
                    "summary": "What became of one referral this credential sent.",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": _ok("Its outcome.", "ReferralState"), "404": _error("Not found (also another sender's id)."), **COMMON_ERRORS},
                },
            },
            "/updates": {
                "post": _post(
                    "A later message on the same crime reference and person.",
                    "Update",
                    {
                        "200": _ok("Applied, or a replay of one already applied (applied: false).", "UpdateApplied"),
                        "404": _error("No such referral."),
                        "409": _error("Out of order: a later update was applied."),
                    },
                ),
            },
            "/withdrawals": {
                "post": _post(
                    "A late opt-out: the referral's content is purged; a record without content remains.",
                    "Withdrawal",
                    {"200": _ok("Purged.", "ReferralState"), "404": _error("No such referral.")},
                ),
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "parameters": {
                "IdempotencyKey": {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:\\-]{1,100}$"},
                    "description": "The same key with the same body returns the first answer; with another body, 422.",
                }
            },
            "schemas": {
                "Referral": message_schema(police.REFERRAL_FIELDS, "A police referral. The force is the credential's."),
                "Update": message_schema(police.UPDATE_FIELDS, "An update, found by crime reference and person."),
                "Withdrawal": message_schema(police.WITHDRAWAL_FIELDS, "A late opt-out, found by crime reference and person."),
                "ReferralState": state,
                "ReferralCreated": _with_flag(state, "created"),
                "UpdateApplied": _with_flag(state, "applied"),
                "ReferralPage": {
                    "type": "object",
                    "required": ["referrals", "next_offset"],
                    "properties": {"referrals": {"type": "array", "items": state}, "next_offset": {"type": "integer", "nullable": True}},
                },
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message", "fields"],
                            "properties": {
                                "code": {"type": "string", "enum": list(ERROR_CODES), "description": "; ".join(f"{k}: {v}" for k, v in ERROR_CODES.items())},
                                "message": {"type": "string"},
                                "fields": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Field name to message."},
                            },
                        }
                    },
                },
            },
        },
    }
