"""The Content-Security-Policy (django-csp) on every answer, pages and API alike."""
import pytest
from django.test import Client

POLICY = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self'",
    "connect-src": "'self'", "object-src": "'none'", "base-uri": "'none'", "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.django_db
@pytest.mark.parametrize("path", [
    "/", "/w/abcdefghjk/", "/w/abcdefghjk/facilitate", "/w/abcdefghjk/moderate", "/w/abcdefghjk/outcomes",
    "/w/abcdefghjk/report", "/reports", "/jsi18n/", "/api/csrf", "/api/session", "/api/workshops/nope",
    "/no-such-page",
])
def test_every_answer_carries_the_strict_content_security_policy(path):
    assert policy(Client().get(path)) == POLICY


@pytest.mark.django_db
def test_errors_and_refusals_carry_the_policy_too():
    assert policy(Client().post("/api/session/login", "{", content_type="application/json")) == POLICY
    assert policy(Client(enforce_csrf_checks=True).post("/api/session/logout")) == POLICY
