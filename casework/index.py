"""The blind index of clients and suspects, duplicate hints and the counter-referral check.

Tokens are keyed hashes (organisations/keys.py) of normalised values (organisations/normalise.py). Matches are
only ever shown as hints or raised as alerts; nothing is linked or merged automatically."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from casework.models import Client, ClientStatus, IndexEntry, IndexKind, Referral
from organisations.models import Organisation
from organisations.normalise import normal_date, normal_name, normal_phone


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


REASON_WORDS = {IndexKind.NAME: "name", IndexKind.DATE_OF_BIRTH: "date of birth", IndexKind.PHONE: "phone number"}


def duplicate_hints(client: Client) -> list[DuplicateHint]:
    """Other clients of the organisation sharing a phone number, or the name with the date of birth."""
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
    wanted = [cid for cid, ks in matches.items() if IndexKind.PHONE in ks or {IndexKind.NAME, IndexKind.DATE_OF_BIRTH} <= ks]
    found = Client.objects.filter(pk__in=wanted).select_related("organisation").order_by("pk")
    return [DuplicateHint(c, tuple(REASON_WORDS[k] for k in (IndexKind.NAME, IndexKind.DATE_OF_BIRTH, IndexKind.PHONE) if k in matches[c.pk])) for c in found]


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
