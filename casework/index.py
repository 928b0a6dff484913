"""The blind index of clients and suspects, duplicate hints and the counter-referral check.

Tokens are keyed hashes (organisations/keys.py) of normalised values (organisations/normalise.py). Matches are
only ever shown as hints or raised as alerts; nothing is linked or merged automatically."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from casework.models import Client, ClientStatus, IndexEntry, IndexKind, Referral
from organisations.models import Organisation
from organisations.normalise import normal_date, normal_email, normal_name, normal_phone


def client_tokens(client: Client) -> list[tuple[str, str]]:
    org = client.organisation
    out: list[tuple[str, str]] = []
    if name := normal_name(client.full_name):
        out.append((IndexKind.NAME, org.blind_token(IndexKind.NAME, name)))
    if dob := normal_date(client.date_of_birth):
        out.append((IndexKind.DATE_OF_BIRTH, org.blind_token(IndexKind.DATE_OF_BIRTH, dob)))
    for number in client.phones or []:
        if phone := normal_phone(number):
            out.append((IndexKind.PHONE, org.blind_token(IndexKind.PHONE, phone)))
    if email := normal_email(client.email):
        out.append((IndexKind.EMAIL, org.blind_token(IndexKind.EMAIL, email)))
    return sorted(set(out))


def name_token(org: Organisation, name: str) -> str:
    normal = normal_name(name)
    return org.blind_token(IndexKind.NAME, normal) if normal else ""


def index_client(client: Client) -> None:
    IndexEntry.objects.filter(client=client, referral__isnull=True).delete()
    IndexEntry.objects.bulk_create([IndexEntry(organisation=client.organisation, client=client, kind=k, token=t) for k, t in client_tokens(client)])


def index_suspect(referral: Referral) -> None:
    """The suspect's name, under the same key and normalisation as names, so it can be compared with people."""
    IndexEntry.objects.filter(referral=referral).delete()
    token = name_token(referral.organisation, referral.suspect_name)
    if token:
        IndexEntry.objects.create(organisation=referral.organisation, client=referral.client, referral=referral, kind=IndexKind.SUSPECT_NAME, token=token)


@dataclass(frozen=True)
class DuplicateHint:
    client: Client
    reasons: tuple[str, ...]


REASON_WORDS = {IndexKind.NAME: "name", IndexKind.DATE_OF_BIRTH: "date of birth", IndexKind.PHONE: "phone number", IndexKind.EMAIL: "e-mail address"}
# Either of these alone makes a possible duplicate; a name only with the date of birth.
ALONE = (IndexKind.PHONE, IndexKind.EMAIL)


def duplicate_hints(client: Client) -> list[DuplicateHint]:
    """Other clients of the organisation sharing a phone number or an e-mail address, or the name with the date of birth."""
    mine = client_tokens(client)
    if not mine:
        return []
    matches: dict[int, set[str]] = defaultdict(set)
    tokens = [t for _, t in mine]
    kinds = {t: k for k, t in mine}
    rows = (
        IndexEntry.objects.filter(organisation=client.organisation, referral__isnull=True, token__in=tokens)
        .exclude(client=client)
        .values_list("client_id", "token", "kind")
    )
    for client_id, token, kind in rows:
        if kinds.get(token) == kind:
            matches[client_id].add(kind)
    wanted = [cid for cid, ks in matches.items() if ks & set(ALONE) or {IndexKind.NAME, IndexKind.DATE_OF_BIRTH} <= ks]
    found = Client.objects.filter(pk__in=wanted, merged_into__isnull=True).exclude(merged_into=client).select_related("organisation").order_by("pk")
    return [DuplicateHint(c, tuple(REASON_WORDS[k] for k in REASON_WORDS if k in matches[c.pk])) for c in found]


