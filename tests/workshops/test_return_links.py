"""The return link (PROTOCOL 3.3): made, renewed, opened in another browser, refused when dead."""
import logging
from urllib.parse import urlsplit

import pytest

from tests.factories import staff_member, workshop_with_facilitator
from tests.workshops.test_api import Browser, assert_error
from workshops import return_links
from workshops.models import Participant

pytestmark = pytest.mark.django_db


def joined(code: str, name: str = "An") -> Browser:
    browser = Browser()
    assert browser.post(f"/api/workshops/{code}/join", {"name": name}).status_code == 201
    return browser


def link_path(response) -> str:
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    url = urlsplit(response.json()["url"])
    assert url.scheme == "http" and url.netloc == "testserver" and url.path.startswith("/r/")
    return url.path


def test_the_same_link_until_renewed_and_then_only_the_new_one_works():
    workshop, _ = workshop_with_facilitator()
    an = joined(workshop.code)
    first = link_path(an.get(f"/api/workshops/{workshop.code}/me/return-link"))
    assert link_path(an.get(f"/api/workshops/{workshop.code}/me/return-link")) == first
    renewed = link_path(an.post(f"/api/workshops/{workshop.code}/me/return-link"))
    assert renewed != first
    assert link_path(an.get(f"/api/workshops/{workshop.code}/me/return-link")) == renewed

    old = Browser().get(first)
    assert old.status_code == 410
    assert "replaced by a newer one" in old.content.decode()
    other = Browser()
    landed = other.get(renewed)
    assert landed.status_code == 302 and landed["Location"] == f"/w/{workshop.code}/"
    assert other.participant(workshop.code) == an.participant(workshop.code)


def test_a_browser_that_opens_the_link_is_that_participant_on_the_socket_path_too():
    workshop, _ = workshop_with_facilitator()
    an = joined(workshop.code)
    path = link_path(an.get(f"/api/workshops/{workshop.code}/me/return-link"))
    phone = Browser()
    assert phone.get(path)["Referrer-Policy"] == "no-referrer"
    # Joining again from the phone is the same participant, as for any browser that is them.
    again = phone.post(f"/api/workshops/{workshop.code}/join", {"name": "Someone else"})
    assert again.status_code == 201 and again.json()["participant"]["name"] == "An"
    assert Participant.objects.filter(workshop=workshop).count() == 2  # the facilitator and An


def test_a_forged_or_garbled_link_gets_a_404_page_and_is_not_logged(caplog):
    workshop, _ = workshop_with_facilitator()
    an = joined(workshop.code)
    path = link_path(an.get(f"/api/workshops/{workshop.code}/me/return-link"))
    pid, _, rest = path[len("/r/"):].partition(".")
    forged = f"/r/{int(pid) + 1}.{rest}"  # someone else's id under An's signature
    with caplog.at_level(logging.INFO):
        for bad in (forged, path[:-3], "/r/nonsense", "/r/1.abc:def"):
            response = Browser().get(bad)
            assert response.status_code == 404
            assert "not a return link that this site made" in response.content.decode()
    assert not [r for r in caplog.records if "/r/" in r.getMessage()]


def test_no_link_without_being_a_participant_and_none_for_staff():
    workshop, facilitator = workshop_with_facilitator()
    assert_error(Browser().get(f"/api/workshops/{workshop.code}/me/return-link"), 401, "unauthenticated")
    assert_error(Browser().post(f"/api/workshops/{workshop.code}/me/return-link"), 401, "unauthenticated")
    assert_error(Browser().get("/api/workshops/nosuchcode/me/return-link"), 404, "not_found")
    assert_error(Browser().get(f"/api/workshops/{workshop.code}/me/return-link.svg"), 401, "unauthenticated")
    with pytest.raises(Exception) as refused:
        return_links.return_link_path(participant=staff_member(workshop, "moderator"))
    assert refused.value.code == "forbidden"
    assert_error(joined(workshop.code).send("PUT", f"/api/workshops/{workshop.code}/me/return-link"),
                 405, "method_not_allowed")


def test_a_removed_participant_gets_no_link_and_their_link_stops_working():
    workshop, _ = workshop_with_facilitator()
    an = joined(workshop.code)
    path = link_path(an.get(f"/api/workshops/{workshop.code}/me/return-link"))
    Participant.objects.filter(pk=an.participant(workshop.code).pk).update(removed=True)
    assert_error(an.get(f"/api/workshops/{workshop.code}/me/return-link"), 403, "forbidden")
    assert Browser().get(path).status_code == 410


def test_the_qr_code_is_an_svg_of_the_current_link():
    workshop, _ = workshop_with_facilitator()
    an = joined(workshop.code)
    response = an.get(f"/api/workshops/{workshop.code}/me/return-link.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert body.startswith("<svg") and "<path" in body
    # The code is the one the link endpoint gives: renewing the link changes it.
    an.post(f"/api/workshops/{workshop.code}/me/return-link")
    assert an.get(f"/api/workshops/{workshop.code}/me/return-link.svg").content.decode() != body


def test_a_browser_that_is_someone_else_is_asked_before_it_switches():
    workshop, _ = workshop_with_facilitator()
    an = joined(workshop.code, "An")
    path = link_path(an.get(f"/api/workshops/{workshop.code}/me/return-link"))
    bo = joined(workshop.code, "Bo")
    bo_before = bo.participant(workshop.code)
    asked = bo.get(path)
    assert asked.status_code == 200 and asked["Referrer-Policy"] == "same-origin"
    page = asked.content.decode()
    assert "this browser is Bo" in page and "Continue as An" in page
    assert bo.participant(workshop.code) == bo_before  # a GET alone changes nothing
    # Without the CSRF token the switch is refused; with it (as the page's form sends it) it happens.
    assert bo.client.post(path).status_code == 403
    assert bo.participant(workshop.code) == bo_before
    switched = bo.client.post(path, {"csrfmiddlewaretoken": bo.client.cookies["csrftoken"].value})
    assert switched.status_code == 303 and switched["Location"] == f"/w/{workshop.code}/"
    assert bo.participant(workshop.code) == an.participant(workshop.code)
    # Opening one's own link changes nothing and asks nothing.
    assert an.get(path).status_code == 302
