"""The login throttle (django-axes with a limit per username and address, and per address)."""
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import staff_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-123456"
WINDOW_S = 15 * 60


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(username, password=PASSWORD, *, address="10.0.0.1", **headers):
    return Client().post("/api/session/login", {"username": username, "password": password},
                         content_type="application/json", REMOTE_ADDR=address, **headers)


def fail(times, username="fac", *, address="10.0.0.1"):
    for _ in range(times):
        assert login(username, "wrong-password", address=address).status_code == 401


def assert_locked(response, *, at_most=WINDOW_S) -> int:
    assert response.status_code == 429, response.content
    body = response.json()
    assert set(body) == {"error", "message", "retry_after"} and body["error"] == "rate_limited"
    assert isinstance(body["retry_after"], int) and 0 < body["retry_after"] <= at_most
    return body["retry_after"]


def later(seconds):
    """axes' clock, moved on: every attempt time and window is measured from it."""
    return mock.patch("axes.handlers.proxy.now", return_value=timezone.now() + timedelta(seconds=seconds))


def test_ten_failures_for_a_username_from_an_address_lock_it_even_with_the_right_password():
    staff_user("fac", password=PASSWORD)
    fail(9)
    assert login("fac").status_code == 200
    fail(1)
    retry_after = assert_locked(login("fac"))
    assert retry_after > WINDOW_S - 10


def test_a_username_lock_holds_for_that_address_and_username_only():
    staff_user("fac", password=PASSWORD)
    staff_user("mo", password=PASSWORD)
    fail(10)
    assert_locked(login("fac"))
    assert login("fac", address="10.0.0.2").status_code == 200
    assert login("mo").status_code == 200


def test_a_hundred_failures_from_an_address_lock_every_username_there():
    staff_user("fac", password=PASSWORD)
    for n in range(11):  # nine failures each: no username reaches its own limit
        fail(9, f"guess{n}")
    assert login("fac").status_code == 200  # 99 failures
    fail(1, "guess-last")
    assert_locked(login("fac"))
    assert_locked(login("someone-new"))
    assert login("fac", address="10.0.0.2").status_code == 200


def test_non_staff_and_unknown_accounts_count_as_failures():
    staff_user("visitor", is_staff=False, password=PASSWORD)
    for _ in range(10):
        assert login("visitor").status_code == 401
    assert_locked(login("visitor"))


def test_retry_after_counts_down_and_the_lock_ends_when_the_window_has_passed():
    staff_user("fac", password=PASSWORD)
    fail(10)
    with later(600):
        assert_locked(login("fac"), at_most=WINDOW_S - 600)
    with later(WINDOW_S + 1):
        assert login("fac").status_code == 200


def test_attempts_while_locked_do_not_extend_the_lock():
    staff_user("fac", password=PASSWORD)
    fail(10)
    with later(WINDOW_S - 5):
        assert_locked(login("fac", "wrong-password"), at_most=5)
    with later(WINDOW_S + 1):
        assert login("fac").status_code == 200


def test_behind_the_proxy_the_lock_follows_the_forwarded_address(settings):
    settings.BEHIND_PROXY = True
    staff_user("fac", password=PASSWORD)
    for _ in range(10):
        assert login("fac", "wrong", address="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.9.9.9").status_code == 401
    assert_locked(login("fac", address="127.0.0.1", HTTP_X_FORWARDED_FOR="5.6.7.8, 10.9.9.9"))
    assert login("fac", address="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.8").status_code == 200
