"""Proposals, the ladder, "My ideas" and the survey on the participant page; synthesis on the console."""
import re

import pytest
from playwright.sync_api import expect


from .conftest import STAFF_PASSWORD, STAFF_USERNAME
from .helpers import assert_no_axe_violations, expect_live, idea_item, screenshot, start_workshop, tab_to
from .scripted import Member, play_workshop

pytestmark = pytest.mark.browser

TITLE = "A quay to linger on"




def open_as(person, member: Member, code: str):
    """Open the participant page in a browser context that is this member (their session cookie)."""
    person.context.add_cookies([member.session_cookie()])
    person.page.goto(f"/w/{code}/")
    expect_live(person.page)
    return person.page


def test_citizen_sees_the_published_proposal_endorses_it_and_sees_the_count(people, server, facilitator, official, artifacts,
                                                                            axe_js):
    story = play_workshop(server, facilitator, official=official, title="Quay", survey=False)
    try:
        fleur = story.citizens[5]
        page = open_as(people("Fleur"), fleur, story.code)
        card = page.locator("#proposals article", has=page.get_by_role("heading", name=TITLE))
        expect(card).to_be_visible()
        expect(card.get_by_role("link", name="Benches in the shade along the quay")).to_be_visible()
        expect(card.locator(".pp-people")).to_contain_text("Anna")
        expect(card.locator(".pp-people")).to_contain_text("Chris")
        expect(card.locator(".pp-response")).to_contain_text("Accepted")
        expect(card.locator(".pp-response")).to_contain_text("The council will fund this in spring.")
        agree = card.locator("button.react-agree")
        expect(agree).to_contain_text("2")
        agree.click()
        expect(agree).to_have_attribute("aria-pressed", "true")
        expect(agree).to_contain_text("3")
        # Another tab (a fresh context: no storage shared) shows Fleur's endorsement from the snapshot.
        other = open_as(people("Fleur on her phone"), fleur, story.code)
        other_agree = other.locator("#proposals article", has=other.get_by_role("heading", name=TITLE)).locator(
            "button.react-agree")
        expect(other_agree).to_have_attribute("aria-pressed", "true")
        expect(card.locator(".pp-bridging")).to_have_text(re.compile(
            r"^Agreement across groups: not enough endorsements yet\. \d of the 5 endorsements needed for a score\.$"))
        expect(card.locator(".bridging-how")).to_contain_text("It shows from 5 endorsements on.")
        card.get_by_role("link", name="Benches in the shade along the quay").click()
        expect(idea_item(page, "Benches in the shade along the quay").locator(".idea-card").first).to_be_focused()
        screenshot(page, artifacts, "participant-proposals")

        # Anna's idea feeds the accepted proposal: she is empowered, and "My ideas" says why.
        anna = open_as(people("Anna"), story.citizens[0], story.code)
        expect(anna.locator("#rung-badge")).to_have_text("Level 5 of 5: Empowered")
        mine = anna.locator("#my-ideas li.my-idea", has_text="Benches in the shade along the quay")
        expect(mine).to_contain_text("Visible to everyone.")
        expect(mine.locator(".my-idea-proposal")).to_contain_text(TITLE)
        expect(mine.locator(".my-idea-proposal")).to_contain_text("Official response: Accepted.")
        # Proposals, ladder, "My ideas" and the survey all on screen: WCAG 2.1 A/AA holds.
        for section in ("#proposals", "#rung", "#my-ideas", "#survey"):
            expect(anna.locator(section)).to_be_visible()
        assert_no_axe_violations(anna, axe_js, "the participant page with proposals, ladder, my ideas and survey")
        screenshot(anna, artifacts, "participant-empowered")
    finally:
        story.close()


