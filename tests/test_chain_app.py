"""The shape around the hash chain: chain/ and vault/ sit below the apps, apps point down to them and never back,
each app registers its chain kinds, verify dispatches on kind (a new kind needs no change to it), and the move of
ChainEntry into chain/ moved no data (old rows still verify after migrating forward from the old state)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Sum

from audit.models import AuditEvent
from cases.services import create_case
from chain import kinds, refs
from chain import services as chain
from chain.models import ChainEntry
from chain.verification import stored_bytes, verify
from diary.services import IncidentData, create_incidents
from evidence import services as evidence
from evidence.models import Blob
from tests.factories import make_incident

ROOT = Path(__file__).resolve().parent.parent
APPS = sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name not in {"tests", "benchmarks", "scripts", "node_modules", "build"})
BELOW_THE_APPS = {"chain", "vault"}
APPS_ABOVE = {"diary", "evidence", "cases", "reports", "imports", "insights", "support", "accounts"}
# Arrows that still point up from cases into the diary (the case page's incident summaries), kept until that page
# moves: each is one module. Nothing may be added here.
KNOWN_UPWARD = {("cases/views.py", "diary"), ("cases/selectors.py", "diary")}


def _product_modules() -> list[Path]:
    return [p for app in APPS for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


def _runtime_imports(path: Path) -> set[str]:
    """Top-level packages imported by the module, leaving out ``if TYPE_CHECKING:`` blocks (no import at run time)."""
    tree = ast.parse(path.read_text())
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(child) for stmt in node.body for child in ast.walk(stmt)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _edges() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = {}
    for path in _product_modules():
        app = path.relative_to(ROOT).parts[0]
        for target in _runtime_imports(path) & set(APPS):
            if target != app:
                edges.setdefault((app, target), []).append(str(path.relative_to(ROOT)))
    return edges


def test_no_import_cycle_between_apps():
    edges = _edges()
    known = {(f.split("/")[0], target) for f, target in KNOWN_UPWARD}
    for (app, target), files in edges.items():
        if (app, target) in known:
            assert {(f, target) for f in files} <= KNOWN_UPWARD, f"new arrow from {app} up to {target}: {files}"
    graph: dict[str, set[str]] = {}
    for app, target in edges:
        if (app, target) not in known:
            graph.setdefault(app, set()).add(target)

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    return [*path, nxt]
                if nxt not in path:
                    stack.append((nxt, [*path, nxt]))
        return None

    cycles = [c for app in sorted(graph) if (c := cycle_from(app))]
    assert not cycles, f"import cycles between apps: {cycles[0]} ({[edges[(a, b)] for a, b in zip(cycles[0], cycles[0][1:], strict=False)]})"


def _imported_modules(path: Path, known: set[str]) -> set[str]:
    """The product modules ``path`` imports at run time (``from a import b`` counts a.b when it is a module)."""
    tree = ast.parse(path.read_text())
    skipped = {id(c) for n in ast.walk(tree) if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test) for s in n.body for c in ast.walk(s)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found & known


def test_no_module_import_cycle_in_the_chain_and_its_users():
    """No cycle between modules either (lazy imports included): evidence's tasks, checks and writers, the diary's
    services and chain kinds, the chain and the vault each import only downwards."""
    paths = {}
    for app in ("chain", "vault", "evidence", "diary", "cases", "audit", "kernel"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                paths[name] = path
    graph = {name: _imported_modules(path, set(paths)) - {name} for name, path in paths.items()}
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        for nxt in sorted(graph[name]):
            assert nxt not in trail, "import cycle: " + " -> ".join([*trail[trail.index(nxt) :], nxt])
            if nxt not in done:
                visit(nxt, [*trail, nxt])
        done.add(name)

    for name in sorted(graph):
        if name not in done:
            visit(name, [name])
    assert "evidence.services" not in graph["evidence.tasks"] and "evidence.uploads" not in graph["evidence.tasks"]
    assert "evidence.services" in graph["evidence.uploads"] and "evidence.tasks" in graph["evidence.services"]


def test_chain_and_vault_import_nothing_above_them():
    for path in _product_modules():
        app = path.relative_to(ROOT).parts[0]
        if app in BELOW_THE_APPS:
            above = _runtime_imports(path) & APPS_ABOVE
            assert not above, f"{path.relative_to(ROOT)} imports {sorted(above)}"
    assert (ROOT / "chain" / "models.py").exists() and (ROOT / "vault" / "store.py").exists()


def test_diary_evidence_and_cases_point_down_to_the_chain_and_not_at_each_other():
    edges = _edges()
    for app in ("diary", "evidence", "cases"):
        assert (app, "chain") in edges, f"{app} should use chain/"
        assert ("chain", app) not in edges
    assert ("diary", "evidence") not in edges, edges.get(("diary", "evidence"))
    assert ("cases", "diary") not in edges or {(f, "diary") for f in edges[("cases", "diary")]} <= KNOWN_UPWARD


def test_modules_of_the_moved_apps_stay_under_600_lines():
    for app in ("chain", "vault", "evidence", "diary", "cases"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                lines = len(path.read_text().splitlines())
                assert lines <= 600, f"{path.relative_to(ROOT)} has {lines} lines"


def test_the_reference_format_is_written_in_one_place():
    assert refs.GENESIS == "0" * 64
    assert refs.incident_ref(12, 3) == "incident/12/v3"
    assert refs.exhibit_ref(4, 2) == "exhibit/4/e2"
    for path in _product_modules():
        if path.relative_to(ROOT).parts[0] == "chain":
            continue
        text = path.read_text()
        for written in ('f"incident/{', 'f"exhibit/{', '"0" * 64'):
            assert written not in text, f"{path.relative_to(ROOT)} writes {written} by hand"


def test_each_app_registers_its_kinds_in_app_order():
    registered = [(f.name, f.kinds) for f in kinds.families()]
    assert registered[:3] == [
        ("case", ("case.opened", "case.details", "order.version", "crime_reference.version")),
        ("incident", ("incident.version",)),
        ("exhibit", ("exhibit.sealed", "exhibit.event")),
    ]
    assert kinds.family_of("exhibit.event").name == "exhibit"
    assert kinds.family_of("sighting.recorded").name == "sighting"
    assert kinds.family_of("consent.recorded") is None
    with pytest.raises(ValueError, match="already registered"):
        kinds.register("another", ("incident.version",), kinds.Checker)


def test_a_new_kind_registers_without_changing_verify(case, owner, monkeypatch):
    """The kinds to come (consents, referrals...) plug in: verify dispatches to their checker."""
    monkeypatch.setattr(kinds, "_families", dict(kinds._families))
    seen = []

    class Consents(kinds.Checker):
        def check(self, entry: ChainEntry) -> str | None:
            seen.append(entry.ref)
            return None if entry.payload_sha256 == "ab" * 32 else "Consent altered."

        def finish(self) -> str | None:
            return None if seen else "No consents."

    make_incident(case, owner)
    locked = chain.lock(case)
    chain.append(locked, "consent.recorded", "consent/1", "ab" * 32)
    case.refresh_from_db()
    result = verify(case, files=False)
    assert not result.ok and result.problem == f"Entry {case.chain_seq} has an unknown kind 'consent.recorded'."
    kinds.register("consent", ("consent.recorded",), Consents)
    result = verify(case, files=False)
    assert result.ok, result.problem
    assert seen == ["consent/1"] and result.entries == case.chain_seq == 4  # opened, details (the label), incident, consent


def test_append_many_writes_what_append_writes_one_at_a_time(case, owner):
    other = create_case(owner, label="Twin")
    at = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    entries = [chain.Entry("sighting.recorded", f"sighting/{n}", f"{n:064x}") for n in range(1, 4)]
    many = chain.append_many(chain.lock(case), entries, at, actor=owner, audits=[("incident.recorded", "incident 1")])
    one = [chain.append(chain.lock(other), e.kind, e.ref, e.payload_sha256, at) for e in entries]
    assert [(e.seq, e.kind, e.ref, e.at, e.payload_sha256) for e in many] == [(e.seq, e.kind, e.ref, e.at, e.payload_sha256) for e in one]
    # Same positions, different case: each hash commits to its case, and each links to the one before.
    assert [e.prev_hash for e in many[1:]] == [e.entry_hash for e in many[:-1]]
    case.refresh_from_db()
    assert case.chain_head == many[-1].entry_hash and case.chain_seq == 5  # opened, details (the label), 3 sightings
    assert AuditEvent.objects.filter(case=case, action="incident.recorded").count() == 1
    assert chain.append_many(chain.lock(case), [], at) == []


def test_bulk_incidents_use_append_many(case, owner, monkeypatch):
    calls = []
    real = chain.append_many
    monkeypatch.setattr(chain, "append_many", lambda *a, **k: calls.append(len(a[1])) or real(*a, **k))
    create_incidents(case, owner, [IncidentData(occurred_at=dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC), description=f"Call {n}") for n in range(3)])
    assert calls == [3]
    assert verify(case).ok


def test_stored_bytes_come_from_the_registered_kinds(case, owner):
    evidence.ingest(case, owner, [b"x" * 5000], name="a.txt")
    assert stored_bytes(case) == Blob.objects.filter(case=case).aggregate(n=Sum("size"))["n"] >= 5000


# Serialized rollback (as the other transactional tests) restores the migrated rows for the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrating_forward_from_the_old_state_keeps_old_rows_verifying(case, owner):
    """Rows written while ChainEntry was the diary's are the chain app's after migrating: no SQL, no data moved."""
    # Answered (not "not said"): the old schema had no NULL for these, and migrating back and forth keeps an answer.
    make_incident(case, owner, description="Before the move", felt_in_danger=False, reported=False)
    evidence.ingest(case, owner, [b"a file from before the move"], name="before.txt")
    executor = MigrationExecutor(connection)
    old_state = [("diary", "0003_integrity_check"), ("chain", None)]
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(old_state)
        executor.loader.build_graph()
        old_apps = executor.loader.project_state(("diary", "0003_integrity_check"), at_end=True).apps
        OldEntry = old_apps.get_model("diary", "ChainEntry")  # noqa: N806
        old_rows = list(OldEntry.objects.filter(case_id=case.pk).order_by("seq").values_list("seq", "kind", "ref", "entry_hash"))
        assert [r[1] for r in old_rows] == ["case.opened", "case.details", "incident.version", "exhibit.sealed"]
        # A row written in the old state (as main's code wrote it) is read by the new model after the move.
        head = old_rows[-1][3]
        OldEntry.objects.create(case_id=case.pk, seq=5, kind="case.opened", ref="case", at="x", payload_sha256="0" * 64, prev_hash=head, entry_hash="f" * 64)
        move = [("diary", "0004_chainentry_moves_to_chain"), *[n for n in latest if n[0] == "chain"]]
        plan = executor.migration_plan(move)  # the move itself (later migrations may add columns of their own)
        assert {m.app_label for m, _backwards in plan} == {"diary", "chain"}
        sql = [line for line in executor.loader.collect_sql(plan) if line.strip() and not line.lstrip().startswith("--")]
        assert sql == [], sql
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    rows = list(ChainEntry.objects.filter(case=case).order_by("seq").values_list("seq", "kind", "ref", "entry_hash"))
    assert rows[:4] == old_rows and rows[4][3] == "f" * 64
    ChainEntry.objects.filter(case=case, seq=5).delete()
    result = verify(case)
    assert result.ok, result.problem
    assert result.entries == 4
