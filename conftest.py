"""The test run's own speed-ups, for every app's tests (the settings stay one file).

Measured on ledgers/tests (51 tests, 2 cores): the default PBKDF2 hasher (a million
iterations) took 22 % of the run, making the personas' passwords in each class's
setUpTestData, and WhiteNoise 9 %, listing every static file again each time a test
client loaded the middleware. Neither is what a test is about.
"""

from collections.abc import Iterator

import pytest
from django.test import override_settings


@pytest.fixture(autouse=True, scope="session")
def _test_speedups(django_test_environment: None) -> Iterator[None]:
    with override_settings(
        # A hash a test makes costs microseconds; PBKDF2 still reads older hashes.
        PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.MD5PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ],
        # Static files are found when asked for, as in development, not listed up front.
        WHITENOISE_AUTOREFRESH=True,
    ):
        yield
