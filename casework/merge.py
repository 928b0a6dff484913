"""Merging duplicate client records (design 3.2): only a person decides, it is recorded, and it can be undone.

Nothing is moved or re-sealed (each record keeps its own data key): the merged record points at the kept one
(``Client.merged_into``), drops out of lists and duplicate hints, and its referrals are shown on the kept record.
Undoing the merge clears the pointer, so both records are exactly as they were."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record_staff
from casework.models import Client, ClientMerge, Referral
from organisations.access import Staff

MIN_REASON = 5


@transaction.atomic
def client_merge(*, staff: Staff, kept: Client, merged: Client, reason: str) -> ClientMerge:
    org = staff.organisation
    if kept.organisation_id != org.pk or merged.organisation_id != org.pk or kept.pk == merged.pk:
        raise ValidationError({"other": "Choose another record of your organisation."})
    if kept.merged_into_id or merged.merged_into_id:
        raise ValidationError({"other": "One of these records is already merged into another. Undo that merge first."})
    if merged.merged_from.exists():
        raise ValidationError({"other": "Other records are merged into this one. Merge the other way round, or undo those merges first."})
    if kept.restricted != merged.restricted:
        raise ValidationError({"other": "One record is restricted and the other is not: a team lead must decide the restriction first."})
    if len(reason.strip()) < MIN_REASON:
        raise ValidationError({"reason": "Say why these are the same person."})
    Client.objects.filter(pk=merged.pk).update(merged_into=kept)
    merge = ClientMerge.objects.create(organisation=org, kept=kept, merged=merged, by=staff.membership)
    record_staff(staff.user, AuditAction.CLIENT_MERGED, organisation=org, client=kept, target=f"client {merged.pk} into {kept.pk} (merge {merge.pk})")
    return merge


@transaction.atomic
def client_unmerge(*, staff: Staff, merge: ClientMerge) -> ClientMerge:
    if merge.organisation_id != staff.organisation.pk:
        raise ValidationError("Choose a merge of your organisation.")
    merge = ClientMerge.objects.select_for_update().select_related("kept").get(pk=merge.pk)
    if merge.undone_at:
        raise ValidationError("This merge has already been undone.")
    Client.objects.filter(pk=merge.merged_id, merged_into=merge.kept_id).update(merged_into=None)
    merge.undone_at = timezone.now()
    merge.undone_by = staff.membership
    merge.save(update_fields=["undone_at", "undone_by"])
    record_staff(staff.user, AuditAction.CLIENT_UNMERGED, organisation=staff.organisation, client=merge.kept, target=f"merge {merge.pk} undone")
    return merge


def referrals_of(client: Client) -> QuerySet[Referral]:
    """The client's referrals with those of records merged into it."""
    return Referral.objects.filter(client__in=[client.pk, *client.merged_from.values_list("pk", flat=True)]).select_related("client", "client__organisation")


def open_merges(client: Client) -> QuerySet[ClientMerge]:
    return ClientMerge.objects.filter(kept=client, undone_at__isnull=True).select_related("merged")
