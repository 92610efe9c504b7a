"""The console's staff panel: add a moderator, make them official, take the role away, with the keyboard."""
import pytest
from playwright.sync_api import expect

from .conftest import MODERATOR_PASSWORD, MODERATOR_USERNAME, STAFF_PASSWORD, STAFF_USERNAME
from .helpers import assert_no_axe_violations, expect_live, screenshot, start_workshop

pytestmark = pytest.mark.browser


def staff_row(page, username: str):
    return page.locator(f'#staff-list li.staff-row[data-username="{username}"]')


def test_a_facilitator_adds_changes_and_removes_staff_and_their_page_follows(people, axe_js, artifacts):
    facilitator, moderator = people("Fatima"), people("Mo")
    f, m = facilitator.page, moderator.page
    code = start_workshop(facilitator, STAFF_USERNAME, STAFF_PASSWORD, "Market square")
    panel = f.get_by_role("group", name="Staff", exact=True)
    expect(panel).to_be_visible()
    expect(staff_row(f, STAFF_USERNAME)).to_have_count(1)
    expect(panel.get_by_label(f"{STAFF_USERNAME} – Role")).to_have_value("facilitator")
    assert_no_axe_violations(f, axe_js, "the console with the staff panel")

    # An unknown username: a clear message on the field, which keeps focus.
    username = panel.get_by_label("Username")
    username.fill("nobody-here")
    username.press("Enter")
    message = "There is no staff account with the username “nobody-here”."
    expect(panel.locator("#staff-status")).to_have_text(message)
    expect(panel.locator("#staff-username-error")).to_have_text(message)
    expect(username).to_be_focused()
    assert_no_axe_violations(f, axe_js, "the staff panel with an error")

    # Add the moderator with the keyboard alone: type, Tab to the role, choose, Enter.
    username.fill(MODERATOR_USERNAME)
    f.keyboard.press("Tab")
    expect(panel.get_by_label("Role", exact=True)).to_be_focused()
    panel.get_by_label("Role", exact=True).select_option("moderator")
    f.keyboard.press("Tab")
    expect(panel.get_by_role("button", name="Add to staff")).to_be_focused()
    f.keyboard.press("Enter")
    expect(panel.locator("#staff-status")).to_have_text(f"{MODERATOR_USERNAME} is now moderator.")
    expect(panel.locator("#staff-username-error")).to_be_hidden()
    row = staff_row(f, MODERATOR_USERNAME)
    expect(row.get_by_role("combobox")).to_have_value("moderator")

    # The moderator opens the workshop with their account.
    moderator.log_in(MODERATOR_USERNAME, MODERATOR_PASSWORD)
    m.goto(f"/w/{code}/")
    expect_live(m)
    expect(m.locator("#me-line")).to_have_text(f"You take part as {MODERATOR_USERNAME}, in the role of moderator.")

    # Made official from the console: their open page reconnects in the new role by itself.
    role = row.get_by_role("combobox")
    role.focus()
    role.select_option("official")
    f.keyboard.press("Tab")
    expect(row.get_by_role("button", name=f"Change role ({MODERATOR_USERNAME})")).to_be_focused()
    f.keyboard.press("Enter")
    expect(panel.locator("#staff-list-status")).to_have_text(f"{MODERATOR_USERNAME} is now official.")
    expect(row.get_by_role("combobox")).to_have_value("official")
    expect(m.locator("#me-line")).to_have_text(f"You take part as {MODERATOR_USERNAME}, in the role of official.")
    expect_live(m)

    # The last facilitator can be neither demoted nor removed.
    own = staff_row(f, STAFF_USERNAME)
    own.get_by_role("combobox").select_option("moderator")
    own.get_by_role("button", name=f"Change role ({STAFF_USERNAME})").click()
    last = "A workshop needs at least one facilitator. Make someone else facilitator first."
    expect(panel.locator("#staff-list-status")).to_have_text(last)
    own.get_by_role("button", name=f"Remove from staff ({STAFF_USERNAME})").click()
    expect(panel.locator("#staff-list-status")).to_have_text(last)
    expect(f.locator("#controls")).to_be_visible()
    assert_no_axe_violations(f, axe_js, "the staff panel refusing to remove the last facilitator")

    # Removed: gone from the list, focus back on the panel, and their page is a citizen's.
    remove = row.get_by_role("button", name=f"Remove from staff ({MODERATOR_USERNAME})")
    remove.focus()
    f.keyboard.press("Enter")
    expect(panel.locator("#staff-list-status")).to_have_text(f"{MODERATOR_USERNAME} is no longer on the staff.")
    expect(staff_row(f, MODERATOR_USERNAME)).to_have_count(0)
    expect(panel.get_by_role("heading", name="Staff")).to_be_focused()
    expect(m.locator("#me-line")).to_have_text(f"You take part as {MODERATOR_USERNAME}.")
    expect_live(m)
    assert_no_axe_violations(f, axe_js, "the staff panel after a removal")
    screenshot(f, artifacts, "console-staff-panel")
