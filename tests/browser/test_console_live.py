"""Running a live session from the console (issue 16): the agenda drives the time, one countdown at a
time, the pinned live bar with the rooms' close controls, the room-size preview, the projector page,
and status messages that leave."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import STAFF_PASSWORD, STAFF_USERNAME
from .helpers import assert_no_axe_violations, expect_live, idea_item, start_workshop

pytestmark = pytest.mark.browser

# Whether the focused element is clear of the live bar (or in it): WCAG 2.4.11, focus not obscured.
FOCUS_CLEAR_OF_BAR = """el => {
    const bar = document.getElementById("live-bar");
    if (!bar || bar.hidden || bar.contains(el)) return true;
    const b = bar.getBoundingClientRect(), r = el.getBoundingClientRect();
    return r.top >= b.bottom - 1 || r.bottom <= b.top + 1;
}"""


def set_step(f, title: str) -> None:
    f.get_by_role("button", name=f"Set as current phase: {title}").click()


def test_the_agenda_fills_the_timer_and_rooms_and_only_one_countdown_shows(people, axe_js):
    facilitator = people("Fatima")
    an = people("An", phone=True)
    bo = people("Bo")
    f, a = facilitator.page, an.page
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "The empty lot",
                          agenda="Ideas round, 1\nBreakout discussion, 20")
    an.join(code)
    bo.join(code)

    # The first step, current from the start, offers its minutes to the timer and to the rooms.
    expect(f.get_by_label("Minutes", exact=True)).to_have_value("1")
    expect(f.get_by_label("Seconds", exact=True)).to_have_value("0")
    expect(f.get_by_label("Label (optional)")).to_have_value("Ideas round")
    expect(f.get_by_label("Duration in minutes (optional)")).to_have_value("1")
    expect(f.locator("#timer-from-step")).to_have_text("Filled in from the agenda: Ideas round, 1 minute.")

    # A short timer runs out; "Timer started." leaves by itself a few seconds later.
    f.get_by_label("Minutes", exact=True).fill("0")
    f.get_by_label("Seconds", exact=True).fill("2")
    f.get_by_role("button", name="Start timer").click()
    expect(f.locator("#timer-status")).to_have_text("Timer started.")
    expect(a.locator("#timer-remaining")).to_have_text("Time is up", timeout=15_000)
    expect(f.locator("#timer-remaining")).to_have_text("Time is up")
    expect(f.locator("#timer-status")).to_have_text("", timeout=12_000)

    # The next step: the expired timer leaves every screen, and the step's 20 minutes are offered.
    set_step(f, "Breakout discussion")
    expect(f.locator("#agenda-status")).to_have_text("Phase changed. Its 20 minutes are filled in for the timer and the rooms.")
    expect(a.locator("#phase-now")).to_have_text("Step 2 of 2: Breakout discussion")
    expect(a.locator("#timer")).to_be_hidden()
    expect(f.locator("#timer")).to_be_hidden()
    expect(f.get_by_label("Minutes", exact=True)).to_have_value("20")
    expect(f.get_by_label("Label (optional)")).to_have_value("Breakout discussion")
    expect(f.get_by_label("Duration in minutes (optional)")).to_have_value("20")

    # Timer and timed rooms together: the running timer is the one countdown shown.
    f.get_by_role("button", name="Start timer").click()
    expect(a.locator("#timer-label")).to_have_text("Breakout discussion")
    f.get_by_label("Number of rooms").fill("2")
    f.get_by_role("button", name="Open rooms").click()
    expect(a.locator("#room-banner")).to_be_visible()
    for page, rooms_countdown in ((a, "#room-countdown"), (f, "#breakout-countdown")):
        expect(page.locator("#timer")).to_be_visible()
        expect(page.locator(rooms_countdown)).to_be_hidden()

    # While the rooms close, their countdown wins and the timer steps aside, on every page.
    f.get_by_label("Countdown before the rooms close (seconds)").fill("30")
    f.get_by_role("button", name="Close with countdown").click()
    for page, rooms_countdown in ((a, "#room-countdown"), (f, "#breakout-countdown")):
        expect(page.locator(f"{rooms_countdown} .countdown-label")).to_have_text("Rooms close in")
        expect(page.locator("#timer")).to_be_hidden()
    assert_no_axe_violations(a, axe_js, "the participant page at phone width while the rooms close")

    # Closed: the timer is back.
    f.get_by_role("button", name="Close now…").click()
    f.get_by_role("button", name="Yes, close the rooms now").click()
    expect(a.locator("#room-banner")).to_be_hidden()
    for page in (a, f):
        expect(page.locator("#timer-label")).to_have_text("Breakout discussion")


def test_the_live_bar_keeps_the_step_countdown_and_close_controls_in_reach_at_phone_width(people, axe_js, artifacts):
    facilitator = people("Fatima", phone=True)
    citizens = [people(name) for name in ("An", "Bo", "Cas")]
    f = facilitator.page
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Station square",
                          agenda="Welcome, 5\nBreakout discussion, 20", columns="Problems\nIdeas\nQuestions")
    for person in citizens:
        person.join(code)
    expect(f.locator("#people-list li")).to_have_count(4)
    bar = f.locator("#live-bar")
    expect(bar).to_be_visible()
    set_step(f, "Breakout discussion")
    expect(f.locator("#live-bar-step")).to_have_text("Step 2 of 2: Breakout discussion · 20 min")

    # Before opening: the sizes the server will deal, and a warning for anyone alone in a room.
    f.get_by_label("Number of rooms").fill("3")
    expect(f.locator("#breakout-preview")).to_have_text("Room sizes: 1, 1, and 1.")
    expect(f.locator("#breakout-warning")).to_have_text("3 rooms would have one person alone in them. Open fewer rooms?")
    f.get_by_label("Number of rooms").fill("4")
    expect(f.locator("#breakout-warning")).to_have_text(
        "3 rooms would have one person alone in them. 1 room would be empty. Open fewer rooms?")
    f.get_by_label("Number of rooms").fill("2")
    expect(f.locator("#breakout-preview")).to_have_text("Room sizes: 2 and 1.")
    expect(f.locator("#breakout-warning")).to_have_text("1 room would have one person alone in it. Open fewer rooms?")
    f.get_by_label("How people get a room").select_option("manual")
    f.locator("#breakout-assign").get_by_label("An", exact=True).select_option("Room 1")
    f.locator("#breakout-assign").get_by_label("Bo", exact=True).select_option("Room 1")
    # Cas, on "Any room", goes to the smallest room, as the server deals.
    expect(f.locator("#breakout-preview")).to_have_text("Room sizes: 2 and 1.")
    f.locator("#breakout-assign").get_by_label("Cas", exact=True).select_option("Room 1")
    expect(f.locator("#breakout-preview")).to_have_text("Room sizes: 3 and 0.")
    expect(f.locator("#breakout-warning")).to_have_text("1 room would be empty. Open fewer rooms?")
    f.locator("#breakout-assign").get_by_label("Bo", exact=True).select_option("Room 2")
    expect(f.locator("#breakout-preview")).to_have_text("Room sizes: 2 and 1.")
    f.get_by_role("button", name="Open rooms").click()
    expect(f.get_by_role("heading", name="Breakout rooms are open")).to_be_focused()
    expect(f.get_by_role("button", name="Close with countdown")).to_be_visible()
    expect(f.locator("#breakout-close-hint")).to_have_text("Everyone gets 60 seconds.")
    expect(f.locator("#breakout-countdown .countdown-label")).to_have_text("Time left in the rooms")

    # At the bottom of a long page the bar is still at the top of the window, controls and all.
    f.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    f.wait_for_timeout(200)
    box = bar.bounding_box()
    assert box is not None and abs(box["y"]) <= 1, f"the live bar is not pinned at the top: {box}"
    expect(f.get_by_role("button", name="Close with countdown")).to_be_in_viewport()
    expect(f.get_by_role("button", name="Close now…")).to_be_in_viewport()
    f.screenshot(path=str(artifacts / "console-live-bar.png"))

    # Going back up the page with the keyboard, nothing focused hides under the bar.
    f.locator("#agenda-title").focus()
    for _ in range(30):
        f.keyboard.press("Shift+Tab")
        assert f.evaluate(f"({FOCUS_CLEAR_OF_BAR})(document.activeElement)"), (
            "focus is under the live bar: " + f.evaluate("document.activeElement.outerHTML.slice(0, 160)"))
    assert_no_axe_violations(f, axe_js, "the console with rooms open at phone width")

    # "Close now" is confirmed first; cancelling changes nothing.
    f.get_by_role("button", name="Close now…").click()
    expect(f.get_by_role("button", name="Cancel").and_(f.locator("#breakout-close-now-no"))).to_be_focused()
    expect(f.locator("#breakout-close-confirm")).to_contain_text("Close every room now, without a countdown?")
    f.keyboard.press("Escape")
    expect(f.locator("#breakout-close-confirm")).to_be_hidden()
    expect(f.get_by_role("button", name="Close now…")).to_be_focused()
    expect(f.get_by_role("button", name="Close now…")).to_have_attribute("aria-expanded", "false")
    expect(citizens[0].page.locator("#room-banner")).to_be_visible()

    f.get_by_role("button", name="Close with countdown").click()
    expect(f.locator("#breakout-countdown .countdown-label")).to_have_text("Rooms close in")
    expect(f.get_by_role("button", name="Close with countdown")).to_be_hidden()
    f.get_by_role("button", name="Close now…").click()
    f.get_by_role("button", name="Yes, close the rooms now").click()
    expect(f.locator("#live-bar-close")).to_be_hidden()
    expect(f.locator("#breakout-close-status")).to_have_text("The rooms are closed.")
    expect(citizens[0].page.locator("#room-banner")).to_be_hidden()
    expect(f.locator("#breakout-close-status")).to_have_text("", timeout=12_000)


def test_the_projector_page_shows_the_way_in_and_the_session_live(people, axe_js, artifacts):
    facilitator = people("Fatima")
    an, bo = people("An"), people("Bo")
    f, a = facilitator.page, an.page
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Lime tree park", agenda="Ideas round, 10")
    an.join(code)
    bo.join(code)

    # Only facilitators: a citizen is refused, and the page says how to get in.
    response = a.goto(f"/w/{code}/screen")
    assert response is not None and response.status == 403
    expect(a.get_by_role("heading", name="This page is for the workshop's facilitators")).to_be_visible()
    assert_no_axe_violations(a, axe_js, "the projector page refused")
    a.goto(f"/w/{code}/")
    expect_live(a)

    # The console links to it; it opens in a new tab.
    with facilitator.context.expect_page() as opened:
        f.get_by_role("link", name="Open the projector view (opens in a new tab)").click()
    s = opened.value
    expect(s.locator("#live")).to_be_visible()
    expect(s.locator("#conn")).to_have_attribute("data-state", "live")
    expect(s.locator(".screen-join-address")).to_have_text(re.compile(rf"^127\.0\.0\.1:\d+/w/{code}$"))
    expect(s.get_by_role("img", name="QR code of the join address")).to_be_visible()
    expect(s.locator(".screen-code .code")).to_have_text(code)
    expect(s.locator("#workshop-title")).to_have_text("Lime tree park")
    expect(s.locator("#screen-top-empty")).to_be_visible()
    # The place for poll results waits, empty, until a poll exists.
    expect(s.locator("#screen-poll")).to_be_hidden()

    # The step, the timer and announcements follow the console.
    expect(s.locator("#phase-now")).to_have_text("Step 1 of 1: Ideas round")
    f.get_by_role("button", name="Start timer").click()
    expect(s.locator("#timer-label")).to_have_text("Ideas round")
    expect(s.locator("#timer-remaining")).to_have_text(re.compile(r"^(10:00|09:[0-5]\d)$"))
    f.get_by_label("Announcement to everyone").fill("Write one idea per card, please.")
    f.get_by_role("button", name="Send announcement").click()
    expect(s.locator("#announcement-list")).to_contain_text("Write one idea per card, please.")

    # The plenary's top ideas, live, most agreement first.
    an.post_idea("A tool library in the old kiosk")
    bo.post_idea("Benches along the canal")
    idea_item(a, "Benches along the canal").get_by_role("button", name=re.compile("^Agree")).click()
    expect(s.locator("#screen-top-list .screen-idea-text")).to_have_text(
        ["Benches along the canal", "A tool library in the old kiosk"])
    expect(s.locator("#screen-top-list li").first.locator(".screen-idea-meta")).to_have_text("Bo · 1 agrees")

    # Rooms: how many are open, then their closing countdown, which the timer makes way for.
    f.get_by_label("Number of rooms").fill("2")
    f.get_by_label("Duration in minutes (optional)").fill("")
    f.get_by_role("button", name="Open rooms").click()
    expect(s.locator("#screen-rooms")).to_have_text("2 rooms are open.")
    f.get_by_role("button", name="Close with countdown").click()
    expect(s.locator("#screen-countdown .countdown-label")).to_have_text("Rooms close in")
    expect(s.locator("#timer")).to_be_hidden()
    expect(s.locator("#screen-rooms")).to_have_text("The rooms are closing.")
    assert_no_axe_violations(s, axe_js, "the projector page")
    s.set_viewport_size({"width": 1280, "height": 800})
    s.screenshot(path=str(artifacts / "projector.png"))
    f.get_by_role("button", name="Close now…").click()
    f.get_by_role("button", name="Yes, close the rooms now").click()
    expect(s.locator("#screen-rooms")).to_be_hidden()
    expect(s.locator("#timer")).to_be_visible()
