"""Issue 16 points 1-3: profile questions and columns from the create form, the console's edit form, the
description where citizens read it, and a code typed in capitals."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import STAFF_PASSWORD, STAFF_USERNAME
from .helpers import assert_no_axe_violations, expect_live, idea_item

pytestmark = pytest.mark.browser


def column_headings(page) -> list[str]:
    return page.locator("#boards section.board").first.locator("section.column h3").all_inner_texts()


def test_a_facilitator_sets_and_edits_the_workshop_and_citizens_follow(people, axe_js):
    fac, an = people("Fatima"), people("An", phone=True)
    f, a = fac.page, an.page
    fac.log_in(STAFF_USERNAME, STAFF_PASSWORD)
    f.get_by_label("Title", exact=True).fill("The empty lot")
    f.get_by_label("Description (optional)").fill("How should we use the empty lot on Station Street?")
    # Typed on one line, the columns are three (the hint says commas separate them too).
    f.get_by_label("Board columns (optional)").fill("Problems, Ideas, Questions")
    f.get_by_label("Profile questions (optional)").fill("Age: under 30, 30 or over\nBad line without options")
    f.get_by_role("button", name="Create workshop").click()
    questions = f.get_by_label("Profile questions (optional)")
    expect(questions).to_be_focused()
    expect(f.locator("#create-questions-error")).to_contain_text("Line 2")
    questions.fill("Age: under 30, 30 or over")
    f.get_by_role("button", name="Create workshop").click()
    expect(f.locator("#created")).to_be_visible()
    code = re.fullmatch(r"/w/(\w+)/facilitate", f.locator("#created-console").get_attribute("href")).group(1)

    # The citizen types the code in capitals on the front page, reads the description and the question.
    a.goto("/")
    a.get_by_label("Workshop code").fill(code.upper())
    a.get_by_label("Workshop code").press("Enter")
    expect(a).to_have_url(re.compile(f"/w/{code}/$"))
    expect(a.locator("#join-description")).to_have_text("How should we use the empty lot on Station Street?")
    a.get_by_label("Your name").fill("An")
    a.get_by_label("Age", exact=True).select_option("under 30")
    assert_no_axe_violations(a, axe_js, "the join form with a profile question")
    a.get_by_role("button", name="Join").click()
    expect_live(a)
    expect(a.locator("#workshop-description")).to_have_text("How should we use the empty lot on Station Street?")
    assert column_headings(a) == ["Problems", "Ideas", "Questions"]

    f.goto(f"/w/{code.upper()}/facilitate")
    expect_live(f)
    f.get_by_role("button", name="Start workshop").click()
    expect(f.locator("#workshop-status")).to_have_text("Live")
    an.post_idea("The fence is broken", column="Problems")

    # The edit form, with the keyboard: it opens on the title, filled with the workshop as it is.
    panel = f.get_by_role("group", name="Workshop settings")
    edit = panel.get_by_role("button", name="Edit the workshop")
    edit.focus()
    f.keyboard.press("Enter")
    title = panel.get_by_label("Workshop title")
    expect(title).to_be_focused()
    expect(title).to_have_value("The empty lot")
    expect(panel.get_by_label("Board columns", exact=True)).to_have_value("Problems\nIdeas\nQuestions")
    expect(panel.get_by_label("Profile questions", exact=True)).to_have_value("Age: under 30, 30 or over")
    expect(panel.get_by_label("Profile questions", exact=True)).to_have_attribute("readonly", "")
    expect(f.locator("#edit-questions-locked")).to_be_visible()
    expect(panel.get_by_label("Flags that hide an idea")).to_have_value("3")
    assert_no_axe_violations(f, axe_js, "the console's edit form")

    panel.get_by_label("Board columns", exact=True).fill("Ideas, Ideas")
    panel.get_by_role("button", name="Save changes").click()
    expect(f.locator("#edit-columns-error")).to_have_text("“Ideas” is there twice: give each column once.")
    panel.get_by_label("Description", exact=True).fill("Use the lot for play, or for green?")
    panel.get_by_label("Board columns", exact=True).fill("Ideas\nQuestions, Later")
    panel.get_by_role("button", name="Save changes").click()
    expect(f.locator("#edit-saved")).to_have_text("The workshop's settings were saved. Everyone's page shows them now.")
    expect(edit).to_be_focused()

    # The citizen's page follows without a reload; the idea of the removed column is in none.
    expect(a.locator("#workshop-description")).to_have_text("Use the lot for play, or for green?")
    expect(a.locator("#boards section.board").first.locator("section.column h3")).to_have_text(
        ["Ideas", "Questions", "Later", "Other"])
    expect(idea_item(a, "The fence is broken")).to_be_visible()
    other = a.locator("section.column", has=a.get_by_role("heading", name="Other", exact=True))
    expect(other.locator("li", has_text="The fence is broken")).to_have_count(1)
    assert_no_axe_violations(a, axe_js, "the citizen's page after the edit")