def test_citizen_builds_on_another_persons_idea_and_rises_to_collaborating(people, server):
    facilitator = people("Fatima")
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Harbour")
    bo = Member(server, "Bo")
    bo.join(code)
    socket = bo.open(code)
    try:
        socket.command("idea.post", board=socket.plenary_board(), text="A ferry to the island")
        an = people("An")
        an.join(code)
        page = an.page
        expect(page.locator("#rung-badge")).to_have_text("Level 1 of 5: Informed")
        expect(page.locator("#rung-next")).to_have_text("Next step: React to an idea to be consulted.")
        expect(page.locator("#ladder li[aria-current=step]")).to_contain_text("You are here")
        an.build_on(idea_item(page, "A ferry to the island"), "Bo", "That runs every hour")
        expect(page.locator("#rung-badge")).to_have_text("Level 4 of 5: Collaborating")
        expect(page.locator("#live-announcer")).to_contain_text("Your participation rose to: Collaborating.")
        expect(page.locator("#rung-next")).to_contain_text("When officials accept a proposal fed by your ideas")
        expect(page.locator("#my-ideas li.my-idea", has_text="That runs every hour")).to_contain_text("Visible to everyone.")
    finally:
        bo.close()


def test_survey_is_prominent_after_the_end_answered_once_with_field_errors(people, server, artifacts):
    facilitator = people("Fatima")
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Park survey")
    bo = Member(server, "Bo")
    bo.join(code)
    an = people("An", phone=True)
    an.join(code)
    page = an.page
    survey = page.locator("#survey")
    expect(survey).to_be_visible()
    facilitator.page.get_by_role("button", name="End workshop").click()
    facilitator.page.get_by_role("button", name="End now").click()
    expect(survey).to_have_class("card survey prominent")
    expect(page.locator(".main-col > section").first).to_have_id("survey")

    # Nothing rated: the server's `invalid` is shown at the questions.
    page.get_by_role("button", name="Send answers").click()
    expect(page.locator("#survey-answers-error")).to_have_text("Rate at least one question from 0 to 10.")
    screenshot(page, artifacts, "participant-survey")
    page.get_by_role("group", name="Safety").get_by_label("8", exact=True).check()
    page.get_by_label("Anything else you want to tell us? (optional)").fill("Good coffee.")
    page.get_by_role("button", name="Send answers").click()
    expect(page.locator("#survey-thanks")).to_have_text("Thank you for answering the survey.")
    expect(page.locator("#survey-form")).to_be_hidden()
    screenshot(page, artifacts, "participant-survey-answered")

    # Bo answers over another client while this page is open: the server's `conflict` reads
    # "already answered"; after a reload the page knows from the snapshot, without asking.
    try:
        bo_page = open_as(people("Bo"), bo, code)
        expect(bo_page.locator("#survey-form")).to_be_visible()
        bo.open(code).command("survey.answer", answers={"influence": 3})
        bo_page.get_by_role("group", name="Influence").get_by_label("5", exact=True).check()
        bo_page.get_by_role("button", name="Send answers").click()
        expect(bo_page.locator("#survey-thanks")).to_have_text("You already answered the survey. Thank you.")
        bo_page.reload()
        expect_live(bo_page)
        expect(bo_page.locator("#survey-thanks")).to_be_visible()
        expect(bo_page.locator("#survey-form")).to_be_hidden()
    finally:
        bo.close()


