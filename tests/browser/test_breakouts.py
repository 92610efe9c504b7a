"""Breakout rooms in the browser: a facilitator opens rooms, people work in them, the rooms report back."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import STAFF_PASSWORD, STAFF_USERNAME
from .helpers import assert_no_axe_violations, expect_live, idea_item, screenshot, start_workshop

pytestmark = pytest.mark.browser

SWINGS = "Swings for the small children"
READING = "A quiet reading corner under the lime tree"
PLENARY = "Welcome back, everyone"


def open_rooms(f, *, rooms: int = 2, mode: str = "random", **extra) -> None:
    """Fill in the console's breakout form and open the rooms."""
    f.get_by_label("Number of rooms").fill(str(rooms))
    f.get_by_label("How people get a room").select_option(mode)
    for label, value in extra.items():
        f.get_by_label(label, exact=True).fill(value)
    f.get_by_role("button", name="Open rooms").click()
    expect(f.get_by_role("heading", name="Breakout rooms are open")).to_be_visible()


def show_board(f, name: str) -> None:
    f.get_by_label("Board shown").select_option(label=name)
    expect(f.locator("#boards section.board:visible h2")).to_have_text(name)


def test_facilitator_runs_rooms_people_work_in_them_and_the_rooms_report_back(people, axe_js, artifacts):
    facilitator = people("Fatima")
    an, bo, cas = people("An", phone=True), people("Bo"), people("Cas")
    f, a, b, c = facilitator.page, an.page, bo.page, cas.page
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Lime tree park", agenda="Rooms, 20")
    for person in (an, bo, cas):
        person.join(code)
    expect(f.locator("#people-list li")).to_have_count(4)

    # Placed by hand: An and Bo in Room 1, Cas in Room 2.
    f.get_by_label("How people get a room").select_option("manual")
    f.get_by_label("Number of rooms").fill("2")
    f.locator("#breakout-assign").get_by_label("An", exact=True).select_option("Room 1")
    f.locator("#breakout-assign").get_by_label("Bo", exact=True).select_option("Room 1")
    f.locator("#breakout-assign").get_by_label("Cas", exact=True).select_option("Room 2")
    f.get_by_role("button", name="Open rooms").click()
    expect(f.get_by_role("heading", name="Breakout rooms are open")).to_be_focused()

    for page, room in ((a, "Room 1"), (b, "Room 1"), (c, "Room 2")):
        expect(page.locator("#room-banner-title")).to_have_text(f"You are in {room}")
        expect(page.locator("#boards section.board:visible").first.locator("h2")).to_have_text(room)
    expect(a.locator("#room-with")).to_have_text("With: Bo")
    expect(a.locator("#live-announcer")).to_contain_text("Breakout rooms are open. You are in Room 1.")

    # The plenary is read-only while in a room: the room board takes the ideas.
    plenary = a.locator("section.board", has=a.get_by_role("heading", name="Plenary"))
    expect(plenary.locator("form.compose")).to_have_count(0)
    expect(plenary.locator(".board-note")).to_contain_text("post your ideas on your room's board")
    an.post_idea(SWINGS)
    cas.post_idea(READING)
    expect(idea_item(b, SWINGS)).to_be_visible()
    expect(idea_item(c, SWINGS)).to_have_count(0)
    expect(idea_item(a, READING)).to_have_count(0)
    expect(idea_item(b, READING)).to_have_count(0)

    # The facilitator sees every room live: the overview and each room's board.
    overview = f.locator("#room-cards")
    room1 = overview.locator("li.room-card", has=f.get_by_role("heading", name="Room 1"))
    room2 = overview.locator("li.room-card", has=f.get_by_role("heading", name="Room 2"))
    expect(room1.locator(".room-card-stats")).to_have_text("2 people · 1 idea")
    expect(room2.locator(".room-card-stats")).to_have_text("1 person · 1 idea")
    expect(room1.locator(".chip-name")).to_have_text(["An", "Bo"])
    show_board(f, "Room 1")
    expect(idea_item(f, SWINGS)).to_be_visible()
    expect(idea_item(f, READING)).to_be_hidden()
    room2.get_by_role("button", name="Show board of Room 2").click()
    expect(f.get_by_role("heading", name="Room 2", exact=True).and_(f.locator("#boards h2"))).to_be_focused()
    expect(idea_item(f, READING)).to_be_visible()

    # Busy breakout state is accessible, on the console and on a participant's phone.
    f.get_by_label("Message all rooms").fill("Ten more minutes in your rooms.")
    f.get_by_role("button", name="Send to all rooms").click()
    for page in (a, b, c):
        expect(page.locator("#announcement-list")).to_contain_text("Ten more minutes in your rooms.")
    assert_no_axe_violations(f, axe_js, "the console with rooms open")
    screenshot(f, artifacts, "console-breakout")
    assert_no_axe_violations(a, axe_js, "the participant page in a room")
    screenshot(a, artifacts, "participant-breakout")

    # Move Bo to Room 2 with the keyboard: the name opens a room chooser.
    room1.get_by_role("button", name="Move Bo").focus()
    f.keyboard.press("Enter")
    expect(f.get_by_label("Move Bo to")).to_be_focused()
    f.get_by_label("Move Bo to").select_option("Room 2")
    f.keyboard.press("Enter")
    expect(room2.locator(".chip-name")).to_have_text(["Bo", "Cas"])
    expect(room2.get_by_role("button", name="Move Bo")).to_be_focused()
    expect(b.locator("#room-banner-title")).to_have_text("You are in Room 2")
    # Bo now reads Room 2's earlier ideas, and no longer Room 1's.
    expect(idea_item(b, READING)).to_be_visible()
    expect(idea_item(b, SWINGS)).to_have_count(0)

    # And back by dragging the name onto Room 1.
    room2.locator("li.room-person", has_text="Bo").drag_to(room1)
    expect(room1.locator(".chip-name")).to_have_text(["An", "Bo"])
    expect(b.locator("#room-banner-title")).to_have_text("You are in Room 1")
    expect(idea_item(b, SWINGS)).to_be_visible()

    # A reload lands in the room.
    b.reload()
    expect_live(b)
    expect(b.locator("#room-banner-title")).to_have_text("You are in Room 1")
    expect(idea_item(b, SWINGS)).to_be_visible()

    # Close with a short countdown that everyone sees.
    f.get_by_label("Countdown before the rooms close (seconds)").fill("4")
    f.get_by_role("button", name="Close with countdown").click()
    for page in (a, c):
        expect(page.locator("#room-countdown .countdown-label")).to_have_text("Rooms close in")
        expect(page.locator("#room-countdown .countdown-time")).to_have_text(re.compile(r"^00:0[0-4]$"))
    expect(f.locator("#breakout-countdown .countdown-label")).to_have_text("Rooms close in")

    # Everyone is back in the plenary with the report-back.
    for page in (a, b, c, f):
        report = page.locator("#report-back")
        expect(report).to_be_visible(timeout=15_000)
        expect(report.locator("li.report-room", has_text="Room 1").locator(".top-idea-text")).to_have_text([SWINGS])
        expect(report.locator("li.report-room", has_text="Room 2").locator(".top-idea-text")).to_have_text([READING])
    for page in (a, b, c):
        expect(page.locator("#room-banner")).to_be_hidden()
    expect(a.locator("#live-announcer")).to_contain_text("back in the plenary")
    a.get_by_label("Your idea").fill(PLENARY)
    a.get_by_role("button", name="Post idea").click()
    expect(idea_item(c, PLENARY)).to_be_visible()

    # Each room's board can be opened from the report-back, read-only.
    toggle = a.get_by_role("button", name="Read the whole board of Room 2")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    room2_board = a.locator("section.board", has=a.get_by_role("heading", name="Room 2 (closed)"))
    expect(room2_board).to_be_visible()
    expect(idea_item(a, READING)).to_be_visible()
    expect(room2_board.locator("form.compose")).to_have_count(0)
    expect(room2_board.locator(".board-note")).to_have_text("This room has closed. Its board can be read but no longer changed.")
    assert_no_axe_violations(a, axe_js, "the participant page with the report-back")
    screenshot(a, artifacts, "participant-report-back")
    assert_no_axe_violations(f, axe_js, "the console with the report-back")
    screenshot(f, artifacts, "console-report-back")


