"""Settings for the test suite: the real settings, with fixed keys and a throwaway data folder."""

import os
import tempfile

os.environ.setdefault("DAYBOOK_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghijklmnop")
os.environ.setdefault("DAYBOOK_MASTER_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
# The tests run as one person on one machine (the test client and live server are 127.0.0.1); tests of the
# network setting ("mandatory") set it themselves.
os.environ.setdefault("DAYBOOK_EMAIL_VERIFICATION", "optional")
os.environ.setdefault("DAYBOOK_DATA_DIR", tempfile.mkdtemp(prefix="daybook-test-"))

from daybook.settings import *  # noqa: E402, F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The RQ tests use their own Redis database so they never touch a running Daybook's queue.
RQ_QUEUES = {"default": {"URL": os.environ.get("DAYBOOK_TEST_RQ_URL", "redis://127.0.0.1:6379/15"), "DEFAULT_TIMEOUT": 600}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DAYBOOK_EXIT_URL = "https://www.bbc.co.uk/weather"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
WHITENOISE_USE_FINDERS = True
PASSWORD_HASHERS = ["daybook.testing.FastArgon2PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
