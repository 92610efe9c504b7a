"""The outcomes page (live responses and endorsements), the impact report and the organisation report."""
import re

import pytest
from playwright.sync_api import expect


from .conftest import OFFICIAL_USERNAME, STAFF_PASSWORD, STAFF_USERNAME
from .helpers import LAPTOP, PHONE, assert_no_axe_violations
from .scripted import Member, play_workshop

pytestmark = pytest.mark.browser

PROPOSAL_TITLE = "A quay to linger on"
CHART_TITLES = {
    "participation": "What people did",
    "ladder": "Participation ladder: at the start and now",
    "representativeness": "Who took part, against the reference",
    "survey_citizens": "Citizens' survey (mean, 0 to 10)",
    "survey_officials": "Officials' survey (mean, 0 to 10)",
    "voice": "Citizens by number of contributions (ideas, reactions, turns)",
}




def as_member(person, member: Member) -> None:
    """Make a browser context this member (their session cookie), as after joining."""
    person.context.add_cookies([member.session_cookie()])


def proposal_card(page, title=PROPOSAL_TITLE):
    return page.locator("article.proposal", has=page.get_by_role("heading", name=title, exact=True))


def timeline_statuses(card) -> list[str]:
    return card.locator(".timeline-item .timeline-head .response-badge").all_text_contents()


