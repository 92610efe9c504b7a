"""A workshop of a thousand people: pages give counts and the people of one's own room, not every name."""
import re

import pytest
from playwright.sync_api import expect

from tests.bulk import bulk_participants

from .helpers import assert_no_axe_violations, expect_live, screenshot
from .scripted import Member

pytestmark = pytest.mark.browser

CROWD = 1000  # offline citizens, far past the pages' threshold of 60 people


def names_of_the_crowd(page) -> list[str]:
    """Every "Citizen 00042" the page shows anywhere."""
    return re.findall(r"Citizen \d{5}", page.locator("body").inner_text())


def open_as(people, member: Member, path: str, locale: str = "en-US"):
    """A browser page with this scripted member's session, on `path`, live."""
    person = people(member.name, locale=locale)
    person.context.add_cookies([member.session_cookie()])
    person.page.goto(path)
    expect_live(person.page)
    return person.page


def test_a_large_workshop_shows_counts_and_ones_room_not_a_thousand_names(people, server, facilitator, axe_js, artifacts):
    status, body = facilitator.http.post("/api/workshops", {"title": "City of thousands", "language": "en"})
    assert status == 201, body
    code = body["code"]
    fac = facilitator.open(code)  # the facilitator is online through this socket
    fac.command("workshop.start")
    bulk_participants(server.env, code, CROWD)
    an, bo = Member(server, "An"), Member(server, "Bo")
    an_id, bo_id = an.join(code), bo.join(code)
    bo.open(code)
    total = CROWD + 3
    try:
        page = open_as(people, an, f"/w/{code}/")
        # In the plenary: the counts, and only the staff online by name.
        expect(page.locator("#people-count")).to_have_text(f"3 of {total} online")
        expect(page.locator("#people-roles")).to_have_text(f"1 facilitator, 1 online · {CROWD + 2} citizens, 2 online")
        expect(page.locator("#people-scope")).to_have_text("Staff online")
        expect(page.locator("#people-list li")).to_have_count(1)
        expect(page.locator("#people-list")).to_contain_text("facilitator")
        assert names_of_the_crowd(page) == []
        assert_no_axe_violations(page, axe_js, "the participant page of a large workshop")

        # An and Bo share the first of ten rooms; the crowd is dealt over all ten, about a hundred each.
        fac.command("breakout.open", rooms=10, mode="manual", assignments={str(an_id): 0, str(bo_id): 0})
        expect(page.locator("#room-banner-title")).to_have_text("You are in Room 1")
        scope = page.locator("#people-scope")
        expect(scope).to_have_text(re.compile(r"^In Room 1: 2 of \d+ online$"))
        in_room = int(re.search(r"of (\d+)", scope.inner_text()).group(1))
        assert in_room > 60
        expect(page.locator("#people-list li")).to_have_text(["An (you)", "Bo"])
        expect(page.locator("#room-with")).to_have_text(f"With {in_room - 1} other people.")
        assert names_of_the_crowd(page) == []
        assert_no_axe_violations(page, axe_js, "the participant page of a large workshop in a breakout")
        screenshot(page, artifacts, "large-participant")

        # The console: counts, the staff, and a search to find anyone, also to move them.
        console = open_as(people, facilitator, f"/w/{code}/facilitate")
        expect(console.locator("#people-count")).to_have_text(f"3 of {total} online")
        expect(console.locator("#people-scope")).to_have_text("Staff")
        expect(console.locator("#people-list li")).to_have_count(1)
        expect(console.locator("#room-cards > li")).to_have_count(10)
        expect(console.locator("#room-cards .room-person")).to_have_count(0)
        expect(console.locator("#room-cards > li").first).to_contain_text(f"{in_room} people · 2 online")
        assert names_of_the_crowd(console) == []
        console.get_by_label("Find a participant").fill("citizen 0012")
        expect(console.locator("#people-found")).to_have_text("10 people found.")
        expect(console.locator("#people-list li")).to_have_count(10)
        console.get_by_label("Find a participant").fill("citizen 00")
        expect(console.locator("#people-found")).to_have_text("1000 people found. The first 60 are listed: type more of the name.")
        expect(console.locator("#people-list li")).to_have_count(60)
        console.get_by_label("Find a participant").fill("")
        expect(console.locator("#people-list li")).to_have_count(1)
        expect(console.locator("#people-found")).to_have_text("")
        # Contributions: counted, and named only for a search, quiet ones first.
        expect(console.locator("#contrib-summary")).to_contain_text(f"of {total - 1} citizens")
        expect(console.locator("#contrib-list li")).to_have_count(0)
        console.get_by_label("Find a citizen").fill("citizen 00012")
        found = console.locator("#contrib-list li")
        expect(found).to_have_count(1)
        expect(found.first).to_contain_text("Citizen 00012")
        expect(found.first.get_by_role("button", name="Nudge")).to_be_visible()
        console.get_by_label("Find a citizen").fill("")
        expect(found).to_have_count(0)

        search = console.get_by_label("Find a person to move")
        search.fill("bo")
        expect(console.locator("#rooms-found")).to_have_text("1 person found.")
        chip = console.locator("#rooms-found-list .person-chip")
        expect(chip).to_have_accessible_name("Move Bo (Room 1)")
        assert_no_axe_violations(console, axe_js, "the console of a large workshop, searching")
        screenshot(console, artifacts, "large-console")
        chip.focus()
        console.keyboard.press("Enter")
        move_to = console.get_by_label("Move Bo to")
        expect(move_to).to_be_focused()
        move_to.select_option(label="Room 2")
        console.keyboard.press("Enter")
        expect(console.locator("#rooms-status")).to_have_text("Bo moved to Room 2.")
        expect(chip).to_have_accessible_name("Move Bo (Room 2)")
        expect(chip).to_be_focused()
        expect(page.locator("#people-list li")).to_have_text(["An (you)"])
        expect(page.locator("#people-scope")).to_have_text(f"In Room 1: 1 of {in_room - 1} online")

        # Placing by hand: the people found by name and those placed are listed, not a thousand selects.
        fac.command("breakout.close", grace_s=0)
        expect(console.locator("#breakout-form")).to_be_visible()
        console.get_by_label("How people get a room").select_option("manual")
        expect(console.locator("#breakout-assign-found")).to_have_text("0 people placed by hand.")
        expect(console.locator("#breakout-assign li")).to_have_count(0)
        place = console.get_by_label("Find a person to place")
        place.fill("an")
        place.press("Enter")  # finds; it does not open the rooms
        expect(console.locator("#breakout-assign-found")).to_have_text("1 person found.")
        console.locator("#breakout-assign").get_by_label("An", exact=True).select_option(label="Room 2")
        place.fill("")
        expect(console.locator("#breakout-assign-found")).to_have_text("1 person placed by hand.")
        expect(console.locator("#breakout-assign li")).to_have_count(1)
        expect(console.locator("#breakout-running")).to_be_hidden()
        assert names_of_the_crowd(console) == []
        assert_no_axe_violations(console, axe_js, "the console of a large workshop, placing by hand")

        # The same counts in Dutch.
        dutch = open_as(people, facilitator, f"/w/{code}/facilitate", locale="nl-NL")
        expect(dutch.locator("html")).to_have_attribute("lang", "nl")
        expect(dutch.locator("#people-count")).to_have_text(f"3 van {total} online")
        expect(dutch.get_by_label("Een deelnemer zoeken")).to_be_visible()
        expect(dutch.locator("#people-scope")).to_have_text("Team")
        expect(dutch.locator("#people-roles")).to_have_text(f"1 begeleider, 1 online · {CROWD + 2} burgers, 2 online")
    finally:
        an.close()
        bo.close()
