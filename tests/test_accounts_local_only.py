"""No configuration reachable from a network reveals whether an address has an account (issue 11, item 3):
e-mail verification is mandatory by default; the simpler sign-up only answers requests made on this machine;
sign-in costs the same for known and unknown addresses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.checks import run_checks
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def settings_in_a_fresh_process(tmp_path: Path, **env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DAYBOOK_EMAIL_VERIFICATION", "DATABASE_URL"}}
    code = "import django; django.setup(); from django.conf import settings as s; print(s.ACCOUNT_EMAIL_VERIFICATION, s.DAYBOOK_LOCAL_ONLY)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "daybook.settings", "DAYBOOK_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_verification_is_mandatory_by_default(tmp_path):  # noqa: ANN001
    assert settings_in_a_fresh_process(tmp_path) == ["mandatory", "False"]
    assert settings_in_a_fresh_process(tmp_path, DAYBOOK_EMAIL_VERIFICATION="optional") == ["optional", "True"]


@pytest.mark.parametrize(
    "meta",
    [
        {"REMOTE_ADDR": "192.0.2.10"},
        {"REMOTE_ADDR": "10.0.0.5"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "192.0.2.10"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "192.0.2.10"},
    ],
)
def test_the_simpler_sign_up_is_unreachable_from_other_machines(db, settings, meta):  # noqa: ANN001
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    settings.DAYBOOK_LOCAL_ONLY = True
    for path in ("/account/signup/", "/account/login/", "/account/password/reset/", "/"):
        response = Client(**meta).get(path)
        assert response.status_code == 403, path
        assert "this computer only" in response.content.decode()
    assert Client(REMOTE_ADDR="127.0.0.1").get("/account/signup/").status_code == 200
    assert Client(REMOTE_ADDR="::1").get("/account/signup/").status_code == 200


def test_with_mandatory_verification_any_address_may_use_it(db, settings):  # noqa: ANN001
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    settings.DAYBOOK_LOCAL_ONLY = False
    assert Client(REMOTE_ADDR="192.0.2.10").get("/account/signup/").status_code == 200


@pytest.mark.parametrize("change", [{"DAYBOOK_HTTPS": True}, {"ALLAUTH_TRUSTED_PROXY_COUNT": 1}, {"ALLOWED_HOSTS": ["127.0.0.1", "daybook.example.org"]}])
def test_check_refuses_the_simpler_sign_up_on_a_network_setup(settings, change):  # noqa: ANN001
    settings.DAYBOOK_LOCAL_ONLY = True
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    for name, value in change.items():
        setattr(settings, name, value)
    assert [m.id for m in run_checks() if m.id == "daybook.E002"] == ["daybook.E002"]


def test_check_accepts_the_local_setup(settings):  # noqa: ANN001
    settings.DAYBOOK_LOCAL_ONLY = True
    assert not [m for m in run_checks() if m.id == "daybook.E002"]


def test_sign_in_costs_the_same_for_known_and_unknown_addresses(owner, monkeypatch):  # noqa: ANN001
    """Timing: the same number of passphrase hashes and database queries whether or not an account exists."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    calls: list[str] = []
    hasher = Argon2PasswordHasher  # the test hasher inherits encode and verify from it
    real_encode, real_verify = hasher.encode, hasher.verify
    monkeypatch.setattr(hasher, "encode", lambda self, *a, **k: calls.append("hash") or real_encode(self, *a, **k))
    monkeypatch.setattr(hasher, "verify", lambda self, *a, **k: calls.append("hash") or real_verify(self, *a, **k))

    def cost(email: str) -> tuple[int, int]:
        calls.clear()
        client = Client()
        client.get("/account/login/")
        with CaptureQueriesContext(connection) as queries:
            client.post("/account/login/", {"login": email, "password": "not the right passphrase"})
        return len(calls), len([q for q in queries.captured_queries if "cache" not in q["sql"]])

    known, unknown = cost(owner.email), cost("nobody@example.com")
    assert known[0] == unknown[0] == 1, (known, unknown)
    assert known[1] == unknown[1], (known, unknown)
