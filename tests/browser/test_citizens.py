"""Issue 16 point 9, a citizen on a phone: the form says why it waits before the start, the idea box comes first
in a room, and the ended page leads to the outcomes."""
import re

import pytest
from playwright.sync_api import expect

from .helpers import assert_no_axe_violations, expect_live, screenshot
from .scripted import Member

pytestmark = pytest.mark.browser


def test_a_citizen_on_a_phone_waits_for_the_start_posts_first_in_a_room_and_finds_the_outcomes(
        people, server, facilitator, axe_js, artifacts):
    status, created = facilitator.http.post("/api/workshops", {
        "title": "Station square", "language": "en",
        "description": "How should we use the empty lot next to the station? Every idea is welcome.",
        "agenda": [{"title": "Welcome", "minutes": 5}, {"title": "Ideas in rooms", "minutes": 20}]})
    assert status == 201, created
    code = created["code"]
    fac = facilitator.open(code)
    an = people("An", phone=True)
    an.join(code)
    a = an.page

    # Before the start: the form is there, takes nothing, and says why.
    box = a.get_by_label("Your idea")
    expect(box).to_be_disabled()
    expect(a.get_by_role("button", name="Post idea")).to_be_disabled()
    note = "The workshop has not started yet. You can post ideas as soon as the facilitator starts it."
    expect(a.locator(".board-note").first).to_have_text(note)
    assert note in box.evaluate("el => el.getAttribute('aria-describedby').split(' ')"
                                ".map(id => document.getElementById(id).textContent).join(' ')")
    assert_no_axe_violations(a, axe_js, "the citizen's page before the start")
    fac.command("workshop.start")
    expect(box).to_be_enabled()
    expect(a.locator(".board-note").first).to_be_hidden()

    # In a room, on the phone, the idea box is on the first screen.
    bo = Member(server, "Bo")
    bo.join(code)
    fac.command("phase.set", index=1)
    fac.command("breakout.open", mode="random", rooms=2, duration_s=600)
    expect(a.locator("#room-banner")).to_be_visible()
    room_box = a.locator("#boards section.board:not([hidden])").first.get_by_label("Your idea")
    expect(room_box).to_be_visible()
    a.evaluate("window.scrollTo(0, 0)")
    top = room_box.bounding_box()
    assert top["y"] + top["height"] <= a.viewport_size["height"], f"the idea box ends at {top['y'] + top['height']}"
    assert_no_axe_violations(a, axe_js, "a room page on a phone")
    screenshot(a, artifacts, "citizen-room-phone")
    fac.command("breakout.close", grace_s=0)

    # Ended: thanks, and the way to the outcomes.
    fac.command("workshop.end")
    ended = a.locator("#ended-note")
    expect(ended).to_be_visible()
    expect(ended.get_by_role("link", name="See the outcomes of the workshop")).to_have_attribute(
        "href", f"/w/{code}/outcomes")
    assert_no_axe_violations(a, axe_js, "the citizen's page after the end")
    fac.close()
    bo.close()
    # Someone new who comes too late is told so, with the same link.
    late = people("Late")
    late.page.goto(f"/w/{code}/")
    expect(late.page.locator("#join-ended")).to_be_visible()
    expect(late.page.locator("#join-ended").get_by_role("link", name="See the outcomes of the workshop")).to_be_visible()
    assert re.search(code, late.page.url)
