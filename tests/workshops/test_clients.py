"""Who joins: the join throttle per client address, and the device cookie that keeps a removed browser out."""
from datetime import timedelta

import pytest
from django.test import RequestFactory, override_settings
from django.utils import timezone

from deliberation import moderation
from workshops.clients import DEVICE_COOKIE, client_address, client_ip
from workshops.models import Participant, Workshop

from .test_api import Browser, assert_error, staff, workshop  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def limits(joins: int, window: int = 600) -> dict:
    from django.conf import settings
    return {**settings.INSPRAAK, "RATE_LIMIT_JOINS": joins, "RATE_LIMIT_JOINS_WINDOW_S": window}


def join(workshop: Workshop, name: str = "An", *, browser: Browser | None = None, addr: str | None = None,
         forwarded: str | None = None):
    browser = browser or Browser()
    if addr:
        browser.client.defaults["REMOTE_ADDR"] = addr
    if forwarded:
        browser.client.defaults["HTTP_X_FORWARDED_FOR"] = forwarded
    return browser.post(f"/api/workshops/{workshop.code}/join", {"name": name})


def citizens(workshop: Workshop) -> int:
    return Participant.objects.filter(workshop=workshop, role="citizen").count()


# the join throttle

def test_the_61st_new_participant_from_one_address_gets_429_with_retry_after(workshop):
    for n in range(60):
        assert join(workshop, f"Person {n}").status_code == 201
    body = assert_error(join(workshop, "One too many"), 429, "rate_limited")
    assert 0 < body["retry_after"] <= 660  # the window, and at most one of its ten buckets more
    assert citizens(workshop) == 60
    assert join(workshop, "Elsewhere", addr="192.0.2.7").status_code == 201  # another address is not held back


@override_settings(INSPRAAK=limits(2))
def test_rejoining_with_the_same_session_is_not_counted(workshop):
    browser = Browser()
    first = join(workshop, "An", browser=browser).json()["participant"]["id"]
    for _ in range(5):
        again = join(workshop, "An", browser=browser)
        assert again.status_code == 201 and again.json()["participant"]["id"] == first
    assert join(workshop, "Bo").status_code == 201
    assert_error(join(workshop, "Cas"), 429, "rate_limited")


@override_settings(INSPRAAK=limits(1))
def test_a_refused_join_is_not_counted(workshop):
    assert_error(join(workshop, "fac"), 400, "invalid")  # the facilitator's username
    assert join(workshop, "An").status_code == 201


@override_settings(INSPRAAK=limits(1), BEHIND_PROXY=False)
def test_x_forwarded_for_is_ignored_unless_behind_the_proxy(workshop):
    assert join(workshop, "An", forwarded="198.51.100.1").status_code == 201
    assert_error(join(workshop, "Bo", forwarded="198.51.100.2"), 429, "rate_limited")


@override_settings(INSPRAAK=limits(1), BEHIND_PROXY=True)
def test_behind_the_proxy_the_last_hop_of_x_forwarded_for_counts(workshop):
    assert join(workshop, "An", forwarded="203.0.113.9, 198.51.100.1").status_code == 201
    assert join(workshop, "Bo", forwarded="203.0.113.9, 198.51.100.2").status_code == 201
    # What the client put in front of the proxy's own hop does not buy a fresh allowance.
    assert_error(join(workshop, "Cas", forwarded="192.0.2.55, 198.51.100.2"), 429, "rate_limited")


@pytest.mark.parametrize("meta, address", [
    ({"REMOTE_ADDR": "192.0.2.1"}, "192.0.2.1"),
    ({"REMOTE_ADDR": "2001:db8:1:2:3:4:5:6"}, "2001:db8:1:2::/64"),
    ({"REMOTE_ADDR": "::ffff:192.0.2.1"}, "192.0.2.1"),
    ({"REMOTE_ADDR": "nonsense"}, "unknown"),
])
def test_the_client_address_is_the_peer_and_ipv6_counts_per_64(meta, address):
    assert client_address(RequestFactory().get("/", **meta)) == address


# the device cookie

def test_the_first_join_sets_a_long_lived_http_only_device_cookie(workshop):
    browser = Browser()
    response = join(workshop, browser=browser)
    cookie = response.cookies[DEVICE_COOKIE]
    assert len(cookie.value) == 43 and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600 and not cookie["secure"]
    assert Participant.objects.get(pk=response.json()["participant"]["id"]).device == cookie.value
    assert Browser().post(f"/api/workshops/{workshop.code}/join", {"name": "Bo"}).cookies[
        DEVICE_COOKIE].value != cookie.value


@override_settings(SESSION_COOKIE_SECURE=True)
def test_the_device_cookie_is_secure_with_secure_cookies(workshop):
    assert join(workshop).cookies[DEVICE_COOKIE]["secure"]


def test_a_made_up_device_cookie_is_replaced(workshop):
    browser = Browser()
    browser.client.cookies[DEVICE_COOKIE] = "guessable"
    response = join(workshop, browser=browser)
    assert response.cookies[DEVICE_COOKIE].value != "guessable"


def _fresh_session(browser: Browser) -> None:
    """The session cookie gone (as with a private window's reset), the device cookie kept."""
    del browser.client.cookies["sessionid"]


def _facilitator(workshop: Workshop) -> Participant:
    return Participant.objects.select_related("workshop").get(workshop=workshop, role="facilitator")


def test_a_removed_browser_cannot_join_again_with_a_fresh_session(workshop):
    browser = Browser()
    pid = join(workshop, "An", browser=browser).json()["participant"]["id"]
    moderation.participant_remove(actor=_facilitator(workshop), participant_id=pid)
    _fresh_session(browser)
    assert_error(join(workshop, "Not An", browser=browser), 403, "forbidden")
    assert citizens(workshop) == 1
    assert join(workshop, "Bo").status_code == 201  # another browser is welcome


def test_a_muted_browser_joining_with_a_fresh_session_is_muted_until_the_mute_ends(workshop):
    browser = Browser()
    pid = join(workshop, "An", browser=browser).json()["participant"]["id"]
    muted = moderation.participant_mute(actor=_facilitator(workshop), participant_id=pid, minutes=10)
    _fresh_session(browser)
    again = join(workshop, "An again", browser=browser).json()["participant"]["id"]
    assert again != pid
    assert Participant.objects.get(pk=again).muted_until == muted.muted_until
    Participant.objects.filter(workshop=workshop).update(muted_until=timezone.now() - timedelta(seconds=1))
    _fresh_session(browser)
    third = join(workshop, "An once more", browser=browser).json()["participant"]["id"]
    assert Participant.objects.get(pk=third).muted_until is None


# the exact address the login throttle (django-axes) stores

def _request(**meta):
    return RequestFactory().get("/", **meta)


def test_the_ip_is_the_peers_and_a_forwarded_header_is_ignored_by_default():
    assert client_ip(_request(REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "10.0.0.7"


def test_behind_the_proxy_the_ip_is_the_last_forwarded_hop(settings):
    settings.BEHIND_PROXY = True
    assert client_ip(_request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="2001:db8::1")) == "2001:db8::1"


def test_behind_the_proxy_a_missing_or_garbled_header_falls_back_to_the_peer(settings):
    settings.BEHIND_PROXY = True
    assert client_ip(_request(REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"
    assert client_ip(_request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, not-an-ip")) == "127.0.0.1"