def test_self_select_rooms_refuse_a_full_room_and_late_joiners_choose_too(people, axe_js):
    facilitator = people("Fatima")
    an, bo = people("An"), people("Bo", phone=True)
    f, a, b = facilitator.page, an.page, bo.page
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Market square")
    an.join(code)
    bo.join(code)
    f.get_by_label("How people get a room").select_option("self_select")
    f.get_by_label("Places per room (optional)").fill("1")
    f.get_by_label("Duration in minutes (optional)").fill("30")
    f.get_by_role("button", name="Open rooms").click()
    expect(f.locator("#rooms-summary")).to_have_text("2 rooms · 2 people · people choose their room")
    expect(f.locator("li.room-card[data-room=none] .chip-name")).to_have_text(["An", "Bo"])
    expect(f.locator("#breakout-countdown .countdown-label")).to_have_text("Time left in the rooms")

    expect(a.locator("#room-banner-title")).to_have_text("Choose a breakout room")
    expect(a.locator("#live-announcer")).to_contain_text("Breakout rooms are open. Choose a room.")
    expect(a.locator("#room-countdown .countdown-time")).to_have_text(re.compile(r"^(30:00|29:[0-5]\d)$"))
    a.get_by_role("button", name=re.compile("^Room 1")).click()
    expect(a.locator("#room-banner-title")).to_have_text("You are in Room 1")
    expect(b.get_by_role("button", name=re.compile("^Room 1"))).to_contain_text("full")
    assert_no_axe_violations(b, axe_js, "the room chooser")
    b.get_by_role("button", name=re.compile("^Room 1")).click()
    expect(b.locator("#room-chooser-status")).to_have_text("Room 1 is full. Choose another room.")
    b.get_by_role("button", name=re.compile("^Room 2")).click()
    expect(b.locator("#room-banner-title")).to_have_text("You are in Room 2")
    expect(f.locator("li.room-card[data-room=none]")).to_have_count(0)

    # Someone joining now chooses a room as well; the facilitator sees them waiting.
    cas = people("Cas")
    cas.join(code)
    expect(cas.page.locator("#room-banner-title")).to_have_text("Choose a breakout room")
    expect(f.locator("li.room-card[data-room=none] .chip-name")).to_have_text(["Cas"])

    f.get_by_role("button", name="Close now…").click()
    f.get_by_role("button", name="Yes, close the rooms now").click()
    expect(a.locator("#report-back")).to_be_visible()
    expect(a.locator("#report-back li.report-room").first).to_contain_text("No ideas from this room.")