def test_facilitator_suggests_drafts_from_selected_ideas_publishes_and_a_citizen_endorses(people, server, artifacts, axe_js):
    facilitator = people("Fatima")
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Riverside")
    f = facilitator.page
    an = people("An")
    an.join(code)
    a = an.page
    an.post_idea("Trees along the river")
    an.post_idea("A playground near the bridge")
    insult = an.post_idea("The council never listens to anyone")
    a.locator("button.react-agree").first.click()
    # Bo flags the insult: an idea with a flag open is never offered as a source (issue 16).
    bo = Member(server, "Bo")
    bo.join(code)
    flagger = bo.open(code)
    assert flagger.command("idea.flag", idea=int(insult.get_attribute("data-id")), reason="abuse")["type"] == "ack"
    flagger.close()

    toggle = f.get_by_role("button", name="From ideas to proposals")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    f.get_by_role("button", name="Suggest").click()
    expect(f.locator("#synthesis-status")).to_have_text("Suggestions are ready.")
    ranked = f.locator("#bridging-list li")
    expect(ranked).to_have_count(2)
    expect(f.locator("#synthesis-results")).not_to_contain_text("never listens")
    expect(ranked.first).to_contain_text("Trees along the river")
    # One reaction is no ground for a score: the panel says so, and how the ranking is counted.
    expect(ranked.first).to_contain_text("not enough reactions yet (1 of 5)")
    expect(f.locator("#bridging-how")).to_contain_text("every group of the workshop")
    assert_no_axe_violations(f, axe_js, "the console with the synthesis panel open")
    # The checkbox stays beside its idea: same row, left of the label.
    box = f.locator("#bridging-list input.pick").first.bounding_box()
    label = f.locator("#bridging-list li label").first.bounding_box()
    assert box["x"] < label["x"] and box["y"] < label["y"] + label["height"] and label["y"] < box["y"] + box["height"]
    f.get_by_role("button", name="Start the text from the sources").click()
    expect(f.locator("#draft-status")).to_have_text("Select ideas above first: their texts start the proposal.")
    f.locator("#bridging-list").get_by_label("Trees along the river").check()
    f.locator("#bridging-list").get_by_label("A playground near the bridge").check()
    expect(f.locator("#draft-selected")).to_have_text("2 ideas selected as sources.")
    f.get_by_label("Title", exact=True).fill("A green riverside")
    f.get_by_role("button", name="Start the text from the sources").click()
    expect(f.get_by_label("Text", exact=True)).to_have_value("- Trees along the river\n- A playground near the bridge")
    expect(f.get_by_label("Text", exact=True)).to_be_focused()
    f.get_by_label("Text", exact=True).fill("Trees and a playground by the river.")
    f.get_by_role("button", name="Save draft").click()
    draft = f.locator("#proposal-admin-list li", has_text="A green riverside")
    expect(draft).to_contain_text("Draft")
    expect(draft).to_contain_text("2 source ideas")
    expect(draft.locator(".admin-sources li")).to_have_text(["Trees along the river · An",
                                                            "A playground near the bridge · An"])
    assert a.locator("#proposals").is_hidden()

    draft.get_by_role("button", name="Edit").click()
    f.get_by_label("Title", exact=True).last.fill("A greener riverside")
    f.get_by_role("button", name="Save changes").click()
    draft = f.locator("#proposal-admin-list li", has_text="A greener riverside")
    expect(draft).to_be_visible()
    assert_no_axe_violations(f, axe_js, "the console with a draft proposal")
    screenshot(f, artifacts, "console-synthesis")
    draft.get_by_role("button", name="Publish").click()
    expect(draft).to_contain_text("Published")
    expect(f.get_by_role("link", name="Open the outcomes page")).to_have_attribute("href", f"/w/{code}/outcomes")
    expect(f.get_by_role("link", name="Open the impact report")).to_have_attribute("href", f"/w/{code}/report")

    card = a.locator("#proposals article", has=a.get_by_role("heading", name="A greener riverside"))
    expect(card).to_be_visible()
    expect(a.locator("#live-announcer")).to_contain_text("A proposal was published")
    disagree = card.locator("button.react-disagree")
    disagree.click()
    expect(disagree).to_have_attribute("aria-pressed", "true")
    expect(disagree).to_contain_text("1")
    disagree.click()
    expect(disagree).to_have_attribute("aria-pressed", "false")
    expect(disagree).to_contain_text("0")
    expect(a.locator("#my-ideas li.my-idea", has_text="Trees along the river")).to_contain_text("Feeds the proposal: A greener riverside")


def focused(page) -> str:
    """A short description of the focused element, for failure messages."""
    return page.evaluate("(el => el.outerHTML.slice(0, 160))(document.activeElement)")


