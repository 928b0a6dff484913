"""Helpers for the test suite only."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with small parameters, so tests that create accounts stay fast. Tests only."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


def admin_session(client, user) -> None:  # noqa: ANN001
    """Sign ``user`` in on ``client`` as if through the sign-in page with a second step (what the admin needs)."""
    client.force_login(user)
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [{"method": "password", "at": 0}, {"method": "mfa", "at": 0, "type": "totp"}]
    session.save()
