"""The page shells of outcomes and reports: served to anyone (the API decides what they may read); the projector page: facilitators only."""
import pytest
from django.test import Client

from tests.factories import citizen, staff_member, workshop_with_facilitator
from workshops import sessions

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


def test_the_projector_page_is_for_the_workshops_facilitators_only():
    workshop, facilitator = workshop_with_facilitator()
    moderator = staff_member(workshop, "moderator")
    page = f"/w/{workshop.code}/screen"

    anonymous = Client().get(page)
    assert anonymous.status_code == 403
    assert "frontend/js/screen.js" not in anonymous.content.decode()
    assert "<svg" not in anonymous.content.decode()

    as_citizen = Client()
    session = as_citizen.session
    sessions.remember(session, workshop, citizen(workshop))
    session.save()
    assert as_citizen.get(page).status_code == 403

    as_moderator = Client()
    as_moderator.force_login(moderator.user)
    assert as_moderator.get(page).status_code == 403

    as_facilitator = Client()
    as_facilitator.force_login(facilitator.user)
    response = as_facilitator.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "frontend/js/screen.js" in html
    assert f"testserver/w/{workshop.code}</a>" in html  # the join address, large, without the scheme
    assert '<svg viewBox="0 0 ' in html and 'class="screen-qr-code"' in html


def test_the_projector_page_of_an_unknown_workshop_is_404():
    assert Client().get("/w/nosuchcode/screen").status_code == 404