def test_keyboard_only_participant_joins_posts_builds_reacts_flags_endorses_and_answers(people, server, facilitator,
                                                                                        artifacts):
    status, created = facilitator.http.post("/api/workshops", {"title": "Keyboard square", "language": "en"})
    assert status == 201, created
    code = created["code"]
    fac = facilitator.open(code)
    fac.command("workshop.start")
    bo = Member(server, "Bo")
    bo.join(code)
    socket = bo.open(code)
    try:
        idea = socket.command("idea.post", board=socket.plenary_board(), text="A fountain on the square")["id"]
        proposal = fac.command("proposal.draft", title="Water on the square", body="A fountain.", sources=[idea])["id"]
        fac.command("proposal.publish", proposal=proposal)

        kim = people("Kim")
        page = kim.page
        page.goto(f"/w/{code}/")
        expect(page.get_by_label("Your name")).to_be_focused()
        page.keyboard.type("Kim")
        page.keyboard.press("Enter")
        expect_live(page)

        # Post: Tab to the idea field, type, Enter sends.
        tab_to(page, "el.id && el.closest('form.compose') && el.tagName === 'TEXTAREA'", limit=80)
        page.keyboard.type("Shade trees around it")
        page.keyboard.press("Enter")
        expect(idea_item(page, "Shade trees around it")).to_be_visible()

        # Build on Bo's idea.
        tab_to(page, "el.textContent.includes('Build on this') && el.textContent.includes('idea by Bo')", limit=80)
        page.keyboard.press("Enter")
        expect(page.get_by_label("Build on the idea by Bo")).to_be_focused()
        page.keyboard.type("With drinking water too")
        page.keyboard.press("Enter")
        expect(page.get_by_text("Your reply was posted.")).to_be_visible()

        # React to Bo's idea with Space.
        fountain = idea_item(page, "A fountain on the square")
        tab_to(page, "el.classList.contains('react-agree') && !!el.closest('li.idea') && el.closest('li.idea').querySelector('.idea-text').textContent"
                     " === 'A fountain on the square'", limit=80)
        page.keyboard.press("Space")
        expect(fountain.locator(":scope > article button.react-agree")).to_have_attribute("aria-pressed", "true")

        # Flag it: Flag, then a reason (focus lands on the optional note, which comes before the reasons).
        tab_to(page, "el.classList.contains('flag-button') && el.textContent.includes('idea by Bo')", limit=80)
        page.keyboard.press("Enter")
        expect(page.get_by_label("Note for the moderator (optional, before you choose)")).to_be_focused()
        page.keyboard.press("Tab")
        expect(fountain.get_by_role("button", name="Spam or advertising")).to_be_focused()
        page.keyboard.press("Enter")
        expect(fountain.get_by_text("Thank you. A moderator will look at it.")).to_be_visible()

        # Endorse the proposal with Space.
        card = page.locator("#proposals article", has=page.get_by_role("heading", name="Water on the square"))
        tab_to(page, "el.classList.contains('react-agree') && !!el.closest('#proposals')", limit=120)
        page.keyboard.press("Space")
        expect(card.locator("button.react-agree")).to_have_attribute("aria-pressed", "true")
        expect(card.locator("button.react-agree")).to_contain_text("1")

        # The survey: arrow keys choose in a radio group, Enter on the button sends.
        tab_to(page, "el.name === 'survey-collaboration'", limit=120)
        for _ in range(9):  # "No answer", 0, 1, ... 8
            page.keyboard.press("ArrowRight")
        expect(page.get_by_role("group", name="Collaboration").get_by_label("8", exact=True)).to_be_checked()
        tab_to(page, "el.id === 'survey-submit'", limit=40)
        page.keyboard.press("Enter")
        expect(page.locator("#survey-thanks")).to_have_text("Thank you for answering the survey.")
        expect(page.locator("#survey-thanks")).to_be_focused()
        expect(page.locator("#rung-badge")).to_have_text("Level 4 of 5: Collaborating")
    finally:
        bo.close()


