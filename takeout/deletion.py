"""Deleting a case, or the whole account after a cooling-off period.

The order matters. First the case's data key is destroyed (its wrapped copy overwritten, committed on its own):
from that moment every sealed column and every sealed file of the case is unreadable, wherever a copy of the row
or the file may be. Then the files are removed from the storage, then the rows. What stays is a
:class:`~takeout.models.Deletion` row: which kind of thing, when, and the ids it had; never any content.

A case is deleted at once (the passphrase again). The whole account waits ``DAYBOOK_DELETION_COOLING_DAYS``
(default 7): the diary may be the only copy of the evidence. The person can cancel until then (the passphrase
again); ``manage.py carry_out_deletions`` (run by the worker loop in scripts/run.sh) carries out those due.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record
from cases.models import Case
from takeout.models import AccountDeletion, Deletion, Export, Load
from vault import store

DESTROYED = b"destroyed"  # never a wrapped key: unwrapping it fails (an empty one would make a new key)


def check_passphrase(user: Any, passphrase: str) -> None:
    if not user.check_password(passphrase or ""):
        raise ValidationError({"passphrase": "That is not your passphrase"})


def cooling_days() -> int:
    return int(getattr(settings, "DAYBOOK_DELETION_COOLING_DAYS", 7))


# --- One case ---------------------------------------------------------------------------------------------------


def destroy_keys(case: Case) -> None:
    """Overwrite the case's wrapped data key (its own transaction, committed before anything else is removed)."""
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(wrapped_key=DESTROYED, key_id="destroyed")
    for name in ("_cipher", "_evidence_data_key", "_evidence_subkeys"):
        case.__dict__.pop(name, None)


def _storage_names(case: Case) -> list[str]:
    from evidence.models import Blob, UploadSession  # noqa: PLC0415 - the apps above the case, read by name only
    from reports.models import Report  # noqa: PLC0415

    names = list(Blob.objects.filter(case=case).values_list("name", flat=True))
    for report in Report.objects.filter(case=case).values("pdf_name", "bundle_name", "manifest_name"):
        names.extend(report.values())
    for upload in UploadSession.objects.filter(case=case).prefetch_related("part_rows"):
        names.extend(getattr(part, "name", "") for part in upload.part_rows.all())
    return [name for name in names if name]


def remove_files(case: Case) -> None:
    for name in _storage_names(case):
        store.delete_quietly(name)


def remove_rows(case: Case) -> None:
    """Every row of the case (protected links first, then the case and what cascades from it)."""
    from circle.models import Sighting  # noqa: PLC0415
    from evidence.models import Exhibit  # noqa: PLC0415

    with transaction.atomic():
        Sighting.objects.filter(case=case).delete()
        Exhibit.objects.filter(case=case).update(photo_of=None, original=None, preview=None)
        Case.objects.filter(pk=case.pk).delete()


def destroy_exports(owner_id: int) -> None:
    """Every export of the account holds its cases: their keys go first, then their files."""
    names = list(Export.objects.filter(owner_id=owner_id).exclude(file_name="").values_list("file_name", flat=True))
    Export.objects.filter(owner_id=owner_id).update(wrapped_key=DESTROYED, file_name="", status="expired")
    # Uploads waiting to be loaded hold cases too.
    uploads = Load.objects.filter(owner_id=owner_id).exclude(file_name="")
    names += list(uploads.values_list("file_name", flat=True))
    uploads.update(wrapped_key=DESTROYED, file_name="", status="failed")
    for name in names:
        store.delete_quietly(name)


def delete_case_now(case: Case, *, requested_at: dt.datetime | None = None, user_id: int | None = None) -> Deletion:
    """Destroy the key (and every export holding the case), then the files, then the rows; return the record that
    it happened."""
    deletion = Deletion.objects.create(
        kind="case", user_id_was=user_id or case.owner_id, case_id_was=case.pk, case_uuid_was=case.uuid, requested_at=requested_at or timezone.now()
    )
    destroy_keys(case)
    destroy_exports(case.owner_id)
    Deletion.objects.filter(pk=deletion.pk).update(keys_destroyed_at=timezone.now())
    remove_files(case)
    remove_rows(case)
    Deletion.objects.filter(pk=deletion.pk).update(carried_out_at=timezone.now())
    deletion.refresh_from_db()
    return deletion


def deleted_case(user: Any, case_id: Any) -> Deletion | None:
    """The record that ``user`` deleted the case that had id ``case_id``, if they did (for a 410)."""
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        return None
    return Deletion.objects.filter(kind="case", user_id_was=user.pk, case_id_was=pk).first()


def delete_case(*, user: Any, case: Case, passphrase: str) -> Deletion:
    """The person deletes one of their cases (the caller has checked ``case`` through the access policy)."""
    check_passphrase(user, passphrase)
    with transaction.atomic():
        record(user, AuditAction.CASE_DELETED, None, f"case {case.pk}")
    return delete_case_now(case)


# --- The whole account ------------------------------------------------------------------------------------------


def pending_for(user: Any) -> AccountDeletion | None:
    return AccountDeletion.objects.filter(owner=user, cancelled_at__isnull=True).first()


def request_account_deletion(*, user: Any, passphrase: str) -> AccountDeletion:
    check_passphrase(user, passphrase)
    with transaction.atomic():
        current = pending_for(user)
        if current is not None:
            return current
        now = timezone.now()
        pending = AccountDeletion.objects.create(owner=user, requested_at=now, due_at=now + dt.timedelta(days=cooling_days()))
        record(user, AuditAction.ACCOUNT_DELETION_REQUESTED, None, "account")
    return pending


def cancel_account_deletion(*, user: Any, passphrase: str) -> AccountDeletion | None:
    check_passphrase(user, passphrase)
    with transaction.atomic():
        pending = pending_for(user)
        if pending is None:
            return None
        AccountDeletion.objects.filter(pk=pending.pk).update(cancelled_at=timezone.now())
        record(user, AuditAction.ACCOUNT_DELETION_CANCELLED, None, "account")
    pending.refresh_from_db()
    return pending


def carry_out_account(pending: AccountDeletion) -> Deletion:
    user = pending.owner
    for case in list(Case.objects.filter(owner=user)):
        delete_case_now(case, requested_at=pending.requested_at, user_id=user.pk)
    destroy_exports(user.pk)
    record = Deletion.objects.create(kind="account", user_id_was=user.pk, requested_at=pending.requested_at, keys_destroyed_at=timezone.now())
    user.delete()
    Deletion.objects.filter(pk=record.pk).update(carried_out_at=timezone.now())
    record.refresh_from_db()
    return record


def carry_out_due(now: dt.datetime | None = None) -> int:
    """Carry out every account deletion whose cooling-off period has ended. Returns how many."""
    now = now or timezone.now()
    done = 0
    for pending in AccountDeletion.objects.filter(cancelled_at__isnull=True, due_at__lte=now).select_related("owner"):
        carry_out_account(pending)
        done += 1
    return done
