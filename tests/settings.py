"""Settings for the test suite: the project's settings in test mode."""

import os

os.environ.setdefault("FAMPLAN_ENV", "test")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

from famplan.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
