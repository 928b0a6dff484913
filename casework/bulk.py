"""New police referrals from a daily file, stored a batch at a time (casework/feed.py).

Each row is validated and checked against the refusal rules on its own, exactly as :func:`services.referral_store`
does; the good new rows of a batch are then written together in one transaction (clients, referrals, their blind
index, their audit rows), so a row is either wholly stored or not at all, and a 100 000-row file takes a minute
rather than an hour (benchmarks/intake.py). Rows whose natural key is already stored, or appears earlier in the
batch, are repeats. Should the batch meet a referral stored meanwhile by the API (the unique natural key), it is
rolled back whole and its rows are stored one by one instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.models import AuditEvent
from casework import index, services
from casework.models import IndexEntry, IndexKind, Referral
from organisations.models import ApiCredential


@dataclass
class Item:
    """One referral row of a batch: its input and natural key; after :func:`store_many`, ``created`` (True, or
    False for a repeat) or ``error`` (a ValidationError or a ReferralRefused)."""

    data: services.ReferralInput
    natural_key: str
    created: bool | None = None
    error: Exception | None = None


def store_many(credential: ApiCredential, items: list[Item]) -> None:
    org = credential.organisation
    now = timezone.now()
    fresh: dict[str, tuple[Item, bool, bool]] = {}
    for item in items:
        try:
            domestic, sexual = services.referral_check(organisation=org, data=item.data, now=now)
        except (ValidationError, services.ReferralRefused) as exc:
            item.error = exc
            continue
        if item.natural_key in fresh:
            item.created = False
        else:
            fresh[item.natural_key] = (item, domestic, sexual)
    # ``natural_key != ""`` lets SQLite use the partial unique index (organisation, natural_key) instead of walking
    # every referral of the organisation (a tenth of a second a batch at 100 000 referrals).
    known = Referral.objects.filter(organisation=org, natural_key__in=list(fresh)).exclude(natural_key="")
    stored = set(known.values_list("natural_key", flat=True))
    todo = []
    for key, (item, domestic, sexual) in fresh.items():
        if key in stored:
            item.created = False
        else:
            todo.append((item, domestic, sexual))
    if not todo:
        return
    try:
        _write(credential, todo, now)
    except IntegrityError:
        for item, _, _ in todo:
            try:
                _, item.created = services.referral_store(organisation=org, data=item.data, credential=credential, natural_key=item.natural_key)
            except (ValidationError, services.ReferralRefused) as exc:
                item.error = exc


@transaction.atomic
def _write(credential: ApiCredential, todo: list[tuple[Item, bool, bool]], now: object) -> None:
    org = credential.organisation
    clients = [services.client_build(org, item.data) for item, _, _ in todo]
    insert_objects(clients)
    referrals = [
        services.referral_build(org, client, item.data, now, membership=None, credential=credential, natural_key=item.natural_key, domestic=d, sexual=s)  # type: ignore[arg-type]
        for client, (item, d, s) in zip(clients, todo, strict=True)
    ]
    insert_objects(referrals)
    entries = [(org.pk, c.pk, None, str(k), t) for c in clients for k, t in index.client_tokens(c)]
    suspects = {}
    for r in referrals:
        if token := index.name_token(org, r.suspect_name):
            suspects[r.pk] = token
            entries.append((org.pk, r.client_id, r.pk, IndexKind.SUSPECT_NAME.value, token))
    insert_rows(IndexEntry, ("organisation_id", "client_id", "referral_id", "kind", "token"), entries)
    at = AuditEvent._meta.get_field("at").get_db_prep_save(timezone.now(), connections[DEFAULT_DB_ALIAS])
    action = AuditAction.REFERRAL_RECORDED.value
    insert_rows(
        AuditEvent,
        ("at", "actor_id", "case_id", "organisation_id", "client_id", "action", "target", "by_owner"),
        [(at, None, None, org.pk, r.client_id, action, f"referral {r.pk} ({r.source})"[:128], False) for r in referrals],
    )
    for referral in index.batch_counter_suspects(org, referrals, suspects):
        services.counter_referral_alerts(None, referral)
    for item, _, _ in todo:
        item.created = True


# Fields whose Python value is already the value stored (no conversion by the database backend).
_PLAIN = (models.CharField, models.TextField, models.BooleanField, models.IntegerField, models.BigIntegerField, models.PositiveIntegerField, models.ForeignKey)
# Fields that store an absent value (None) as NULL, without asking the backend.
_NULLABLE = (models.DateTimeField, models.DateField, models.UUIDField, models.BinaryField)
_PLAIN_VALUE, _NONE_IS_NULL, _CONVERTED = 0, 1, 2


def insert_objects(objs: list[models.Model]) -> None:
    """Insert new model instances of one model (with an automatic primary key) and set their keys, as
    ``bulk_create`` does but without its per-value SQL compilation (a fifth of a daily file's time): one
    multi-row INSERT ... RETURNING per chunk. Falls back to ``bulk_create`` where RETURNING is not supported."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    connection = connections[DEFAULT_DB_ALIAS]  # the backend itself, not the proxy (read once per value)
    if not connection.features.can_return_rows_from_bulk_insert:
        model.objects.bulk_create(objs)  # type: ignore[attr-defined]
        return
    fields = [f for f in meta.local_concrete_fields if f is not meta.pk]
    kinds = [_PLAIN_VALUE if type(f) in _PLAIN else _NONE_IS_NULL if type(f) in _NULLABLE else _CONVERTED for f in fields]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    rows = []
    for obj in objs:
        row = []
        for f, kind in zip(fields, kinds, strict=True):
            if kind == _PLAIN_VALUE:
                row.append(getattr(obj, f.attname))
                continue
            value = f.pre_save(obj, True)
            row.append(None if value is None and kind == _NONE_IS_NULL else f.get_db_prep_save(value, connection))
        rows.append(row)
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, connection.ops.bulk_batch_size(fields, objs))
    pks: list[object] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES {', '.join([one] * len(chunk))} RETURNING {qn(meta.pk.column)}"  # noqa: S608
            cursor.execute(sql, [v for row in chunk for v in row])  # names from the model, values as parameters
            pks.extend(r[0] for r in cursor.fetchall())
    if len(pks) != len(objs):
        raise RuntimeError("insert returned the wrong number of keys")
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_rows(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain rows (values already as stored, by field attname) into ``model``'s table with one executemany."""
    if not rows:
        return
    meta = model._meta
    connection = connections[DEFAULT_DB_ALIAS]
    qn = connection.ops.quote_name
    cols = ", ".join(qn(meta.get_field(c.removesuffix("_id")).column) for c in columns)
    sql = f"INSERT INTO {qn(meta.db_table)} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 (names from the model)
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
