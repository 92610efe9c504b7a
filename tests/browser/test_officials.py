"""The officials' page (what waits for their response, with the form at hand) and a citizen's ideas after the end."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import OFFICIAL_USERNAME, STAFF_PASSWORD, STAFF_USERNAME
from .helpers import PHONE, assert_no_axe_violations, expect_live, tab_to
from .scripted import play_workshop

pytestmark = pytest.mark.browser

TITLE = "A quay to linger on"


def test_an_official_finds_the_unanswered_proposal_and_answers_it_by_keyboard(people, server, facilitator, official,
                                                                               axe_js, artifacts):
    story = play_workshop(server, facilitator, official=official, title="Officials' quay", respond=False, survey=False)
    try:
        olivia = people("Olivia")
        olivia.log_in(*official)
        page = olivia.page
        page.get_by_role("link", name="Proposals waiting for your response (officials)").click()
        expect(page).to_have_url(re.compile(r"/officials$"))
        expect(page.get_by_role("heading", name="Proposals waiting for your response", level=1)).to_be_visible()
        expect(page.locator("#awaiting-lead")).to_contain_text("older than 30 days")
        expect(page.locator("#digest-note")).to_have_text(
            "Once a week, when something waits, this list comes by mail to official@example.org.")
        section = page.locator("section.awaiting-workshop", has=page.get_by_role("heading", name="Officials' quay", level=2))
        item = section.locator("li.awaiting-item", has=page.get_by_role("heading", name=TITLE, level=3))
        expect(item.locator(".awaiting-waiting")).to_have_text("Published 0 days ago, no response yet.")
        expect(item.get_by_role("link", name=TITLE)).to_have_attribute(
            "href", f"/w/{story.code}/outcomes#proposal-{story.proposal}")
        expect(item.get_by_role("heading", name="Respond as an official", level=4)).to_be_visible()
        assert_no_axe_violations(page, axe_js, "the officials' page")

        # By keyboard alone: the status, the message, the button.
        status_id = f"respond-{story.proposal}-status"
        tab_to(page, f"el.id === '{status_id}'", limit=200)
        page.keyboard.press("ArrowDown")  # Under review -> Accepted
        page.keyboard.press("Tab")
        expect(item.get_by_label("Message to the participants")).to_be_focused()
        page.keyboard.type("The parks department costs the benches; we decide in March.")
        page.keyboard.press("Tab")
        expect(item.get_by_role("button", name="Publish response")).to_be_focused()
        page.keyboard.press("Enter")
        expect(item.get_by_text("Your response was published.")).to_be_visible()
        expect(item.locator(".awaiting-waiting")).to_have_text("Responded just now: Accepted.")
        status, body = story.official.http.get(f"/api/workshops/{story.code}/outcomes")
        assert status == 200 and body["proposals"][0]["response"]["message"].startswith("The parks department")
        assert_no_axe_violations(page, axe_js, "the officials' page after a response")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(150)
        assert_no_axe_violations(page, axe_js, "the officials' page on a phone")
        page.screenshot(path=str(artifacts / "officials-phone.png"), full_page=True)

        page.reload()
        expect(page.get_by_role("heading", name="Proposals waiting for your response", level=1)).to_be_visible()
        expect(page.get_by_role("heading", name="Officials' quay", level=2)).to_have_count(0)

        # Where an official answers a workshop's proposals, the way to the page across their workshops.
        page.goto(f"/w/{story.code}/outcomes")
        page.get_by_role("link", name="Proposals waiting for your response (officials)").click()
        expect(page).to_have_url(re.compile(r"/officials$"))

        # A facilitator who is nobody's official is not sent there.
        fatima = people("Fatima")
        fatima.log_in(STAFF_USERNAME, STAFF_PASSWORD)
        expect(fatima.page.locator("#mine li", has_text="Officials' quay")).to_be_visible()
        expect(fatima.page.locator("#officials-link")).to_be_hidden()

        visitor = people("Visitor")
        visitor.page.goto(f"/w/{story.code}/outcomes")
        expect(visitor.page.get_by_role("heading", name=TITLE)).to_be_visible()
        expect(visitor.page.locator("#officials-link")).to_be_hidden()
        visitor.page.goto("/officials")
        expect(visitor.page.get_by_role("heading", name="Log in to see the proposals waiting for you")).to_be_visible()
        expect(visitor.page.locator("#fatal")).to_be_focused()
        assert_no_axe_violations(visitor.page, axe_js, "the officials' page, logged out")
    finally:
        story.close()


def test_after_the_end_my_ideas_show_each_proposal_with_its_response_timeline(people, server, facilitator, official,
                                                                             axe_js, artifacts):
    story = play_workshop(server, facilitator, official=official, title="Quay, months later", survey=False)
    try:
        anna = people("Anna")
        anna.context.add_cookies([story.citizens[0].session_cookie()])
        page = anna.page
        page.goto(f"/w/{story.code}/")
        expect_live(page)
        mine = page.locator("#my-ideas li.my-idea", has_text="Benches in the shade along the quay")
        # During the workshop: the latest response in one line, no timeline.
        expect(mine.locator(".my-idea-proposal")).to_contain_text("Official response: Accepted.")
        expect(mine.locator(".my-idea-timeline")).to_have_count(0)

        story.facilitator.socket.command("workshop.end")
        outcome = mine.locator(".my-idea-outcome")
        expect(outcome.locator(".my-idea-current")).to_have_text("Current status: Accepted.")
        timeline = outcome.get_by_role("list", name=f"Responses to “{TITLE}”, oldest first")
        expect(timeline.locator("li")).to_have_count(1)

        # Weeks later an official gives an update: it joins the timeline live, and the status follows.
        status, body = story.official.http.post(f"/api/workshops/{story.code}/proposals/{story.proposal}/response",
                                                {"status": "implemented", "message": "The benches are in place."})
        assert status == 201, body
        expect(timeline.locator("li")).to_have_count(2)
        expect(timeline.locator(".timeline-message")).to_have_text(["The council will fund this in spring.",
                                                                    "The benches are in place."])
        expect(timeline.locator(".timeline-head")).to_have_text(["Accepted", "Implemented"])
        expect(timeline.locator(".timeline-meta").first).to_contain_text(f"by {OFFICIAL_USERNAME}")
        expect(timeline.locator("time").first).to_have_attribute("datetime", re.compile(r"^\d{4}-"))
        expect(outcome.locator(".my-idea-current")).to_have_text("Current status: Implemented.")
        expect(outcome.get_by_role("link", name=TITLE)).to_be_visible()
        assert_no_axe_violations(page, axe_js, "my ideas after the end, with a response timeline")
        page.locator("#my-ideas").screenshot(path=str(artifacts / "my-ideas-after-the-end.png"))

        # The same in Dutch, for a reader whose browser asks for it.
        anna_nl = people("Anna in Dutch", locale="nl-NL")
        anna_nl.context.add_cookies([story.citizens[0].session_cookie()])
        nl = anna_nl.page
        nl.goto(f"/w/{story.code}/")
        expect(nl.locator("#my-ideas .my-idea-current")).to_have_text("Huidige status: Uitgevoerd.")
    finally:
        story.close()
