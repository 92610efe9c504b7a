"""Polls in the browser: the console's poll panel opens every kind, a citizen answers each by keyboard,
results show as a chart with a table, live or after the close; every state is axe-clean."""
import pytest
from playwright.sync_api import Page, expect

from .conftest import STAFF_PASSWORD, STAFF_USERNAME
from .helpers import assert_no_axe_violations, idea_item, start_workshop

pytestmark = pytest.mark.browser


def open_poll(console: Page, question: str, kind: str, *, options: str = "", ideas: tuple[str, ...] = (),
              after_close: bool = False, anonymous: bool = False, **settings) -> None:
    """Fill in the console's poll form, by keyboard where it matters, and open the poll."""
    panel = console.locator("#poll-panel")
    panel.get_by_label("Question").fill(question)
    panel.get_by_label("Kind of poll").select_option(kind)
    if ideas:
        panel.get_by_label("Ideas on the board").check()
        for text in ideas:
            panel.locator("#poll-idea-list").get_by_label(text).check()
    elif options:
        panel.get_by_label("Type them in").check()
        panel.get_by_label("Options, one per line (2 to 20)").fill(options)
    for label, value in settings.items():
        panel.get_by_label(label.replace("_", " "), exact=False).fill(value)
    if after_close:
        panel.get_by_label("Everyone sees them when the poll closes").check()
    else:
        panel.get_by_label("Everyone sees them live").check()
    anonymous_box = panel.get_by_label("Anonymous: answers are kept without names")
    anonymous_box.check() if anonymous else anonymous_box.uncheck()
    panel.get_by_role("button", name="Open the poll").focus()
    console.keyboard.press("Enter")
    expect(panel.locator("#poll-status")).to_have_text("The poll is open.")
    expect(panel.locator(".poll-admin h4", has_text=question)).to_be_visible()


def card(page: Page, question: str):
    return page.locator("article.poll-card", has=page.get_by_role("heading", name=question))


def send(page: Page, question: str) -> None:
    """Tab from the card's last control to its send button and press Enter; the answer is in."""
    c = card(page, question)
    c.get_by_role("button", name="Send my answer").focus()
    page.keyboard.press("Enter")
    expect(c.locator(".poll-form .form-status")).to_have_text(
        "Your answer is in. You can change it while the poll is open.")


def results_table(page: Page, question: str, answered: int = 1) -> list[list[str]]:
    """The results table once the card's results count `answered` people (poll.results may follow the ack)."""
    c = card(page, question)
    people = "1 person answered." if answered == 1 else f"{answered} people answered."
    expect(c.locator(".poll-summary")).to_contain_text(people)
    return c.locator("table.poll-table tbody tr").evaluate_all(
        "rows => rows.map(row => [...row.cells].map(cell => cell.textContent.trim()))")