# Phrases that a page in Dutch, French or German must not show (they would be untranslated English).
ENGLISH = ["Join a workshop", "Log in with your staff account", "Username", "Skip to main content", "Your idea", "Post idea", "Proposals", "Your participation",
           "My ideas", "How did it go?", "Who is here", "Agree", "Disagree", "Connected", "Next step", "You are here",
           "The ideas it came from", "Your endorsement", "No answer", "Send answers", "Run the workshop",
           "From ideas to proposals", "Suggest", "Draft a proposal", "Start workshop", "Breakout rooms", "Start timer", "Invite participants"]
EXPECTED = {"nl": ["Voorstellen", "Mijn ideeën", "Jouw steun"], "en": ["Proposals", "My ideas", "Your endorsement"],
            "fr": ["Propositions", "Mes idées", "Votre soutien"], "de": ["Vorschläge", "Meine Ideen", "Ihre Unterstützung"]}


def check_language(page, lang: str, where: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)
    if lang == "en":
        return
    text = page.locator("body").inner_text()
    # Whole words only: Dutch "Suggesties" must not count as English "Suggest".
    found = [phrase for phrase in ENGLISH if re.search(rf"\b{re.escape(phrase)}\b", text)]
    assert not found, f"{where} in {lang} shows English: {found}"


@pytest.mark.parametrize("lang", ["nl", "en", "fr", "de"])
def test_front_participant_and_console_pages_speak_the_chosen_language(people, server, facilitator, artifacts, lang):
    status, created = facilitator.http.post("/api/workshops", {"title": "Plein", "language": "de" if lang == "de" else "en"})
    assert status == 201, created
    code = created["code"]
    fac = facilitator.open(code)
    fac.command("workshop.start")
    bo = Member(server, "Bo")
    bo.join(code)
    socket = bo.open(code)
    try:
        idea = socket.command("idea.post", board=socket.plenary_board(), text="Bankjes")["id"]
        proposal = fac.command("proposal.draft", title="Bankjes op het plein", body="Meer bankjes.", sources=[idea])["id"]
        fac.command("proposal.publish", proposal=proposal)

        # Dutch and German come from the browser's language; French from the switch, which keeps the page.
        locale = {"nl": "nl-NL", "de": "de-DE"}.get(lang, "en-US")
        person = people("Noor", locale=locale)
        page = person.page
        page.goto("/")
        if lang == "fr":
            page.get_by_role("button", name="Français").click()
            expect(page).to_have_url(f"{server.url}/")
        check_language(page, lang, "the front page")
        expect(page.locator(f".language-switch button[lang={lang}]")).to_have_attribute("aria-current", "true")

        page.goto(f"/w/{code}/")
        page.locator("#join-name").fill("Noor")
        page.locator("#join-submit").click()
        expect_live(page)
        card = page.locator("#proposals article")
        expect(card).to_be_visible()
        for phrase in EXPECTED[lang]:
            expect(page.locator("#main")).to_contain_text(phrase)
        expect(page.locator("#survey")).to_be_visible()
        check_language(page, lang, "the participant page")
        screenshot(page, artifacts, f"participant-{lang}")

        staff = people("Fatima", locale=locale)
        staff.context.add_cookies([facilitator.session_cookie()])
        console = staff.page
        console.goto(f"/w/{code}/facilitate")
        if lang == "fr":
            console.get_by_role("button", name="Français").click()
            expect(console).to_have_url(f"{server.url}/w/{code}/facilitate")
        expect_live(console)
        console.locator("#synthesis-toggle").click()
        console.locator("#synthesis-suggest").click()
        expect(console.locator("#bridging-list li")).to_have_count(1)
        expect(console.locator("#proposal-admin-list > li")).to_have_count(1)
        check_language(console, lang, "the console")
        screenshot(console, artifacts, f"console-{lang}")
    finally:
        bo.close()
