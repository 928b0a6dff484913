"""Which rows belong to a case, written out and read back exactly as stored.

A case's rows are exported as they are in the database (sealed columns still sealed, bound to their row's uuid and
purpose, which do not change) together with the case's data key, so that a loaded case opens with the same key and
every chain entry (bound to the case's uuid) verifies unchanged. Database ids are not kept: every foreign key is
mapped to the id the row gets in the Daybook that loads it.

``PLAN`` lists every model exported, in the order rows are inserted (a row's targets before it); ``LEFT_OUT`` the
models that hold a case's rows but are not carried (work in progress, and links to a service on this Daybook only).
``tests/test_takeout.py`` fails when a model refers to a case and is in neither list.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models

from kernel.sealed import Sealed


@dataclass(frozen=True)
class Part:
    label: str  # "app.Model"
    lookup: str  # the path from the model to the case
    where: tuple[tuple[str, Any], ...] = ()  # extra filters (original blobs only)

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    def rows(self, case: Any) -> models.QuerySet[Any]:
        return self.model._base_manager.filter(**{self.lookup: case.pk}, **dict(self.where)).order_by("pk")


PLAN: list[Part] = [
    Part("cases.Case", "pk"),
    Part("cases.CrimeReference", "case"),
    Part("cases.Order", "case"),
    Part("diary.Incident", "case"),
    Part("diary.IncidentVersion", "incident__case"),
    Part("diary.IncidentBehaviour", "case"),
    Part("diary.SearchToken", "case"),
    Part("diary.WeekCount", "case"),
    Part("evidence.Blob", "case", (("purpose", "original"), ("status", "complete"))),
    Part("evidence.Exhibit", "case"),
    Part("evidence.ExhibitEvent", "exhibit__case"),
    Part("evidence.ExhibitLink", "case"),
    Part("imports.Import", "case"),
    Part("imports.ImportDay", "case"),
    Part("imports.ImportedItem", "case"),
    Part("imports.ImportedMedia", "case"),
    Part("insights.Screening", "case"),
    Part("circle.TrustedContact", "case"),
    Part("circle.Sighting", "case"),
    Part("chain.ChainEntry", "case"),
    Part("audit.AuditEvent", "case", (("organisation__isnull", True),)),
]

# Held for a case but not carried: unfinished uploads, integrity-check runs, reports and their hand-over links
# (the PDFs are in the export to read; a report is made again where the case is loaded), and shares with a
# service, which exist only on the Daybook that hosts that service.
LEFT_OUT = {
    "diary.IntegrityCheck",
    "evidence.UploadSession",
    "evidence.UploadPart",
    "reports.Report",
    "reports.Handover",
    "reports.HandoverDownload",
    "circle.Share",
    "circle.LinkCode",
    "circle.KeptCopy",
}

LABELS = {part.label for part in PLAN}


def part_for(label: str) -> Part | None:
    return next((part for part in PLAN if part.label == label), None)


def fields_of(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields]


def _plain(value: Any) -> Any:
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        return {"b64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value


def dump(part: Part, case: Any) -> Iterator[dict[str, Any]]:
    """Every row of ``part`` in ``case``, as a JSON-ready dict of column (attname) to stored value."""
    names = [f.attname for f in fields_of(part.model)]
    for row in part.rows(case).values(*names).iterator(chunk_size=2000):
        yield {name: _plain(row[name]) for name in names}


def line(row: dict[str, Any]) -> bytes:
    return (json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def from_plain(field: models.Field[Any, Any], value: Any) -> Any:
    """A stored value back from its JSON form; ValueError when it cannot be the column's type."""
    if value is None:
        return None
    if isinstance(value, dict) and set(value) == {"b64"}:
        return base64.b64decode(value["b64"], validate=True)
    if isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.DateTimeField):
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None and settings.USE_TZ:
            raise ValueError("a time without its zone")
        return parsed
    if isinstance(field, models.DateField):
        return dt.date.fromisoformat(value)
    if isinstance(field, models.TimeField):
        return dt.time.fromisoformat(value)
    return field.to_python(value)


def sealed_names(model: type[models.Model]) -> list[str]:
    names: list[str] = []
    for klass in model.__mro__:
        for name, attr in vars(klass).items():
            if isinstance(attr, Sealed) and name not in names:
                names.append(name)
    return names


def readable(obj: Any) -> dict[str, Any]:
    """A row for a person to read: its plain columns and its sealed text opened (no sealed columns, no keys)."""
    model = type(obj)
    out: dict[str, Any] = {}
    sealed_columns = {getattr(model, name).column for name in sealed_names(model)}
    for f in fields_of(model):
        if f.attname in sealed_columns or f.attname in {"wrapped_key", "key_id"} or isinstance(f, models.BinaryField):
            continue
        out[f.attname] = _plain(f.value_from_object(obj))
    for name in sealed_names(model):
        out[name] = getattr(obj, name)
    return out
