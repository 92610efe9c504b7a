"""The participant's way back (PROTOCOL 3.3): the return link on a second device, a new link voiding
the old, my data, and erase me end to end, with axe on the page's new section."""
import json

import pytest
from playwright.sync_api import expect
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from .helpers import assert_no_axe_violations, expect_live, idea_item

pytestmark = pytest.mark.browser


def started_workshop(facilitator, title: str) -> str:
    """A live workshop made and started through the API by the logged-in facilitator."""
    status, created = facilitator.http.post("/api/workshops", {"title": title, "language": "en"})
    assert status == 201, created
    facilitator.open(created["code"]).command("workshop.start")
    return created["code"]


def shown_link(page, base_url: str, *, other_than: str = "") -> str:
    """The return link the page shows once it has loaded (a different one than `other_than`)."""
    field = page.get_by_label("Your personal link")
    page.wait_for_function(
        "([sel, old]) => { const v = document.querySelector(sel).value; return v.includes('/r/') && v !== old; }",
        arg=["#way-back-link", other_than])
    value = field.input_value()
    assert value.startswith(f"{base_url}/r/"), value
    return value


def test_the_return_link_opened_in_a_second_browser_is_the_same_participant(people, facilitator, server, axe_js):
    code = started_workshop(facilitator, "Harbour front")
    an = people("An")
    an.join(code)
    an.post_idea("Shade on the quay")
    a = an.page
    section = a.get_by_role("region", name="Your way back")
    expect(section).to_be_visible()
    link = shown_link(a, server.url)
    # The QR code is an SVG from the server's own origin, loaded under the page's CSP.
    qr = a.get_by_role("img", name="QR code of your personal link")
    expect(qr).to_be_visible()
    a.wait_for_function("() => document.querySelector('#way-back-qr').naturalWidth > 0")
    assert_no_axe_violations(a, axe_js, "the participant page with its way back")

    phone = people("An on the phone", phone=True)
    p = phone.page
    p.goto(link)
    expect_live(p)
    assert p.url == f"{server.url}/w/{code}/"
    expect(p.locator("#my-ideas-list")).to_contain_text("Shade on the quay")
    expect(idea_item(p, "Shade on the quay")).to_contain_text("An (you)")
    assert shown_link(p, server.url) == link  # the same participant has the same link

    # A new link: the old one stops working, with a page that says so; the new one works.
    a.get_by_role("button", name="Make a new link").click()
    expect(a.get_by_text("This is your new link. The old one no longer works.")).to_be_visible()
    renewed = shown_link(a, server.url, other_than=link)
    stranger = people("Someone with the old link")
    response = stranger.page.goto(link)
    assert response.status == 410
    expect(stranger.page.get_by_role("heading", name="This link does not work")).to_be_visible()
    assert_no_axe_violations(stranger.page, axe_js, "the page of a replaced return link")
    # A browser that is someone else in the workshop is asked first, then becomes An.
    bo = people("Bo")
    bo.join(code)
    bo.page.goto(renewed)
    expect(bo.page.get_by_role("heading", name="Whose link is this?")).to_be_visible()
    assert_no_axe_violations(bo.page, axe_js, "the question before a return link switches the browser")
    bo.page.get_by_role("button", name="Continue as An").click()
    expect_live(bo.page)
    expect(bo.page.locator("#my-ideas-list")).to_contain_text("Shade on the quay")

    # My data, as the link on the page downloads it.
    with a.expect_download() as download:
        a.get_by_role("link", name="Download my data").click()
    data = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert data["participant"]["name"] == "An"
    assert [i["text"] for i in data["ideas"]] == ["Shade on the quay"]


def erase_with_the_keyboard_and_confirm(a, axe_js) -> None:
    """The button opens the confirmation, which takes the focus to its Cancel; Cancel gives it back."""
    a.get_by_role("button", name="Erase me").focus()
    a.keyboard.press("Enter")
    expect(a.get_by_role("button", name="Cancel")).to_be_focused()
    expect(a.get_by_text("You cannot undo this.")).to_be_visible()
    assert_no_axe_violations(a, axe_js, "the participant page asking to confirm the erase")
    a.keyboard.press("Enter")
    expect(a.get_by_role("button", name="Erase me")).to_be_focused()
    expect(a.get_by_role("button", name="Yes, erase me")).to_be_hidden()
    a.get_by_role("button", name="Erase me").press("Enter")
    a.get_by_role("button", name="Yes, erase me").press("Enter")


def test_erase_me_closes_the_socket_with_4401_and_others_see_a_former_participant(people, facilitator, server,
                                                                                  axe_js):
    code = started_workshop(facilitator, "Market square")
    an, bo = people("An"), people("Bo")
    an.join(code)
    an.post_idea("A drinking fountain")
    bo.join(code)
    b = bo.page
    expect(idea_item(b, "A drinking fountain")).to_contain_text("An")
    expect(b.locator("#people-list")).to_contain_text("An")
    # An's session also holds a socket opened outside the page, to see how the server closes it.
    cookies = {c["name"]: c["value"] for c in an.context.cookies()}
    with connect(server.ws_url(f"/ws/workshops/{code}/"), origin=server.url,
                 additional_headers={"Cookie": f"sessionid={cookies['sessionid']}"}, open_timeout=10) as socket:
        assert json.loads(socket.recv(timeout=10))["me"]["name"] == "An"
        erase_with_the_keyboard_and_confirm(an.page, axe_js)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                socket.recv(timeout=10)
    assert closed.value.rcvd.code == 4401
    a = an.page
    expect(a.get_by_label("Your name")).to_be_visible()
    expect(a.get_by_text("You were erased from this workshop.")).to_be_visible()
    # Bo sees the idea by a former participant, and no An among the people.
    expect(idea_item(b, "A drinking fountain")).to_contain_text("a former participant")
    expect(b.locator("#people-list")).not_to_contain_text("An")
    # A new visitor reads the same.
    cas = people("Cas")
    cas.join(code)
    expect(idea_item(cas.page, "A drinking fountain")).to_contain_text("a former participant")