def test_fifty_rooms_stay_compact_on_the_console(people, axe_js, artifacts):
    facilitator = people("Fatima")
    f = facilitator.page
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Whole town")
    citizens = [people(name) for name in ("An", "Bo", "Cas")]
    for person in citizens:
        person.join(code)
    open_rooms(f, rooms=50)
    expect(f.locator("li.room-card")).to_have_count(50)
    expect(f.locator("li.room-card .chip-name")).to_have_count(3)
    box = f.locator("#room-cards").bounding_box()
    assert box and box["height"] < 600, f"the room overview is {box} tall"
    assert f.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(f.get_by_label("Board shown").locator("option")).to_have_count(51)
    assert_no_axe_violations(f, axe_js, "the console with 50 rooms")
    screenshot(f, artifacts, "console-50-rooms")
    f.set_viewport_size({"width": 375, "height": 740})
    assert f.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Someone who joins now is placed in a room (the emptiest) and lands there.
    dan = people("Dan", phone=True)
    dan.join(code)
    expect(dan.page.locator("#room-banner-title")).to_have_text(re.compile(r"^You are in Room \d+$"))
    room = dan.page.locator("#room-banner-title").text_content().removeprefix("You are in ")
    expect(f.locator("li.room-card", has=f.get_by_role("heading", name=room, exact=True)).locator(".chip-name")).to_have_text(["Dan"])
    expect(dan.page.locator("#boards section.board:visible h2").first).to_have_text(room)
