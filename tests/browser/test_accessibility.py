"""WCAG 2.1 A/AA (axe-core) on every page, empty and busy; screenshots for a human look."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import STAFF_PASSWORD, STAFF_USERNAME
from .helpers import assert_no_axe_violations, expect_live, idea_item, screenshot, start_workshop
from .scripted import play_workshop

pytestmark = pytest.mark.browser


def test_front_page_has_no_axe_violations(people, axe_js, artifacts):
    visitor = people("Visitor")
    page = visitor.page
    page.goto("/")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert_no_axe_violations(page, axe_js, "the front page, logged out")
    screenshot(page, artifacts, "front-logged-out")

    # Errors are shown next to their fields, and stay accessible.
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text("Enter the workshop code.")).to_be_visible()
    expect(page.get_by_label("Workshop code")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Username").fill(STAFF_USERNAME)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-status")).to_have_attribute("data-kind", "error")
    expect(page.locator("#login-status")).not_to_be_empty()
    assert_no_axe_violations(page, axe_js, "the front page with errors")

    visitor.log_in(STAFF_USERNAME, STAFF_PASSWORD)
    assert_no_axe_violations(page, axe_js, "the front page, logged in")
    page.get_by_label("Title", exact=True).fill("Market hall")
    page.get_by_label("Agenda (optional)").fill("Welcome\nIdeas, 20")
    page.get_by_role("button", name="Create workshop").click()
    expect(page.get_by_label("Agenda (optional)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Line 1: write each step as")).to_be_visible()
    assert_no_axe_violations(page, axe_js, "the create form with a field error")
    page.get_by_label("Agenda (optional)").fill("Welcome, 5\nIdeas, 20")
    page.get_by_role("button", name="Create workshop").click()
    expect(page.locator("#created")).to_be_visible()
    expect(page.locator("#mine li", has_text="Market hall")).to_be_visible()
    assert_no_axe_violations(page, axe_js, "the front page with workshops")
    screenshot(page, artifacts, "front-staff")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def test_participant_and_console_pages_have_no_axe_violations_empty_and_busy(people, axe_js, artifacts):
    facilitator = people("Fatima")
    an = people("An", phone=True)
    bo = people("Bo")
    f, a, b = facilitator.page, an.page, bo.page
    facilitator.log_in(STAFF_USERNAME, STAFF_PASSWORD)
    code = facilitator.create_workshop("Library garden", agenda="Welcome, 5\nIdeas, 20\nWrap-up, 10",
                                       columns="Plants\nSeating\nEvents")

    # Empty: the console before the start, the join form, a board without ideas.
    f.goto(f"/w/{code}/facilitate")
    expect_live(f)
    expect(f.get_by_role("button", name="Start workshop")).to_be_visible()
    assert_no_axe_violations(f, axe_js, "the console, empty")
    screenshot(f, artifacts, "console-empty")

    a.goto(f"/w/{code}/")
    expect(a.get_by_label("Your name")).to_be_visible()
    expect(a.get_by_text("Library garden")).to_be_visible()
    assert_no_axe_violations(a, axe_js, "the join form")
    screenshot(a, artifacts, "participant-join")
    a.get_by_role("button", name="Join").click()
    expect(a.get_by_text("Please enter the name others will see.")).to_be_visible()
    assert_no_axe_violations(a, axe_js, "the join form with an error")
    a.get_by_label("Your name").fill("An")
    a.get_by_role("button", name="Join").click()
    expect_live(a)
    expect(a.locator(".empty").first).to_have_text("No ideas yet.")
    assert_no_axe_violations(a, axe_js, "the participant page, empty")
    screenshot(a, artifacts, "participant-empty")

    # Busy: started, a phase, a timer, an announcement, ideas in columns, a thread, reactions.
    f.get_by_role("button", name="Start workshop").click()
    expect(f.locator("#workshop-status")).to_have_text("Live")
    f.get_by_role("button", name="Set as current phase: Ideas").click()
    f.get_by_label("Label (optional)").fill("Silent brainstorm")
    f.get_by_role("button", name="Start timer").click()
    f.get_by_label("Announcement to everyone").fill("Welcome! Post your ideas for the garden.")
    f.get_by_role("button", name="Send announcement").click()
    bo.join(code)
    plants = an.post_idea("Herbs that neighbours can pick", column="Plants")
    an.post_idea("A long bench along the south wall, out of the wind, with a table for chess players "
                 "and space for wheelchairs next to it", column="Seating")
    bo.post_idea("Monthly swap market for seedlings", column="Events")
    bo.build_on(idea_item(b, "Herbs that neighbours can pick"), "An", "With name tags so children learn them")
    reply = plants.locator(":scope > ol.thread > li.idea")
    expect(reply).to_have_count(1)
    reply.get_by_role("button", name=re.compile("^Agree")).click()
    expect(reply.get_by_role("button", name=re.compile("^Agree"))).to_have_attribute("aria-pressed", "true")
    expect(a.locator("#timer-label")).to_have_text("Silent brainstorm")
    expect(a.locator("#announcement-list")).to_contain_text("Welcome! Post your ideas")
    # An open edit form and a withdraw confirmation are part of the busy page too.
    plants.locator(":scope > article").get_by_role("button", name="Edit").click()
    expect(a.get_by_label("Edit your idea")).to_be_focused()
    assert_no_axe_violations(a, axe_js, "the participant page, busy")
    screenshot(a, artifacts, "participant-busy")
    a.keyboard.press("Escape")
    expect(plants.locator(":scope > article").get_by_role("button", name="Edit")).to_be_focused()

    expect(idea_item(f, "Monthly swap market for seedlings")).to_be_visible()
    assert_no_axe_violations(f, axe_js, "the console, busy")
    screenshot(f, artifacts, "console-busy")
    assert_no_axe_violations(b, axe_js, "the second participant's page, busy")

    # The end of the workshop: read-only boards.
    f.get_by_role("button", name="End workshop").click()
    expect(f.get_by_role("button", name="End now")).to_be_visible()
    assert_no_axe_violations(f, axe_js, "the console asking to confirm the end")
    f.get_by_role("button", name="End now").click()
    expect(a.locator("#workshop-status")).to_have_text("Ended")
    assert_no_axe_violations(a, axe_js, "the participant page after the end")


def test_pages_follow_the_browsers_language(people, axe_js):
    facilitator = people("Fatima")
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Buurtfeest")
    assert facilitator.page.evaluate("document.documentElement.lang") == "en"

    noor = people("Noor", phone=True, locale="nl-NL")
    page = noor.page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", name="Doe mee met een workshop")).to_be_visible()
    # Strings from the ES modules come from the JavaScript catalog in the same language.
    page.get_by_role("button", name="Meedoen").click()
    expect(page.get_by_text("Vul de workshopcode in.")).to_be_visible()
    page.get_by_label("Workshopcode").fill(code)
    page.keyboard.press("Enter")
    page.get_by_label("Je naam").fill("Noor")
    page.get_by_role("button", name="Meedoen").click()
    expect(page.locator("#conn-text")).to_have_text("Verbonden")
    expect(page.locator("#me-line")).to_have_text("Je doet mee als Noor.")
    expect(page.locator("#rung-badge")).to_have_text("Trede 1 van 5: Geïnformeerd")
    assert_no_axe_violations(page, axe_js, "the participant page in Dutch")


# English that a German page must not show: words of the templates and of the ES modules.
NOT_GERMAN = ["Skip to main content", "Proposals", "My ideas", "Your participation", "Connected", "Official response",
              "Accepted", "Run the workshop", "End workshop", "Participation ladder", "Follow by mail", "Outcomes"]


def speaks_german(page, where: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "de")
    text = page.locator("body").inner_text()
    found = [phrase for phrase in NOT_GERMAN if re.search(rf"\b{re.escape(phrase)}\b", text)]
    assert not found, f"{where} in German shows English: {found}"


def test_a_german_workshop_has_german_pages_without_axe_violations(people, server, facilitator, official, axe_js,
                                                                   artifacts):
    story = play_workshop(server, facilitator, official=official, title="Marktplatz", language="de")
    try:
        # The participant page of a citizen whose idea fed the accepted proposal.
        anna = people("Anna", locale="de-DE")
        anna.context.add_cookies([story.citizens[0].session_cookie()])
        page = anna.page
        page.goto(f"/w/{story.code}/")
        expect_live(page)
        expect(page.locator("#conn-text")).to_have_text("Verbunden")
        expect(page.locator("#me-line")).to_have_text("Sie nehmen als Anna teil.")
        expect(page.locator("#rung-badge")).to_have_text("Stufe 5 von 5: Mitentscheidend")
        expect(page.get_by_role("heading", name="Meine Ideen")).to_be_visible()
        card = page.locator("#proposals article")
        expect(card.locator(".pp-response")).to_contain_text("Angenommen")
        speaks_german(page, "the participant page")
        assert_no_axe_violations(page, axe_js, "the participant page in German")
        screenshot(page, artifacts, "participant-de")

        # The facilitator's console.
        fatima = people("Fatima", locale="de-DE")
        fatima.context.add_cookies([story.facilitator.session_cookie()])
        console = fatima.page
        console.goto(f"/w/{story.code}/facilitate")
        expect_live(console)
        expect(console.get_by_role("button", name="Workshop beenden")).to_be_visible()
        expect(console.get_by_role("heading", name="Von Ideen zu Vorschlägen")).to_be_visible()
        speaks_german(console, "the console")
        assert_no_axe_violations(console, axe_js, "the console in German")

        # The public outcomes page, with its feed and the way to follow by mail.
        visitor = people("Besucher", locale="de-DE")
        outcomes = visitor.page
        outcomes.goto(f"/w/{story.code}/outcomes")
        expect(outcomes.locator("#proposal-count")).to_have_text("1 Vorschlag wurde veröffentlicht.")
        expect(outcomes.get_by_role("heading", name="Antwort der Verwaltung")).to_be_visible()
        by_mail = outcomes.get_by_role("link", name="Per E-Mail folgen")
        expect(by_mail).to_have_attribute("href", f"/w/{story.code}/#follow")
        feed = outcomes.get_by_role("link", name="Den Atom-Feed abonnieren")
        expect(feed).to_have_attribute("href", f"/w/{story.code}/outcomes.atom")
        expect(outcomes.locator('head link[rel=alternate][type="application/atom+xml"]')).to_have_attribute(
            "href", f"/w/{story.code}/outcomes.atom")
        atom = outcomes.request.get(f"/w/{story.code}/outcomes.atom")
        assert atom.status == 200
        assert 'xml:lang="de"' in atom.text() and "Angenommen: A quay to linger on" in atom.text()
        speaks_german(outcomes, "the outcomes page")
        assert_no_axe_violations(outcomes, axe_js, "the outcomes page in German")
        screenshot(outcomes, artifacts, "outcomes-de")

        # The impact report, for the workshop's official.
        olaf = people("Olaf", locale="de-DE")
        olaf.context.add_cookies([story.official.session_cookie()])
        report = olaf.page
        report.goto(f"/w/{story.code}/report")
        expect(report.get_by_role("heading", name="Marktplatz", level=1)).to_be_visible()
        expect(report.get_by_role("heading", name="Beteiligungsleiter", level=2)).to_be_visible()
        expect(report.locator("#sec-responsiveness")).to_contain_text("Vorschläge mit einer Antwort der Verwaltung")
        speaks_german(report, "the report")
        assert_no_axe_violations(report, axe_js, "the report in German")
    finally:
        story.close()
