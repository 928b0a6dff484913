"""Thin views of retention: the review list and deletions log, deleting one record, and the settings."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.actions import AuditAction
from audit.services import record_staff
from casework.policy import client_in_org
from governance import retention
from governance.closure import settings_for
from governance.models import Deletion, GovernanceSettings
from kernel.localtime import today
from organisations.access import Can, Staff, staff_view


class SettingsForm(forms.ModelForm):
    class Meta:
        model = GovernanceSettings
        fields = ["closure_needs_approval", "keep_client_years", "keep_justice_years", "keep_safeguarding_years"]
        labels = {
            "closure_needs_approval": "A closure needs a team lead's approval",
            "keep_client_years": "Keep a client record for (years after closure)",
            "keep_justice_years": "Keep a record with orders, court dates or onward referrals for (years)",
            "keep_safeguarding_years": "Keep a record with safeguarding concerns for (years)",
        }

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        years = [data.get(k) for k in ("keep_client_years", "keep_justice_years", "keep_safeguarding_years")]
        if any(y is not None and not 1 <= int(y) <= 100 for y in years):  # type: ignore[call-overload]
            raise ValidationError("Give each period as 1 to 100 years.")
        if None not in years and int(years[2]) < max(int(years[0]), int(years[1])):  # type: ignore[call-overload, arg-type]
            self.add_error("keep_safeguarding_years", "Safeguarding records are kept at least as long as any other record.")
        return data


@staff_view(Can.MANAGE_RETENTION)
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    staff: Staff = request.staff  # type: ignore[attr-defined]
    items = retention.review_list(staff.organisation, today())
    record_staff(staff.user, AuditAction.RETENTION_REVIEWED, organisation=staff.organisation, target=f"{len(items)} records")
    deletions = Deletion.objects.filter(organisation=staff.organisation)[:200]
    return render(request, "governance/retention.html", {"staff": staff, "review_items": items, "deletions": deletions, "types": retention.RECORD_TYPES})


@staff_view(Can.MANAGE_RETENTION)
@require_POST
def delete(request: HttpRequest, client_id: int) -> HttpResponse:
    staff: Staff = request.staff  # type: ignore[attr-defined]
    client = client_in_org(staff, client_id)
    if request.POST.get("confirm", "").strip().upper() != client.reference:
        messages.error(request, f"Type the record's reference ({client.reference}) to confirm: nothing was deleted.")
        return redirect("gov_retention", slug=staff.organisation.slug)
    try:
        done = retention.delete_client(staff=staff, client=client, today=today())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{done.reference} deleted: its key was destroyed and {done.rows_removed} rows removed.")
    return redirect("gov_retention", slug=staff.organisation.slug)


@staff_view(Can.MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    staff: Staff = request.staff  # type: ignore[attr-defined]
    current = settings_for(staff.organisation)
    form = SettingsForm(request.POST if request.method == "POST" else None, instance=current)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Settings saved.")
            return redirect("gov_settings", slug=staff.organisation.slug)
        return render(request, "governance/settings.html", {"staff": staff, "form": form}, status=400)
    return render(request, "governance/settings.html", {"staff": staff, "form": form})