def test_every_kind_of_poll_answered_by_keyboard_with_live_results(people, axe_js, artifacts):
    fac = people("Fatima")
    code = start_workshop(fac, STAFF_USERNAME, STAFF_PASSWORD, "Polls on the quay")
    console = fac.page
    bo = people("Bo")
    bo.join(code)
    bo.post_idea("Shade trees")
    bo.post_idea("A water fountain")
    an = people("An")
    an.join(code)
    page = an.page
    expect(idea_item(page, "A water fountain")).to_be_visible()

    # One choice: arrow keys move through the radio group.
    open_poll(console, "Which first?", "single", options="Trees\nBenches\nLights")
    c = card(page, "Which first?")
    expect(c).to_be_visible()
    expect(page.locator("#live-announcer")).to_contain_text("New poll: Which first?")
    c.get_by_role("radio", name="Trees").focus()
    page.keyboard.press("ArrowDown")  # Benches
    expect(c.get_by_role("radio", name="Benches")).to_be_checked()
    send(page, "Which first?")
    expect(c.locator(".poll-summary")).to_have_text("Results so far: 1 person answered.")
    assert results_table(page, "Which first?") == [["Trees", "0"], ["Benches", "1"], ["Lights", "0"]]
    expect(c.locator("svg.poll-chart desc")).to_have_text("Trees: 0; Benches: 1; Lights: 0")
    expect(console.locator(".poll-admin", has_text="Which first?").locator(".poll-summary")).to_have_text(
        "Results so far: 1 person answered.")
    assert_no_axe_violations(page, axe_js, "a single-choice poll with live results")

    # Several choices, at most two.
    open_poll(console, "What do you want?", "multiple", options="Shade\nWater\nPlay", **{"At most this many choices": "2"})
    c = card(page, "What do you want?")
    expect(c.get_by_role("group", name="Choose up to 2 options")).to_be_visible()
    c.get_by_role("checkbox", name="Shade").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # Play
    expect(c.get_by_role("checkbox", name="Play")).to_be_checked()
    send(page, "What do you want?")
    assert results_table(page, "What do you want?") == [["Shade", "1"], ["Water", "0"], ["Play", "1"]]

    # A scale from 1 to 5, by arrow keys on a labelled range.
    open_poll(console, "How safe is the square?", "scale", **{"Lowest value": "1", "Highest value": "5"})
    c = card(page, "How safe is the square?")
    slider = c.get_by_role("slider", name="Your answer, from 1 to 5")
    expect(slider).to_have_value("3")
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(slider).to_have_value("4")
    send(page, "How safe is the square?")
    expect(c.locator(".poll-summary")).to_have_text("Results so far: 1 person answered. Mean 4, median 4.")

    # A ranking of ideas on the board, moved with the Up and Down buttons.
    open_poll(console, "Rank the ideas", "ranking", ideas=("Shade trees", "A water fountain"))
    c = card(page, "Rank the ideas")
    expect(c.locator(".poll-rank-label")).to_have_text(["1. Shade trees", "2. A water fountain"])
    c.get_by_role("button", name="Down: Shade trees").focus()
    page.keyboard.press("Enter")
    expect(c.locator(".poll-rank-label")).to_have_text(["1. A water fountain", "2. Shade trees"])
    # Focus stays with the moved option: at the bottom it can only go up.
    expect(c.get_by_role("button", name="Up: Shade trees")).to_be_focused()
    expect(c.locator("[role=status].visually-hidden")).to_have_text("Shade trees is now number 2 of 2.")
    assert_no_axe_violations(page, axe_js, "a ranking poll")
    send(page, "Rank the ideas")
    assert results_table(page, "Rank the ideas") == [["1. A water fountain", "1"], ["2. Shade trees", "0"]]
    card(page, "Rank the ideas").screenshot(path=str(artifacts / "polls-live.png"))  # the README's picture

    # Points to spread, with a live count of what is left.
    open_poll(console, "Spread the budget", "points", options="Trees\nWater", **{"Points each person spreads": "10"})
    c = card(page, "Spread the budget")
    left = c.locator(".poll-points-left")
    expect(left).to_have_text("10 points left of 10.")
    c.get_by_role("spinbutton", name="Trees").focus()
    page.keyboard.type("7")
    expect(left).to_have_text("3 points left of 10.")
    page.keyboard.press("Tab")
    page.keyboard.type("5")
    expect(left).to_have_text("2 points too many.")
    c.get_by_role("button", name="Send my answer").focus()
    page.keyboard.press("Enter")
    expect(c.locator(".poll-form .form-status")).to_have_text("You gave more than 10 points.")
    c.get_by_role("spinbutton", name="Water").focus()
    page.keyboard.press("Backspace")
    page.keyboard.type("3")
    expect(left).to_have_text("0 points left of 10.")
    send(page, "Spread the budget")
    assert results_table(page, "Spread the budget") == [["Trees", "7"], ["Water", "3"]]

    # Words, with results after the close only.
    open_poll(console, "One word for the square", "words", after_close=True, anonymous=True)
    c = card(page, "One word for the square")
    expect(c.locator(".poll-waiting")).to_have_text("The results are shown when the poll closes.")
    c.get_by_role("textbox", name="Word 1").focus()
    page.keyboard.type("  Green ")
    page.keyboard.press("Tab")
    page.keyboard.type("calm")
    send(page, "One word for the square")
    expect(c.locator(".poll-waiting")).to_be_visible()
    admin = console.locator(".poll-admin", has_text="One word for the square")
    expect(admin.locator(".poll-summary")).to_have_text("Results so far: 1 person answered.")
    assert_no_axe_violations(console, axe_js, "the console's poll panel")
    admin.get_by_role("button", name="Close the poll: One word for the square").focus()
    console.keyboard.press("Enter")
    expect(c.locator(".poll-summary")).to_have_text("Final results: 1 person answered.")
    assert results_table(page, "One word for the square") == [["calm", "1"], ["green", "1"]]
    expect(c.locator(".poll-closed-note")).to_have_text("This poll is closed. Thank you for answering.")
    expect(page.locator("#live-announcer")).to_contain_text("Poll closed: One word for the square")
    assert_no_axe_violations(page, axe_js, "a closed words poll")

    # The impact report: each closed poll as a chart with a table of the same numbers.
    console.goto(f"/w/{code}/report")
    figure = console.locator("#sec-polls figure.report-figure")
    expect(figure).to_have_count(1)
    expect(figure.locator("figcaption")).to_have_text("One word for the square (Words)")
    expect(figure.locator(".chart")).to_have_attribute("data-state", "ready")
    expect(figure.locator("svg desc")).to_have_text("calm: 1; green: 1.")
    assert_no_axe_violations(console, axe_js, "the report's polls")

    # A reload keeps one's answers (welcome.my_poll_answers).
    page.reload()
    expect(card(page, "Which first?").get_by_role("radio", name="Benches")).to_be_checked()
    expect(card(page, "Rank the ideas").locator(".poll-rank-label")).to_have_text(["1. A water fountain", "2. Shade trees"])
    expect(card(page, "Which first?").get_by_role("button", name="Change my answer")).to_be_visible()
