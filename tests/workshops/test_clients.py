"""The client address that per-address limits count."""
from django.test import RequestFactory

from workshops.clients import client_address


def request(**meta):
    return RequestFactory().get("/", **meta)


def test_the_address_is_the_peers_and_a_forwarded_header_is_ignored_by_default():
    assert client_address(request(REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "10.0.0.7"


def test_behind_the_proxy_the_address_is_the_last_forwarded_hop(settings):
    settings.BEHIND_PROXY = True
    assert client_address(request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    assert client_address(request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="2001:db8::1")) == "2001:db8::1"


def test_behind_the_proxy_a_missing_or_garbled_header_falls_back_to_the_peer(settings):
    settings.BEHIND_PROXY = True
    assert client_address(request(REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"
    assert client_address(request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, not-an-ip")) == "127.0.0.1"
