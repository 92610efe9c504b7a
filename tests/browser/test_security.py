"""The pages under their Content-Security-Policy: what it refuses, and that the browser tests notice."""
import pytest
from playwright.sync_api import Error as PlaywrightError

from .helpers import wait_until

pytestmark = pytest.mark.browser


def test_an_inline_script_is_refused_and_reported_as_a_problem(people):
    visitor = people("Visitor")
    page = visitor.page
    response = page.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    try:
        page.add_script_tag(content="window.inlineRan = true;")
    except PlaywrightError:
        pass  # Playwright may notice the refusal itself
    wait_until(page, lambda: visitor.problems, "the CSP violation to be reported")
    assert page.evaluate("window.inlineRan") is None
    assert all("Content Security Policy" in problem for problem in visitor.problems), visitor.problems
    visitor.problems.clear()  # seen: this test's own violation is not a failure


def test_a_style_attribute_is_refused_but_styles_set_through_the_cssom_apply(people):
    visitor = people("Visitor")
    page = visitor.page
    page.goto("/")
    page.evaluate("document.querySelector('main').setAttribute('style', 'margin-left: 77px')")
    wait_until(page, lambda: visitor.problems, "the CSP violation to be reported")
    assert page.evaluate("getComputedStyle(document.querySelector('main')).marginLeft") != "77px"
    visitor.problems.clear()
    page.evaluate("document.querySelector('main').style.marginLeft = '77px'")
    assert page.evaluate("getComputedStyle(document.querySelector('main')).marginLeft") == "77px"
    page.wait_for_timeout(200)
    assert visitor.problems == []
