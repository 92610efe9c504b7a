"""The page shells of outcomes and reports: served to anyone (the API decides what they may read)."""
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("path", "script"), [
    ("/w/abcdefghjk/outcomes", "frontend/js/outcomes.js"),
    ("/w/abcdefghjk/report", "frontend/js/report.js"),
    ("/reports", "frontend/js/org-report.js"),
    ("/officials", "frontend/js/officials.js"),
])
def test_outcomes_and_report_pages_render_their_shell_in_the_browsers_language(path, script):
    response = Client().get(path, headers={"Accept-Language": "nl"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl"' in html
    assert script in html and "frontend/css/reports.css" in html
    assert 'id="live-announcer"' in html


def test_page_shells_refuse_unsafe_methods():
    assert Client().post("/w/abcdefghjk/report").status_code == 405


def test_the_front_page_links_officials_to_their_page():
    assert 'href="/officials"' in Client().get("/").content.decode()
