"""Client page benchmark: server time for a client's pages with 20 and with 2 000 of each kind of record.

Bar (issue 15): the time for the large client is at most 1.5x the time for the small one.

* One throwaway SQLite database (DAYBOOK_DATA_DIR in a temp folder, settings ``daybook.settings``, migrated),
  one organisation, a team lead (with two-step verification) and two clients allocated to them.
* Each client gets N (BENCH_SIZES, default 20,2000) contact attempts, status changes of the suspect (justice),
  support plan review notes, safety plan versions (each a sealed, chained snapshot) and needs assessments' worth of
  audit rows. Rows are written in bulk, sealed with the client's key, as the services would store them.
* Each client also gets N handover notes and past visits and one risk-to-staff marker (cover/).
* The pages, each through Django's full request stack in process (``django.test.Client``, session with MFA):
  the client record (casework), its referral (the contact log), safeguarding and plans (care), the safety plan,
  the support plan, risk and the suspect's status (justice), and handover, visits and staff risk (cover). After 3 warm-up rounds, BENCH_REPEATS (15) rounds,
  one request per page per size per round; each page's median; the figure for a client is the sum of its medians.

Environment: BENCH_SIZES, BENCH_REPEATS, BENCH_KEEP=1 to keep the data.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any

from benchmarks import common

NAME = "casework"


def _fill(client: Any, lead: Any, n: int) -> None:
    from django.utils import timezone  # noqa: PLC0415

    from care import ledger, safety  # noqa: PLC0415
    from care.models import PlanReview, SafetyPlan, Snapshot  # noqa: PLC0415
    from casework.models import ContactAttempt  # noqa: PLC0415
    from justice.models import StatusChange  # noqa: PLC0415
    from kernel.canonical import sha256_hex, ts  # noqa: PLC0415

    now = timezone.now()
    referral = client.referrals.get()
    ContactAttempt.objects.bulk_create(
        [ContactAttempt(referral=referral, at=now - dt.timedelta(minutes=i), by=lead, channel="phone", outcome="no_answer") for i in range(n)]
    )
    rows = []
    for i in range(n):
        row = StatusChange(client=client, by=lead, at=now - dt.timedelta(hours=i), state="bailed", on=dt.date.today() - dt.timedelta(days=i))
        row.conditions = "Not to contact the victim directly or indirectly"
        row.note = f"Status change {i}"
        rows.append(row)
    StatusChange.objects.bulk_create(rows)
    reviews = []
    for i in range(n):
        r = PlanReview(client=client, reviewed_on=dt.date.today() - dt.timedelta(days=i), next_review_on=dt.date.today() + dt.timedelta(days=28), by=lead)
        r.note = f"Review note {i}: feeling safer, housing still open"
        reviews.append(r)
    PlanReview.objects.bulk_create(reviews)
    sections = {s.key: {"text": f"{s.title}: what to do", "marked": s.marked} for s in safety.SECTIONS}
    snaps = []
    for v in range(1, n + 1):
        state = {"plan": "bench", "version": v, "made_with_person": True, "made_on": "2026-01-01", "review_on": "2027-01-01", "sections": sections}
        payload = {"schema": "daybook.safety_plan.version.v1", "client": str(client.uuid), "subject": safety.SUBJECT, "n": v, "action": "saved",
                   "recorded_at": ts(now), "recorded_by": str(lead.pk), "state": state}  # fmt: skip
        at = now - dt.timedelta(minutes=n - v)
        snap = Snapshot(client=client, kind=safety.KIND, subject=safety.SUBJECT, n=v, ref=f"{safety.SUBJECT}/s{v}", at=at, by=lead, sha256=sha256_hex(payload))
        snap.payload = payload
        snaps.append(snap)
    Snapshot.objects.bulk_create(snaps, batch_size=500)
    plan = SafetyPlan(client=client, version=n, made_on=dt.date.today(), review_on=dt.date.today() + dt.timedelta(days=30), updated_at=now, updated_by=lead)
    plan.sections = sections
    plan.save()
    ledger.lock(client)
    # cover/ (issue 15 item 7): handover notes, past visits and a risk-to-staff marker (its banner is on every page).
    from cover.models import HandoverNote, StaffRisk, Visit  # noqa: PLC0415

    notes, visits = [], []
    for i in range(n):
        note = HandoverNote(client=client, by=lead)
        note.text = f"Handover {i}: calls after 6pm only"
        notes.append(note)
        start = now - dt.timedelta(days=i + 1)
        visit = Visit(organisation=client.organisation, client=client, member=lead, kind="home", starts_at=start, ends_at=start + dt.timedelta(hours=1),
                      checked_in_at=start, checked_out_at=start + dt.timedelta(minutes=50))  # fmt: skip
        visit.place = "12 Acacia Avenue"
        visits.append(visit)
    HandoverNote.objects.bulk_create(notes, batch_size=500)
    Visit.objects.bulk_create(visits, batch_size=500)
    risk = StaffRisk(client=client, kind="dogs", by=lead)
    risk.note = "Two dogs in the garden"
    risk.save()


def main() -> int:
    path = common.data_dir(NAME)
    failed = True
    try:
        # The pages need no collected static files (no manifest): nothing is written to the shared build folder.
        common.ensure_static = lambda: None
        common.setup_django(path)
        from django.conf import settings  # noqa: PLC0415

        settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

        from casework import services  # noqa: PLC0415
        from casework.testing import make_referral, staff_of  # noqa: PLC0415
        from organisations.models import Role  # noqa: PLC0415
        from organisations.testing import make_org, make_staff, signed_in  # noqa: PLC0415

        sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "20,2000").split(",")]
        repeats = int(os.environ.get("BENCH_REPEATS", "15"))
        print(f"Client page benchmark: SQLite database in {path}; sizes {sizes}; {repeats} measured rounds.")
        print(f"Machine: {common.machine()}; load average {common.load()}; revision {common.revision()}")
        org = make_org("Bench Hub", "ENG", "bench")
        lead = make_staff(org, Role.TEAM_LEAD, "Bench Lead")
        pages: dict[int, list[str]] = {}
        names = ["client record", "referral and contact log", "safeguarding and plans", "safety plan", "support plan", "risk and status (justice)",
                 "handover, visits, staff risk (cover)"]  # fmt: skip
        for n in sizes:
            start = time.perf_counter()
            referral = make_referral(lead, full_name=f"Client with {n}", phones=["07700 900123"])
            services.referral_accept(staff=staff_of(lead), referral=referral)
            services.client_allocate(staff=staff_of(lead), client=referral.client, member=lead)
            _fill(referral.client, lead, n)
            c = f"/staff/bench/clients/{referral.client.pk}"
            pages[n] = [
                f"{c}/",
                f"/staff/bench/referrals/{referral.pk}/",
                f"{c}/care/",
                f"{c}/safety-plan/",
                f"{c}/support-plan/",
                f"{c}/justice/",
                f"{c}/cover/",
            ]
            print(f"  client with {n:>5} of each: made in {time.perf_counter() - start:5.1f} s")
        http = signed_in(lead.user)
        http.defaults["HTTP_HOST"] = "127.0.0.1"
        if "127.0.0.1" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
        times: dict[tuple[int, str], list[float]] = {(n, u): [] for n in sizes for u in pages[n]}
        for rnd in range(3 + repeats):
            for n in sizes:
                for url in pages[n]:
                    t0 = time.perf_counter()
                    response = http.get(url)
                    elapsed = (time.perf_counter() - t0) * 1000
                    if response.status_code != 200:
                        raise SystemExit(f"{url}: HTTP {response.status_code}")
                    if rnd >= 3:
                        times[(n, url)].append(elapsed)
        totals = {}
        for n in sizes:
            medians = {u: common.median(times[(n, u)]) for u in pages[n]}
            totals[n] = sum(medians.values())
            print(f"  {n:>5}: " + ", ".join(f"{name} {ms:.1f} ms" for name, ms in zip(names, medians.values(), strict=True)) + f"; total {totals[n]:.1f} ms")
        for i, name in enumerate(names):
            a, b = (common.median(times[(m, pages[m][i])]) for m in (sizes[0], sizes[-1]))
            print(f"  {name}: {a:.1f} ms -> {b:.1f} ms, ratio {b / a:.2f}")
        small, large = totals[sizes[0]], totals[sizes[-1]]
        ratio = large / small
        print(f"Bar: large/small at most 1.5: {'met' if ratio <= 1.5 else 'NOT met'} ({ratio:.2f})")
        print(common.result_line(NAME, ms_client_small=small, ms_client_large=large, ratio_client_large_small=ratio))
        failed = False
        return 0
    finally:
        common.cleanup(path, failed)


if __name__ == "__main__":
    raise SystemExit(main())
