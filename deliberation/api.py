"""The HTTP JSON API of the content: moderation log, outcomes, export, responses, reports."""
import csv
import json
import io

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from workshops import permissions as rules
from workshops import selectors as workshop_selectors
from workshops import sessions, stream
from workshops.errors import DomainError
from workshops.http import json_view, once, parse_body
from workshops.models import Participant

from . import charts, officials, permissions, privacy, proposals, protocol, selectors
from . import report as impact

R = Participant.Role


def _actor(request, workshop, roles) -> Participant:
    actor = sessions.participant_for(workshop=workshop, session=request.session, user=request.user)
    if actor is None:
        raise DomainError("unauthenticated", "Log in first.")
    if not rules.can_act(actor) or actor.role not in roles:
        raise DomainError("forbidden")
    return actor


@json_view("GET")
def moderation_log(request, code):
    workshop = workshop_selectors.workshop_get(code)
    _actor(request, workshop, permissions.MODERATING)
    return JsonResponse(selectors.moderation_log(workshop.pk), safe=False)


@json_view("GET")
def outcomes(request, code):
    """What the workshop produced, for anyone, once something is published."""
    workshop = workshop_selectors.workshop_get(code)
    published = selectors.outcomes(workshop.pk)
    if not published:
        raise DomainError("not_found", "Nothing has been published yet.")
    return JsonResponse({"workshop": {"code": workshop.code, "title": workshop.title, "status": workshop.status,
                                      "language": workshop.language, "description": workshop.description},
                         "proposals": published})


@json_view("POST")
def proposal_response(request, code, proposal_id):
    workshop = workshop_selectors.workshop_get(code)
    actor = _actor(request, workshop, {R.OFFICIAL})
    body = parse_body(request, protocol.ResponseBody)

    def respond():
        _, payload = proposals.proposal_respond(actor=actor, proposal_id=proposal_id, status=body.status,
                                                message=body.message)
        return JsonResponse({"proposal": payload}, status=201)
    with stream.publishing():
        return once(request, caller=lambda: f"p:{actor.pk}", answer=respond)


