"""The one error builder: socket frames carry `code`, HTTP bodies `error`, both the same details."""
import pydantic
import pytest
from django.test import Client

from workshops.errors import DomainError, error_body, error_frame, field_errors, internal_frame
from workshops.http import error_response


def test_a_socket_error_frame_answers_its_ref_with_code_message_and_details():
    exc = DomainError("muted", "Muted until noon.", retry_after=12.5)
    assert error_frame("r1", exc) == {"type": "error", "ref": "r1", "code": "muted", "message": "Muted until noon.",
                                      "retry_after": 12.5}


def test_an_http_error_body_names_the_code_error_and_leaves_out_empty_details():
    assert error_body(DomainError("forbidden")) == {"error": "forbidden",
                                                    "message": "You are not allowed to do that."}
    assert error_body(DomainError("invalid", fields={"name": "Too long."})) == {
        "error": "invalid", "message": "Some fields are not valid.", "fields": {"name": "Too long."}}


@pytest.mark.parametrize("code, status", [("invalid", 400), ("unauthenticated", 401), ("forbidden", 403),
                                          ("not_found", 404), ("method_not_allowed", 405), ("ended", 409),
                                          ("conflict", 409), ("too_large", 413), ("rate_limited", 429),
                                          ("internal", 500), ("something_new", 400)])
def test_an_http_error_response_has_the_status_of_its_code(code, status):
    response = error_response(DomainError(code))
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"


def test_the_internal_frame_says_nothing_was_changed():
    assert internal_frame(None) == {"type": "error", "ref": None, "code": "internal",
                                    "message": "The server could not handle that; nothing was changed."}


def test_field_errors_give_one_message_per_dotted_path():
    class Item(pydantic.BaseModel):
        title: str
        minutes: int

    class Body(pydantic.BaseModel):
        agenda: list[Item]

    with pytest.raises(pydantic.ValidationError) as caught:
        Body.model_validate({"agenda": [{"title": "Intro", "minutes": "many"}, {}]})
    errors = field_errors(caught.value)
    assert set(errors) == {"agenda.0.minutes", "agenda.1.title", "agenda.1.minutes"}
    assert all(isinstance(m, str) and m for m in errors.values())


def test_a_model_level_error_is_filed_under_underscore():
    with pytest.raises(pydantic.ValidationError) as caught:
        pydantic.TypeAdapter(int).validate_python("x")
    assert list(field_errors(caught.value)) == ["_"]


@pytest.mark.django_db
def test_a_request_that_fails_in_the_server_answers_json_internal_under_api_and_django_s_page_elsewhere(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")
    monkeypatch.setattr("workshops.selectors.workshop_get", broken)
    monkeypatch.setattr("frontend.views.render", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/api/workshops/ABCDEFGH")
    assert response.status_code == 500
    assert response.json() == {"error": "internal", "message": "The server could not handle that request; try again."}
    page = client.get("/")
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html") and b"Server Error (500)" in page.content
