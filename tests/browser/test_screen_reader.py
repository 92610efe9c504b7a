"""What a screen reader and a keyboard meet (issue 16): bursts of ideas counted in one polite message,
an appeal's decision said to its author (and "Your appeal was sent." gone), reaction buttons named
after their idea, and a skip from one column to the next."""
import re

import pytest
from playwright.sync_api import expect

from .helpers import assert_no_axe_violations, expect_live, idea_item, wait_until
from .scripted import Member

pytestmark = pytest.mark.browser

# Everything the polite live region says from now on, in window.said.
RECORD_LIVE_REGION = """() => {
    window.said = [];
    const region = document.getElementById("live-announcer");
    new MutationObserver(() => { if (region.textContent) window.said.push(region.textContent); })
        .observe(region, {childList: true, characterData: true, subtree: true});
}"""


def ideas_said(said: list[str]) -> int:
    """How many new ideas the messages report, counted or one by one."""
    total = 0
    for message in said:
        total += sum(int(n) for n in re.findall(r"(\d+) new ideas? from", message))
        total += len(re.findall(r"New idea from", message))
    return total


def test_a_screen_reader_hears_bursts_counted_decisions_told_and_buttons_named_after_their_idea(
        people, facilitator, server, axe_js):
    status, created = facilitator.http.post("/api/workshops", {
        "title": "The harbour front", "columns": ["Problems", "Ideas", "Questions"]})
    assert status == 201, created
    code = created["code"]
    fac = facilitator.open(code)
    fac.command("workshop.start")
    cas = people("Cas")
    cas.join(code)
    c = cas.page
    c.evaluate(RECORD_LIVE_REGION)

    # Six ideas from two people in a moment: counted and summed up, not six messages.
    bram, anna = Member(server, "Bram"), Member(server, "Anna")
    try:
        for member in (bram, anna):
            member.join(code)
            member.open(code)
        board = bram.socket.plenary_board()
        for i in range(4):
            bram.socket.command("idea.post", board=board, text=f"Bram's idea {i}", column="Ideas")
        for i in range(2):
            anna.socket.command("idea.post", board=board, text=f"Anna's idea {i}", column="Problems")
    finally:
        bram.close()
        anna.close()
    wait_until(c, lambda: ideas_said(c.evaluate("window.said")) >= 6, "six ideas announced")
    said = c.evaluate("window.said")
    assert ideas_said(said) == 6, said
    assert len(said) <= 2, f"a flood of messages: {said}"
    assert re.match(r"^\d new ideas from Bram( and Anna)?\.", said[0]), said

    # Reaction buttons say which idea they are about; the idea's text describes them.
    agree = idea_item(c, "Bram's idea 0").get_by_role("button", name="Agree with the idea by Bram 0", exact=True)
    expect(agree).to_be_visible()
    expect(agree).to_have_accessible_description("Bram's idea 0")
    expect(idea_item(c, "Anna's idea 1").get_by_role("button", name="Pass on the idea by Anna 0", exact=True)).to_be_visible()

    # From a column's heading, one Tab reaches "skip to the next column"; Enter goes there.
    c.get_by_role("heading", name="Problems").focus()
    c.keyboard.press("Tab")
    skip = c.get_by_role("button", name="Skip to the column Ideas")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    assert_no_axe_violations(c, axe_js, "the board with a column's skip button focused")
    c.keyboard.press("Enter")
    expect(c.get_by_role("heading", name="Ideas", exact=True)).to_be_focused()
    c.keyboard.press("Tab")
    expect(c.get_by_role("button", name="Skip to the column Questions")).to_be_focused()
    expect(c.locator("section.column").last.locator(".skip-column")).to_be_hidden()

    # An idea of Cas's is hidden; Cas appeals; the decision is said, and "sent" does not stay under it.
    mine = cas.post_idea("Ban all cars from the quay", column="Questions")
    idea_id = int(mine.get_attribute("data-id"))
    fac.command("idea.hide", idea=idea_id, reason="Off topic")
    expect(mine.locator(":scope > article .idea-reason")).to_be_visible()
    mine.get_by_role("button", name="Appeal").click()
    c.get_by_label("Why should this idea be shown again?").fill("It is about the quay, the topic of the evening.")
    c.get_by_role("button", name="Send appeal").click()
    sent = mine.locator(":scope > article .idea-body > .form-status")
    expect(sent).to_have_text("Your appeal was sent.")
    c.evaluate("window.said = []")
    fac.command("appeal.decide", idea=idea_id, uphold=False, note="Cars are for another evening.")
    expect(mine.locator(":scope > article .idea-appeal")).to_have_text(
        "Your appeal was turned down: Cars are for another evening.")
    # At once, with the decision: not by fading a few seconds later.
    expect(sent).to_have_text("", timeout=500)
    wait_until(c, lambda: any("Your appeal was turned down" in m for m in c.evaluate("window.said")),
               "the decision announced")
    expect_live(c)