def possible_duplicates(org: Organisation, client_ids: list[int]) -> set[int]:
    """Which of these clients (a page of the triage queue) may be the same person as another unmerged client of
    the organisation: a shared phone number or e-mail address, or the name with the date of birth (the same rule as
    :func:`duplicate_hints`). A few small queries whatever the organisation's size: each phone or e-mail entry asks
    only whether one other client has it (EXISTS stops at the first)."""
    if not client_ids:
        return set()
    # Read by primary key and client id only: with a filter on the organisation or on ``referral IS NULL`` SQLite
    # would walk that index instead, through every entry of the organisation (benchmarks/intake.py).
    own = set(Client.objects.filter(pk__in=client_ids, organisation=org).order_by().values_list("pk", flat=True))
    rows = [r for r in IndexEntry.objects.filter(client_id__in=own).values_list("pk", "client_id", "kind", "token", "referral_id") if r[4] is None]
    other = IndexEntry.objects.filter(
        organisation=org, referral__isnull=True, kind=OuterRef("kind"), token=OuterRef("token"), client__merged_into__isnull=True
    ).exclude(client_id=OuterRef("client_id"))
    alone = [pk for pk, _, kind, _, _ in rows if kind in ALONE]
    found = set(IndexEntry.objects.filter(pk__in=alone).filter(Exists(other)).values_list("client_id", flat=True)) if alone else set()
    # The name with the date of birth: other clients born the same day (few), then whether one has the same name.
    tokens: dict[int, dict[str, str]] = defaultdict(dict)
    for _, client_id, kind, token, _ in rows:
        if kind in (IndexKind.NAME, IndexKind.DATE_OF_BIRTH):
            tokens[client_id][kind] = token
    both = {cid: t for cid, t in tokens.items() if cid not in found and len(t) == 2}
    if not both:
        return found
    born = defaultdict(set)
    days = {t[IndexKind.DATE_OF_BIRTH] for t in both.values()}
    for client_id, token in (
        IndexEntry.objects.filter(organisation=org, referral__isnull=True, kind=IndexKind.DATE_OF_BIRTH, token__in=days)
        .filter(client__merged_into__isnull=True)
        .values_list("client_id", "token")
    ):
        born[token].add(client_id)
    candidates = {cid for ids in born.values() for cid in ids}
    names = defaultdict(set)
    named = IndexEntry.objects.filter(client_id__in=candidates, kind=IndexKind.NAME).values_list("client_id", "token", "referral_id")
    for client_id, token, referral_id in named:
        if referral_id is None:
            names[token].add(client_id)
    for cid, t in both.items():
        if (born[t[IndexKind.DATE_OF_BIRTH]] & names[t[IndexKind.NAME]]) - {cid}:
            found.add(cid)
    return found


def clients_named_as_suspect(referral: Referral) -> list[Client]:
    """Current clients (open) whose name is the suspect's name on this referral."""
    token = name_token(referral.organisation, referral.suspect_name)
    if not token:
        return []
    ids = (
        IndexEntry.objects.filter(organisation=referral.organisation, kind=IndexKind.NAME, token=token, referral__isnull=True)
        .exclude(client=referral.client)
        .values("client_id")
    )
    return list(Client.objects.filter(pk__in=ids, status=ClientStatus.OPEN).order_by("pk"))


def referrals_with_person_as_suspect(referral: Referral) -> list[Referral]:
    """Other referrals that name this referral's person as their suspect (a counter-allegation or impersonation)."""
    token = name_token(referral.organisation, referral.client.full_name)
    if not token:
        return []
    ids = (
        IndexEntry.objects.filter(organisation=referral.organisation, kind=IndexKind.SUSPECT_NAME, token=token)
        .exclude(client=referral.client)
        .values("referral_id")
    )
    return list(Referral.objects.filter(pk__in=ids).order_by("pk"))


def search(org: Organisation, *, name: str = "", date_of_birth: str = "", phone: str = "") -> list[int]:
    """Client ids matching every given value exactly (after normalisation)."""
    wanted: list[tuple[str, str]] = []
    if name and (n := normal_name(name)):
        wanted.append((IndexKind.NAME, org.blind_token(IndexKind.NAME, n)))
    if date_of_birth and (d := normal_date(date_of_birth)):
        wanted.append((IndexKind.DATE_OF_BIRTH, org.blind_token(IndexKind.DATE_OF_BIRTH, d)))
    if phone and (p := normal_phone(phone)):
        wanted.append((IndexKind.PHONE, org.blind_token(IndexKind.PHONE, p)))
    if not wanted:
        return []
    result: set[int] | None = None
    for kind, token in wanted:
        ids = set(IndexEntry.objects.filter(organisation=org, kind=kind, token=token, referral__isnull=True).values_list("client_id", flat=True))
        result = ids if result is None else result & ids
    return sorted(result or [])


def batch_counter_suspects(org: Organisation, referrals: list[Referral], suspects: dict[int, str]) -> list[Referral]:
    """Of a batch just indexed, the referrals that may raise a counter-referral alert (casework/services.py
    ``counter_referral_alerts`` then checks each precisely): two queries for the whole batch instead of two a row."""
    person = {r.pk: name_token(org, r.client.full_name) for r in referrals}
    named = set(
        IndexEntry.objects.filter(
            organisation=org, kind=IndexKind.NAME, token__in=set(suspects.values()), referral__isnull=True, client__status=ClientStatus.OPEN
        ).values_list("token", flat=True)
    )
    accused = set(
        IndexEntry.objects.filter(organisation=org, kind=IndexKind.SUSPECT_NAME, token__in=set(person.values()) - {""}).values_list("token", flat=True)
    )
    return [r for r in referrals if suspects.get(r.pk) in named or (person[r.pk] and person[r.pk] in accused and _accused_elsewhere(r, person[r.pk]))]


def _accused_elsewhere(referral: Referral, token: str) -> bool:
    return IndexEntry.objects.filter(organisation=referral.organisation, kind=IndexKind.SUSPECT_NAME, token=token).exclude(client=referral.client).exists()