@json_view("GET")
def export(request, code):
    """Everything the workshop produced, with participants pseudonymised (P1, P2, ...)."""
    workshop = workshop_selectors.workshop_get(code)
    actor = _actor(request, workshop, {R.FACILITATOR, R.OFFICIAL})
    fmt = request.GET.get("format", "json")
    if fmt not in ("json", "csv"):
        raise DomainError("invalid", fields={"format": "json or csv"})
    data = selectors.export(workshop, reader=actor)
    if fmt == "json":
        response = JsonResponse(data)
    else:
        response = HttpResponse(_csv(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="inspraak-{workshop.code}.{fmt}"'
    return response


CSV_COLUMNS = ["kind", "id", "board", "author", "text", "builds_on", "status", "agree", "disagree", "pass",
               "sources", "contributors", "response_status", "response_message", "created_at", "votes", "poll", "answer"]


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """Text that a spreadsheet would take for a formula, with a leading ' so it stays text."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


class _SafeWriter:
    """csv.writer whose every text cell is made safe for spreadsheets; a dict row goes by CSV_COLUMNS."""

    def __init__(self, out):
        self.writer = csv.writer(out)

    def writerow(self, row) -> None:
        if isinstance(row, dict):
            row = [row.get(column, "") for column in CSV_COLUMNS]
        self.writer.writerow([_cell(v) for v in row])


def _csv(data: dict) -> str:
    out = io.StringIO()
    writer = _SafeWriter(out)
    writer.writerow(CSV_COLUMNS)
    for idea in data["ideas"]:
        writer.writerow({"kind": "idea", "id": idea["id"], "board": idea["board"], "author": idea["author"],
                         "text": idea["text"], "builds_on": idea["builds_on"] or "", "status": idea["status"],
                         **idea["reactions"], "created_at": idea["created_at"]})
    for p in data["proposals"]:
        latest = p["responses"][-1] if p["responses"] else {}
        writer.writerow({"kind": "proposal", "id": p["id"], "author": "", "text": f"{p['title']}\n\n{p['body']}",
                         "status": p["status"], **p["endorsements"], "sources": " ".join(map(str, p["sources"])),
                         "contributors": " ".join(p["contributors"]), "response_status": latest.get("status", ""),
                         "response_message": latest.get("message", ""), "created_at": p["published_at"] or ""})
    for q in data["questions"]:
        writer.writerow({"kind": "question", "id": q["id"], "author": q["author"], "text": q["text"],
                         "status": q["status"], "votes": q["votes"], "created_at": q["created_at"],
                         "answer": q["answer"]["text"] if q["answer"] else ""})
    for poll in data["polls"]:
        writer.writerow({"kind": "poll", "id": poll["id"], "text": poll["question"], "status": poll["status"],
                         "created_at": poll["created_at"], "poll": poll["kind"],
                         "answer": _json(poll["results"]) if poll["results"] is not None else ""})
        for option in poll["options"]:
            writer.writerow({"kind": "poll_option", "id": option["id"], "text": option["label"], "poll": poll["id"]})
        for answer in poll["answers"]:
            writer.writerow({"kind": "poll_answer", "author": answer.get("participant", ""), "poll": poll["id"],
                             "answer": _json(answer["answer"])})
    return out.getvalue()


def _json(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@json_view("GET")
def report(request, code):
    """The impact report (PROTOCOL 1b) as JSON, or its numbers as CSV rows (section, key, value)."""
    workshop = workshop_selectors.workshop_get(code)
    _actor(request, workshop, {R.FACILITATOR, R.OFFICIAL})
    data = impact.workshop_report(workshop)
    if request.GET.get("format", "json") == "csv":
        response = HttpResponse(_report_csv(data), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="inspraak-report-{workshop.code}.csv"'
        return response
    return JsonResponse(data)


def _report_csv(data: dict) -> str:
    out = io.StringIO()
    writer = _SafeWriter(out)
    writer.writerow(["section", "key", "value"])

    def walk(section, prefix, value):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(section, f"{prefix}.{k}" if prefix else k, v)
        elif section == "polls" and isinstance(value, list):
            for i, v in enumerate(value):  # polls.0.question, polls.0.results.counts.12, ...
                walk(section, f"{prefix}.{i}" if prefix else str(i), v)
        else:
            writer.writerow([section, prefix, "" if value is None else value])

    for section, value in data.items():
        walk(section, "", value)
    return out.getvalue()


@json_view("GET")
def organisation_report(request):
    """Every workshop in which this staff account is facilitator or official, side by side."""
    if not request.user.is_authenticated or not request.user.is_staff:
        raise DomainError("unauthenticated", "Log in as staff first.")
    workshops = workshop_selectors.workshops_with_role(request.user, (R.FACILITATOR, R.OFFICIAL))
    return JsonResponse(impact.organisation_report(workshops))


@json_view("GET")
def officials_awaiting(request):
    """Across the account's workshops as an official: published proposals waiting for a response or an update."""
    if not request.user.is_authenticated or not request.user.is_staff:
        raise DomainError("unauthenticated", "Log in as staff first.")
    return JsonResponse({"update_due_days": settings.INSPRAAK["UPDATE_DUE_DAYS"],
                         "workshops": officials.awaiting_officials(request.user),
                         "email": request.user.email, "digest": officials.digest_last(request.user)})


@json_view("GET")
def report_chart(request, code, name):
    """One chart of the impact report as SVG (with a title and a text description)."""
    workshop = workshop_selectors.workshop_get(code)
    _actor(request, workshop, {R.FACILITATOR, R.OFFICIAL})
    svg = charts.charts(impact.workshop_report(workshop)).get(name)
    if svg is None:
        raise DomainError("not_found", "No such chart.")
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


def _me(request, workshop) -> Participant:
    """The participant this browser (or staff account) is in the workshop, whatever they may do now."""
    participant = sessions.participant_for(workshop=workshop, session=request.session, user=request.user)
    if participant is None:
        raise DomainError("unauthenticated", "Join the workshop first.")
    return participant


@json_view("GET")
def my_data(request, code):
    """Everything stored about the asking participant, as a JSON file to keep."""
    workshop = workshop_selectors.workshop_get(code)
    response = JsonResponse(privacy.participant_data(_me(request, workshop)))
    response["Content-Disposition"] = f'attachment; filename="inspraak-{workshop.code}-my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@json_view("POST")
def erase_me(request, code):
    """Erase the asking participant (PROTOCOL 3.3); this browser is nobody in the workshop afterwards."""
    workshop = workshop_selectors.workshop_get(code)
    with stream.publishing():
        privacy.participant_erase(actor=_me(request, workshop))
    sessions.forget(request.session, workshop)
    return JsonResponse({"erased": True})
