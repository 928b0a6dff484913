"""Thin views of commissioners' returns: the page (tables and charts) and the CSV."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.actions import AuditAction
from audit.services import record_staff
from governance import facts, returns
from kernel.localtime import today
from organisations.access import Can, Staff, staff_view


def _period(request: HttpRequest) -> tuple[dt.date, dt.date, str]:
    """The period asked for: ``quarter=2026-Q2``, or ``start`` and ``end`` dates; by default the last full quarter."""
    start_text, end_text = request.GET.get("start", "").strip(), request.GET.get("end", "").strip()
    if start_text or end_text:
        try:
            start, end = dt.date.fromisoformat(start_text[:10]), dt.date.fromisoformat(end_text[:10])
        except ValueError:
            raise returns.PeriodError("Give the start and end of the period as dates, for example 2026-04-01.") from None
        returns.check_period(start, end)
        return start, end, ""
    quarter = request.GET.get("quarter", "")[:10] or returns.last_quarter(today())
    start, end = returns.quarter_bounds(quarter)
    return start, end, quarter


def _quarters(now: dt.date) -> list[str]:
    out, q = [], returns.last_quarter(now)
    for _ in range(8):
        out.append(q)
        year, n = int(q[:4]), int(q[-1])
        q = f"{year - 1}-Q4" if n == 1 else f"{year}-Q{n - 1}"
    return out


@staff_view(Can.SEE_RETURNS)
@require_GET
def return_page(request: HttpRequest) -> HttpResponse:
    staff: Staff = request.staff  # type: ignore[attr-defined]
    context: dict[str, object] = {"staff": staff, "quarters": _quarters(today())}
    try:
        start, end, quarter = _period(request)
        facts.catch_up(staff.organisation.pk)
        ret = returns.build(staff.organisation.pk, start, end)
    except returns.PeriodError as exc:
        context["error"] = str(exc)
        return render(request, "governance/return.html", context, status=400)
    record_staff(staff.user, AuditAction.RETURN_VIEWED, organisation=staff.organisation, target=f"{start} to {end}")
    context.update(ret=ret, quarter=quarter, charts=[(s, s.chart()) for s in ret.sections], query=request.GET.urlencode())
    return render(request, "governance/return.html", context)


@staff_view(Can.SEE_RETURNS)
@require_GET
def return_csv(request: HttpRequest) -> HttpResponse:
    staff: Staff = request.staff  # type: ignore[attr-defined]
    try:
        start, end, _ = _period(request)
        facts.catch_up(staff.organisation.pk)
        ret = returns.build(staff.organisation.pk, start, end)
    except returns.PeriodError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    record_staff(staff.user, AuditAction.RETURN_DOWNLOADED, organisation=staff.organisation, target=f"{start} to {end}")
    response = HttpResponse(returns.as_csv(ret, staff.organisation.name), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="return-{start}-{end}.csv"'
    return response
