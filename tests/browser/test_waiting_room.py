"""The waiting room in the browser: a citizen waits, a moderator lets them in, another is turned away."""
import pytest
from playwright.sync_api import expect

from .conftest import MODERATOR_PASSWORD, MODERATOR_USERNAME, STAFF_PASSWORD, STAFF_USERNAME
from .helpers import assert_no_axe_violations, expect_live, idea_item, screenshot, start_workshop

pytestmark = pytest.mark.browser


def wait_in(person, code: str) -> None:
    """Join with the link and land in the waiting room."""
    page = person.page
    page.goto(f"/w/{code}/")
    page.get_by_label("Your name").fill(person.name)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", name="Waiting room")).to_be_visible()


def test_a_moderator_lets_one_citizen_in_and_turns_another_away(people, axe_js, artifacts):
    facilitator, moderator, an, eve = people("Fatima"), people("Mo"), people("An", phone=True), people("Eve")
    f, m, a, e = facilitator.page, moderator.page, an.page, eve.page
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Station area", waiting_room=True)
    facilitator.add_staff(code, MODERATOR_USERNAME, "moderator")
    expect(f.locator("#waiting-count")).to_have_text("Nobody is waiting.")
    moderator.log_in(MODERATOR_USERNAME, MODERATOR_PASSWORD)
    m.goto(f"/w/{code}/moderate")
    expect_live(m)

    # An waits: told where, politely, and shown nothing of the workshop.
    wait_in(an, code)
    expect(a.locator("#waiting-text")).to_have_text(
        "You are in the waiting room of Station area; a host will let you in.")
    expect(a.locator("#live-announcer")).to_contain_text("You are in the waiting room of Station area")
    expect(a.locator("#live")).to_be_hidden()
    assert_no_axe_violations(a, axe_js, "the waiting room")
    screenshot(a, artifacts, "waiting-room")

    # Staff see An appear live, on the console and on the moderation page.
    for page in (f, m):
        expect(page.locator("#waiting-list .person-name")).to_have_text(["An"])
    expect(m.locator("#live-announcer")).to_contain_text("An is waiting to be let in.")
    expect(f.locator("#people-list")).not_to_contain_text("An")
    assert_no_axe_violations(f, axe_js, "the console with someone waiting")
    screenshot(f, artifacts, "console-waiting-room")

    # The moderator lets An in with the keyboard; An gets the workshop and can post.
    admit = m.get_by_role("button", name="Admit An")
    admit.focus()
    m.keyboard.press("Enter")
    expect(m.locator("#waiting-status")).to_have_text("An was let in.")
    expect(m.locator("#waiting-title")).to_be_focused()
    expect(f.locator("#waiting-list li")).to_have_count(0)
    expect_live(a)
    expect(a.locator("#live-announcer")).to_contain_text("A host let you in. Welcome to Station area.")
    an.post_idea("More bike racks")
    expect(idea_item(f, "More bike racks")).to_be_visible()
    expect(f.locator("#people-list")).to_contain_text("An")

    # Eve is turned away: her page says so, and joining again does not bring her back.
    wait_in(eve, code)
    f.get_by_role("button", name="Reject Eve").click()
    expect(e.locator("#fatal-text")).to_have_text("A host did not let you into this workshop.")
    expect(m.locator("#waiting-list li")).to_have_count(0)
    e.reload()
    expect(e.locator("#fatal")).to_be_visible()
    expect(m.locator("#log-rows")).to_contain_text("turned away")
    expect(m.locator("#log-rows")).to_contain_text("let in")
