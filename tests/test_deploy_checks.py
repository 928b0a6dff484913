"""`manage.py check --deploy` is clean with HTTPS on, and the CSRF cookie ends with the browser session (issue 11, item 4)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.core.checks import run_checks
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_with_https(tmp_path):  # noqa: ANN001
    # DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests set it in this process; a deployment never has it.
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DAYBOOK_SECRET_KEY", "DATABASE_URL", "DAYBOOK_EMAIL_VERIFICATION", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
        "DJANGO_SETTINGS_MODULE": "daybook.settings",
        "DAYBOOK_HTTPS": "1",
        "DAYBOOK_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (1 silenced)" in result.stdout, result.stdout


def test_w003_is_silenced_only_because_daybooks_own_check_stands_in(settings):  # noqa: ANN001
    assert settings.SILENCED_SYSTEM_CHECKS == ["security.W003"]
    assert not [m for m in run_checks(include_deployment_checks=True) if m.id == "daybook.E001"]
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "Csrf" not in m]
    assert [m.id for m in run_checks(include_deployment_checks=True) if m.id == "daybook.E001"] == ["daybook.E001"]


def test_the_csrf_cookie_is_a_session_cookie(db):  # noqa: ANN001
    response = Client().get("/account/login/")
    cookie = response.cookies["csrftoken"]
    assert cookie.value
    assert not cookie["max-age"] and not cookie["expires"], cookie.output()
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