def test_nothing_published_yet_then_polled_in_for_an_anonymous_visitor(people, server, facilitator, axe_js):
    status, created = facilitator.http.post("/api/workshops", {"title": "Quiet square", "language": "en"})
    assert status == 201, created
    code = created["code"]
    visitor = people("Visitor")
    page = visitor.page
    page.clock.install()
    page.goto(f"/w/{code}/outcomes")
    expect(page.get_by_role("heading", name="Quiet square", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Nothing published yet")).to_be_visible()
    # Anonymous: the socket closes 4401, so the page says it checks every 30 seconds.
    expect(page.locator("#live-note")).to_have_text("This page checks for updates every 30 seconds.")
    assert_no_axe_violations(page, axe_js, "the outcomes page before anything is published")

    fac = facilitator.open(code)
    fac.command("workshop.start")
    idea = fac.command("idea.post", board=fac.plenary_board(), text="Plant trees around the square")["id"]
    proposal = fac.command("proposal.draft", title="Trees for shade", body="Six lime trees.", sources=[idea])["id"]
    fac.command("proposal.publish", proposal=proposal)
    page.wait_for_timeout(300)
    expect(page.get_by_role("heading", name="Nothing published yet")).to_be_visible()
    page.clock.fast_forward(31_000)
    card = proposal_card(page, "Trees for shade")
    expect(card).to_be_visible()
    expect(page.get_by_role("heading", name="Nothing published yet")).to_be_hidden()
    expect(card.locator(".source-text")).to_have_text("Plant trees around the square")
    expect(card.locator(".response-badge").first).to_have_text("Awaiting a response")
    expect(card.get_by_role("button", name="Publish response")).to_have_count(0)
    expect(page.locator("#live-announcer")).to_have_text("A proposal was published: “Trees for shade”.")

    # A source hidden by a moderator stays listed, as one that moderators hid, without its text or author.
    fac.command("idea.hide", idea=idea, reason="Names a private person")
    page.clock.fast_forward(31_000)
    expect(card.locator(".source.removed")).to_have_text("An idea that moderators hid.")
    expect(card.locator(".source-text")).to_have_count(0)
    expect(card.locator(".source-author")).to_have_count(0)


def test_an_officials_response_appears_live_on_the_outcomes_page(people, server, facilitator, official, axe_js, artifacts):
    story = play_workshop(server, facilitator, official=official, title="Harbour quay", respond=False, survey=False)
    try:
        code = story.code
        dewi = people("Dewi")
        as_member(dewi, story.citizens[3])
        d = dewi.page
        d.goto(f"/w/{code}/outcomes")
        card = proposal_card(d)
        expect(card).to_be_visible()
        expect(d.locator("#live-note")).to_have_text("Updates appear here as they happen.")
        expect(card.locator(".endorse-count[data-kind=agree] dd")).to_have_text("2")
        expect(card.locator(".endorse-count[data-kind=disagree] dd")).to_have_text("1")
        # Three endorsements: under the 5 a score needs; the card says so, and how it is counted.
        expect(card.locator(".bridging-score")).to_have_text("Agreement across groups: not enough endorsements yet")
        expect(card.locator(".bridging-words")).to_have_text("3 of the 5 endorsements needed for a score.")
        expect(card.locator(".bridging-how")).to_contain_text("every group of the workshop")
        expect(card.locator(".source-text")).to_have_text(["Benches in the shade along the quay",
                                                           "Better lighting on the footpath at night"])
        expect(card.locator(".people-line")).to_have_text("facilitator, Anna, Bram, and Chris")
        expect(card.get_by_text("No official response yet.")).to_be_visible()
        expect(card.get_by_role("button", name="Publish response")).to_have_count(0)
        # Dewi reads with focus on a link; live changes must leave it there.
        d.get_by_role("link", name="Workshop page").focus()

        olivia = people("Olivia")
        olivia.log_in(*official)
        o = olivia.page
        o.goto(f"/w/{code}/outcomes")
        official_card = proposal_card(o)
        expect(official_card.get_by_role("heading", name="Respond as an official")).to_be_visible()
        official_card.get_by_role("button", name="Publish response").click()
        message = official_card.get_by_label("Message to the participants")
        expect(message).to_have_attribute("aria-invalid", "true")
        expect(official_card.get_by_text("Write a message that explains the status.")).to_be_visible()
        expect(message).to_be_focused()
        assert_no_axe_violations(o, axe_js, "the outcomes page of an official, with a field error")

        official_card.get_by_label("Status").select_option(label="Under review")
        message.fill("We are costing the benches with the parks department.")
        official_card.get_by_role("button", name="Publish response").click()
        expect(official_card.get_by_text("Your response was published.")).to_be_visible()
        expect(message).to_have_value("")

        # Dewi's page, in another browser context, shows it without a reload, politely announced.
        expect(card.locator(".timeline-message")).to_have_text(["We are costing the benches with the parks department."])
        expect(card.locator(".proposal-meta .response-badge")).to_have_text("Under review")
        expect(card.locator(".timeline-meta")).to_contain_text([f"by {OFFICIAL_USERNAME}"])
        expect(d.locator("#live-announcer")).to_have_text(f"New response to “{PROPOSAL_TITLE}”: Under review.")
        expect(d.locator("#live-announcer")).to_have_attribute("aria-live", "polite")
        expect(d.get_by_role("link", name="Workshop page")).to_be_focused()

        # A second response over HTTP: the timeline grows, latest first, on both pages.
        status, body = story.official.http.post(f"/api/workshops/{code}/proposals/{story.proposal}/response",
                                                {"status": "accepted", "message": "The council funds it in spring."})
        assert status == 201, body
        for page_card in (card, official_card):
            expect(page_card.locator(".timeline-item")).to_have_count(2)
            assert timeline_statuses(page_card) == ["Accepted", "Under review"]
        expect(card.locator(".timeline-item").first.locator(".timeline-message")).to_have_text("The council funds it in spring.")
        expect(card.locator(".timeline-item").first.get_by_text("latest")).to_be_visible()
        expect(card.locator(".timeline-item").first.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-"))

        # An endorsement over the socket changes the counts live.
        story.citizens[5].socket.command("proposal.endorse", proposal=story.proposal, value="agree")
        expect(card.locator(".endorse-count[data-kind=agree] dd")).to_have_text("3")
        expect(d.locator("#live-announcer")).to_contain_text("3 agree, 1 disagree, 0 pass")
        expect(d.get_by_role("link", name="Workshop page")).to_be_focused()

        assert_no_axe_violations(d, axe_js, "the outcomes page with a proposal and responses")
        assert_no_axe_violations(o, axe_js, "the outcomes page of an official, with responses")
        d.screenshot(path=str(artifacts / "outcomes-laptop.png"), full_page=True)
        o.set_viewport_size(PHONE)
        o.wait_for_timeout(150)
        assert_no_axe_violations(o, axe_js, "the outcomes page of an official on a phone")
        o.screenshot(path=str(artifacts / "outcomes-official-phone.png"), full_page=True)
    finally:
        story.close()


def test_report_page_shows_the_figures_and_charts_of_a_scripted_workshop(people, server, facilitator, official, axe_js,
                                                                         artifacts):
    story = play_workshop(server, facilitator, official=official, title="Harbour quay report")
    try:
        fatima = people("Fatima")
        fatima.log_in(STAFF_USERNAME, STAFF_PASSWORD)
        page = fatima.page
        page.goto(f"/w/{story.code}/report")
        expect(page.get_by_role("heading", name="Harbour quay report", level=1)).to_be_visible()

        def stat(section: str, label: str):
            return page.locator(f"#sec-{section} .stat", has=page.locator("dt", has_text=re.compile(f"^{label}$")))

        expect(stat("participation", "Citizens who joined").locator(".stat-value")).to_have_text("6")
        expect(stat("participation", "Active citizens").locator(".stat-value")).to_have_text("5")
        expect(stat("participation", "Active citizens").locator(".stat-note")).to_have_text("83% of those who joined")
        expect(stat("participation", "Ideas").locator(".stat-value")).to_have_text("3")
        expect(stat("participation", "Builds on other ideas").locator(".stat-value")).to_have_text("1")
        expect(stat("participation", "Reactions").locator(".stat-value")).to_have_text("2")
        expect(stat("participation", "Endorsements").locator(".stat-value")).to_have_text("3")
        expect(stat("ladder", "Moved up at least one rung").locator(".stat-value")).to_have_text("83%")
        ladder_rows = page.locator("#sec-ladder tbody tr")
        expect(ladder_rows).to_have_count(5)
        expect(ladder_rows.nth(0)).to_have_text(re.compile(r"Informed\s*6\s*1\s*−5"))
        expect(ladder_rows.nth(1)).to_have_text(re.compile(r"Consulted\s*0\s*2\s*\+2"))
        expect(ladder_rows.nth(3)).to_have_text(re.compile(r"Collaborating\s*0\s*1\s*\+1"))
        expect(ladder_rows.nth(4)).to_have_text(re.compile(r"Empowered\s*0\s*2\s*\+2"))
        expect(stat("collaboration", "Ideas that build on another idea").locator(".stat-value")).to_have_text("33%")
        expect(stat("collaboration", "Proposals with two or more contributors").locator(".stat-value")).to_have_text("100%")
        expect(stat("responsiveness", "Proposals with an official response").locator(".stat-value")).to_have_text("1")
        expect(stat("responsiveness", "Median time to the first response").locator(".stat-value")).to_have_text(
            re.compile(r"under a minute|\d+ minutes?"))
        # Anna and Bram, whose ideas are the sources, had their sockets open when the answer came.
        expect(stat("responsiveness", "Contributors who were told the answer").locator(".stat-value")).to_have_text(
            "100%")
        expect(stat("inclusiveness", "Appeals").locator(".stat-value")).to_have_text("0")
        # Nobody was given the floor; the 6 citizens' ideas and reactions spread over the bands.
        expect(stat("voice", "Turns on the floor").locator(".stat-value")).to_have_text("0")
        expect(stat("voice", r"Inequality of contributions \(Gini\)").locator(".stat-value")).to_have_text(
            re.compile(r"^0\.\d\d$"))
        bands = page.locator("#sec-voice tbody tr")
        expect(bands).to_have_count(5)
        expect(bands.nth(0)).to_have_text(re.compile(r"^0\s*\d$"))
        representativeness = page.locator("#sec-representativeness tbody tr:not(.group-row)")
        expect(representativeness).to_have_text([
            re.compile(r"under 30\s*fewer than 5 people — not shown\s*30%"),
            re.compile(r"30 to 60\s*83%\s*45%"),
            re.compile(r"over 60\s*fewer than 5 people — not shown\s*25%"),
        ])
        # Two citizens and one official answered: under 5, only how many (protocol 3.5).
        hidden = "fewer than 5 people — not shown"
        citizens_survey = page.locator("#sec-survey figure").nth(0).locator("tbody tr")
        expect(citizens_survey.nth(0)).to_have_text(re.compile(rf"Collaboration\s*{hidden}\s*{hidden}\s*2"))
        expect(citizens_survey.nth(4)).to_have_text(re.compile(rf"Influence\s*{hidden}\s*{hidden}\s*2"))
        officials_survey = page.locator("#sec-survey figure").nth(1).locator("tbody tr")
        expect(officials_survey.nth(3)).to_have_text(re.compile(rf"Implementation\s*{hidden}\s*{hidden}\s*1"))

        # Each chart is the server's SVG, inline, with its own <title>; each figure also has a table.
        expect(page.locator(".chart[data-state=ready] svg")).to_have_count(len(CHART_TITLES))
        for name, title in CHART_TITLES.items():
            chart = page.locator(f".chart[data-chart={name}] svg")
            expect(chart.locator("title")).to_have_text(title)
            assert chart.locator("desc").text_content().strip(), f"{name} has no description"
            expect(page.locator(".report-figure", has=page.locator(f".chart[data-chart={name}]")).locator("table")).to_have_count(1)
        assert page.evaluate("new Set([...document.querySelectorAll('[id]')].map(e => e.id)).size"
                             " === document.querySelectorAll('[id]').length"), "ids on the page are not unique"

        csv_link = page.get_by_role("link", name="Download CSV of this report")
        expect(csv_link).to_have_attribute("href", f"/api/workshops/{story.code}/report?format=csv")
        expect(page.get_by_role("link", name="Download export (JSON)")).to_have_attribute(
            "href", f"/api/workshops/{story.code}/export?format=json")
        expect(page.get_by_role("link", name="Download export (CSV)")).to_have_attribute(
            "href", f"/api/workshops/{story.code}/export?format=csv")
        for href, kind in ((f"/api/workshops/{story.code}/report?format=csv", "text/csv"),
                           (f"/api/workshops/{story.code}/export?format=json", "application/json"),
                           (f"/api/workshops/{story.code}/export?format=csv", "text/csv")):
            response = page.request.get(href)
            assert response.status == 200 and response.headers["content-type"].startswith(kind), (href, response.status)

        assert_no_axe_violations(page, axe_js, "the report page")
        page.set_viewport_size(LAPTOP)
        page.screenshot(path=str(artifacts / "report.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(150)
        assert_no_axe_violations(page, axe_js, "the report page on a phone")
        page.screenshot(path=str(artifacts / "report-phone.png"), full_page=True)
        page.set_viewport_size({"width": 320, "height": 640})
        page.wait_for_timeout(150)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, "the report scrolls sideways at 320 px"
        assert_no_axe_violations(page, axe_js, "the report page at 320 px")

        # On paper: no navigation or buttons, every chart and table, one section per page.
        page.set_viewport_size(LAPTOP)
        page.emulate_media(media="print")
        for hidden in (".site-header", ".report-toc", "#print", ".downloads"):
            expect(page.locator(hidden)).to_be_hidden()
        expect(page.locator(".chart svg")).to_have_count(len(CHART_TITLES))
        expect(page.locator("table.data-table").first).to_be_visible()
        page.screenshot(path=str(artifacts / "report-print.png"), full_page=True)
        pdf = page.pdf(format="A4")
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert pages >= 7, f"the printed report has {pages} pages; each of the 7 sections should start a page"
        page.emulate_media(media="screen")
    finally:
        story.close()


def test_report_page_explains_who_may_see_it(people, server, facilitator, official, axe_js):
    story = play_workshop(server, facilitator, official=official, title="Closed report", respond=False, survey=False)
    try:
        visitor = people("Visitor")
        page = visitor.page
        page.goto(f"/w/{story.code}/report")
        expect(page.get_by_role("heading", name="Log in to see this report")).to_be_visible()
        expect(page.locator("#fatal")).to_be_focused()
        expect(page.get_by_role("link", name="Log in on the front page")).to_have_attribute("href", "/")
        assert_no_axe_violations(page, axe_js, "the report page, logged out")

        # In the browser's language: Dutch here, also in the messages the script writes.
        bezoeker = people("Bezoeker", locale="nl-NL")
        bezoeker.page.goto(f"/w/{story.code}/report")
        expect(bezoeker.page.locator("html")).to_have_attribute("lang", "nl")
        expect(bezoeker.page.get_by_role("heading", name="Log in om dit rapport te zien")).to_be_visible()
        bezoeker.page.goto(f"/w/{story.code}/outcomes")
        expect(proposal_card(bezoeker.page).get_by_role("heading", name="Officiële reactie")).to_be_visible()
        expect(bezoeker.page.locator("#proposal-count")).to_have_text("1 voorstel is gepubliceerd.")

        anna = people("Anna")
        as_member(anna, story.citizens[0])
        anna.page.goto(f"/w/{story.code}/report")
        expect(anna.page.get_by_role("heading", name="Not allowed")).to_be_visible()
        expect(anna.page.get_by_text("Only the facilitators and officials of this workshop")).to_be_visible()

        # The official of the workshop may read it.
        olivia = people("Olivia")
        olivia.log_in(*official)
        olivia.page.goto(f"/w/{story.code}/report")
        expect(olivia.page.get_by_role("heading", name="Closed report", level=1)).to_be_visible()
    finally:
        story.close()


def test_organisation_report_lists_each_workshop_with_totals(people, server, facilitator, official, axe_js, artifacts):
    story = play_workshop(server, facilitator, official=official, title="Harbour quay overview")
    try:
        fatima = people("Fatima")
        fatima.log_in(STAFF_USERNAME, STAFF_PASSWORD)
        page = fatima.page
        item = page.locator("#mine li", has_text="Harbour quay overview")
        expect(item.get_by_role("link", name="Outcomes of Harbour quay overview")).to_have_attribute(
            "href", f"/w/{story.code}/outcomes")
        expect(item.get_by_role("link", name="Report of Harbour quay overview")).to_have_attribute(
            "href", f"/w/{story.code}/report")
        page.get_by_role("link", name="Reports across your workshops").click()
        expect(page).to_have_url(re.compile(r"/reports$"))
        expect(page.get_by_role("heading", name="Reports across your workshops", level=1)).to_be_visible()
        row = page.locator("tbody tr", has=page.get_by_role("link", name=re.compile("^Harbour quay overview")))
        expect(row.locator("td")).to_have_text(["6", "5", "3", "1", "2", "3", "83%", "33%", "1 of 1",
                                                re.compile(r"under a minute|\d+ minutes?"), "100%"])
        totals = page.locator("tfoot tr td")
        joined_text = totals.nth(0).text_content()  # "1,062" once other tests' workshops add up
        assert int(joined_text.replace(",", "")) >= 6
        expect(page.locator("#totals .stat", has_text="Joined").locator(".stat-value")).to_have_text(joined_text)
        assert_no_axe_violations(page, axe_js, "the organisation report")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(150)
        assert_no_axe_violations(page, axe_js, "the organisation report on a phone")
        page.screenshot(path=str(artifacts / "reports-phone.png"), full_page=True)
        page.set_viewport_size(LAPTOP)
        page.screenshot(path=str(artifacts / "reports-laptop.png"), full_page=True)

        row.get_by_role("link", name=re.compile("^Harbour quay overview")).click()
        expect(page.get_by_role("heading", name="Harbour quay overview", level=1)).to_be_visible()

        visitor = people("Visitor")
        visitor.page.goto("/reports")
        expect(visitor.page.get_by_role("heading", name="Log in to see the reports")).to_be_visible()
        assert_no_axe_violations(visitor.page, axe_js, "the organisation report, logged out")
    finally:
        story.close()
