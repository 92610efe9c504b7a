"""Reads of the content: payloads, audiences and what a participant may see."""
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q

from workshops import stream
from workshops.errors import DomainError
from workshops.extensions import Report
from workshops.models import Participant
from workshops.prepared import Lookup
from workshops.times import iso

from . import permissions, poll_selectors, synthesis
from .models import (Board, Endorsement, FloorTurn, Flag, Hand, Idea, ModerationAction, PollAnswer, Proposal, Question,
                     QuestionVote, Reaction, Response)

ZERO = {"agree": 0, "disagree": 0, "pass": 0}


_COUNTS = f"SELECT value, COUNT(*) FROM {Reaction._meta.db_table} WHERE idea_id = %s GROUP BY value"


def reaction_counts(idea_id: int) -> dict:
    """An idea's counts. Every reaction's ack carries them: one fixed statement, written out,
    because building it through the ORM (a grouped values query) cost more CPU than running it."""
    counts = dict(ZERO)
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS, [idea_id])
        counts.update(cursor.fetchall())
    return counts



def idea_payload(idea: Idea, *, reactions: dict | None = None, with_reason: bool = False) -> dict:
    """The protocol's IDEA; a withdrawn idea keeps its place in threads but not its text."""
    return _idea(idea.pk, idea.board_id, idea.column, idea.author_id, idea.author.name, idea.text, idea.builds_on_id,
                 idea.status, reactions if reactions is not None else reaction_counts(idea.pk), idea.edited,
                 idea.created_at, idea.hidden_reason if with_reason else None, idea.held_reason if with_reason else None)


def _idea(pk, board, column, author, name, text, builds_on, status, reactions, edited, created_at,
          hidden_reason, held_reason) -> dict:
    payload = {
        "id": pk, "board": board, "column": column or None, "author": {"id": author, "name": name},
        "text": "" if status == Idea.Status.WITHDRAWN else text, "builds_on": builds_on, "status": status,
        "reactions": reactions, "edited": edited, "created_at": iso(created_at),
    }
    if status == Idea.Status.HIDDEN and hidden_reason is not None:
        payload["hidden_reason"] = hidden_reason
    if status == Idea.Status.HELD and held_reason is not None:
        payload["held_reason"] = held_reason
    return payload


def idea_audience(idea: Idea) -> tuple[str, ...]:
    """Who is told about an idea: its board's readers, or only author and moderators when not public."""
    if idea.status in (Idea.Status.HELD, Idea.Status.HIDDEN):
        return (*stream.to_participant(idea.author_id), *stream.MODERATORS)
    return stream.to_room(permissions.board_room(idea.board))


# Commands look up one board or idea each, with the room and breakout the permissions read, joined
# in: built once (workshops.prepared), the joins cost less than a second query for a room's board.
_BOARD = Lookup(lambda pk, workshop: Board.objects.select_related("room__breakout").filter(pk=pk, workshop_id=workshop),
                nargs=2)
_IDEA = Lookup(lambda pk, workshop: Idea.objects.select_related("board__room__breakout", "author")
               .filter(pk=pk, board__workshop_id=workshop), nargs=2)
_IDEA_LOCKED = Lookup(lambda pk, workshop: Idea.objects.select_related("board__room__breakout", "author")
                      .select_for_update(of=("self",)).filter(pk=pk, board__workshop_id=workshop), nargs=2)


def board_get(actor: Participant, board_id: int) -> Board:
    try:
        board = _BOARD.get(board_id, actor.workshop_id)
    except Board.DoesNotExist:
        board = None
    if board is None or not permissions.can_see_board(actor, board):
        raise DomainError("not_found", "No such board.", fields={"board": "No such board."})
    return board


def idea_get(actor: Participant, idea_id: int, *, field: str = "idea", lock: bool = False) -> Idea:
    """An idea of the actor's workshop that the actor may see, or not_found."""
    try:
        idea = (_IDEA_LOCKED if lock else _IDEA).get(idea_id, actor.workshop_id)
    except Idea.DoesNotExist:
        idea = None
    if idea is None or not permissions.can_see_idea(actor, idea):
        raise DomainError("not_found", "No such idea.", fields={field: "No such idea."})
    return idea


_BOARDS = Lookup(lambda workshop_id: Board.objects.filter(workshop_id=workshop_id)
                 .select_related("room__breakout").order_by("pk"))


def boards_visible_to(actor: Participant) -> list[Board]:
    return [b for b in _BOARDS.all(actor.workshop_id) if permissions.can_see_board(actor, b)]


def with_counts(qs):
    return (qs.select_related("author")
            .annotate(n_agree=Count("reactions", filter=Q(reactions__value="agree"), distinct=True),
                      n_disagree=Count("reactions", filter=Q(reactions__value="disagree"), distinct=True),
                      n_pass=Count("reactions", filter=Q(reactions__value="pass"), distinct=True))
            .order_by("created_at", "pk"))


_ROW = ("pk", "board_id", "column", "author_id", "author__name", "text", "builds_on_id", "status",
        "n_agree", "n_disagree", "n_pass", "edited", "created_at", "hidden_reason", "held_reason")


def _payloads(qs) -> list[dict]:
    """The IDEAs of a `with_counts` query, with the reasons their readers may read, read as rows:
    a welcome reads thousands, and building an Idea and its author per row was most of that cost."""
    return _rows_payloads(qs.values_list(*_ROW))


def _rows_payloads(rows) -> list[dict]:
    return [_idea(pk, board, column, author, name, text, builds_on, status,
                  {"agree": agree, "disagree": disagree, "pass": n_pass}, edited, created_at, hidden, held)
            for (pk, board, column, author, name, text, builds_on, status, agree, disagree, n_pass, edited,
                 created_at, hidden, held) in rows]


# Whether a participant has an idea that is not public (held, hidden, withdrawn): every welcome asks.
_NOT_PUBLIC = Lookup(lambda pk: Idea.objects.filter(author_id=pk).exclude(status=Idea.Status.VISIBLE)
                     .values_list("pk", flat=True)[:1])


def _public() -> Q:
    """The ideas every reader of a board sees: visible ones, and withdrawn ones that visible replies hang on."""
    answered = Exists(Idea.objects.filter(builds_on=OuterRef("pk"), status=Idea.Status.VISIBLE))
    return Q(status=Idea.Status.VISIBLE) | Q(status=Idea.Status.WITHDRAWN) & Q(answered)


# A kind's share of the ideas (what a welcome reads, anew for every join into a small workshop), per
# number of boards and whether the kind moderates: building this query cost ten times running it on
# an empty workshop (bench/README.md, fourteenth round).
_KIND_IDEAS: dict[tuple[int, bool], Lookup] = {}
_KIND_IDEAS_MAX_BOARDS = 32  # past this (staff of a large breakout), the query is built each time


def _kind_ideas(board_ids: list[int], moderating: bool) -> list[dict]:
    key = (len(board_ids), moderating)
    lookup = _KIND_IDEAS.get(key)
    if lookup is None:
        lookup = _KIND_IDEAS[key] = Lookup(
            lambda *ids: with_counts(Idea.objects.filter(board_id__in=ids))
            .filter(Q() if moderating else _public()).values_list(*_ROW), nargs=len(board_ids))
    return _rows_payloads(lookup.all(*board_ids))


def ideas_visible_to(actor: Participant, *, board: Board | None = None, share: str = "all") -> list[dict]:
    """Every idea the actor may see (only on `board` when given), in posting order, with reaction counts.

    `share`: "all"; "kind", what every reader of the actor's role and room sees (a welcome keeps
    it, snapshot.reader_kind); or "own", the rest: the actor's own ideas that are not public.
    """
    if share == "own" and (actor.role in permissions.MODERATING or not _NOT_PUBLIC.all(actor.pk)):
        return []  # staff read every idea in their kind's share; most people have no idea that is not public
    if board is None:
        board_ids = [b.pk for b in boards_visible_to(actor)]
    else:
        board_ids = [board.pk] if permissions.can_see_board(actor, board) else []
    moderating = actor.role in permissions.MODERATING
    if share == "kind" and 0 < len(board_ids) <= _KIND_IDEAS_MAX_BOARDS:
        return _kind_ideas(board_ids, moderating)
    qs = with_counts(Idea.objects.filter(board_id__in=board_ids))
    # A withdrawn idea keeps its place only where visible replies hang on it.
    public = _public()
    readable = permissions.ideas_readable(actor, public=public)
    if share == "kind":
        readable = Q() if moderating else public
    elif share == "own":
        readable &= ~public
    return _payloads(qs.filter(readable))


def board_payload(board: Board) -> dict:
    return {"id": board.pk, "title": board.title, "room": board.room_id, "columns": board.columns}


TOP_IDEAS = 3


def breakout_report(*, breakout, rooms) -> Report:
    """Each room's top ideas (agree minus disagree, then how many build on them), and
    the room boards with their public ideas, which everyone may read from now on."""
    boards = list(Board.objects.filter(room__in=rooms))
    ideas = with_counts(Idea.objects.filter(board__in=boards, status__in=(Idea.Status.VISIBLE, Idea.Status.WITHDRAWN)))
    builds = dict(Idea.objects.filter(builds_on__board__in=boards, status=Idea.Status.VISIBLE)
                  .values_list("builds_on_id").annotate(n=Count("pk")).order_by())
    payloads = _payloads(ideas)
    top: dict[int, list[int]] = {}
    room_of_board = {b.pk: b.room_id for b in boards}
    # Stable: ties stay in posting order, as the payloads come.
    ranked = sorted((i for i in payloads if i["status"] == Idea.Status.VISIBLE),
                    key=lambda i: (-(i["reactions"]["agree"] - i["reactions"]["disagree"]), -builds.get(i["id"], 0)))
    for idea in ranked:
        chosen = top.setdefault(room_of_board[idea["board"]], [])
        if len(chosen) < TOP_IDEAS:
            chosen.append(idea["id"])
    return {"top": top, "boards": [board_payload(b) for b in boards], "ideas": payloads}


def moderation_log(workshop_id: int) -> list[dict]:
    """The audit log, oldest first."""
    rows = (ModerationAction.objects.filter(workshop_id=workshop_id).select_related("actor")
            .order_by("created_at", "pk"))
    return [{"at": iso(r.created_at), "actor": _actor_name(r), "actor_id": r.actor_id, "action": r.action,
             "target": r.target, "reason": r.reason, "minutes": r.minutes}
            for r in rows]


def _actor_name(row: ModerationAction) -> str:
    if row.actor is not None:
        return row.actor.name
    return "screening" if row.action == ModerationAction.Action.HOLD else "flags"


def flag_get(actor: Participant, flag_id: int) -> Flag:
    flag = Flag.objects.filter(pk=flag_id, idea__board__workshop_id=actor.workshop_id).first()
    if flag is None:
        raise DomainError("not_found", "No such flag.", fields={"flag": "No such flag."})
    return flag


def contributors_of(proposal: Proposal) -> list[int]:
    """Authors of the visible sources and of the visible ideas that build on them, and the drafters.

    A source that was hidden (or withdrawn) since names nobody, neither its author nor through it.
    """
    visible = Idea.Status.VISIBLE
    source_ids = list(proposal.sources.filter(status=visible).values_list("pk", flat=True))
    people = set(Idea.objects.filter(pk__in=source_ids).values_list("author_id", flat=True))
    people |= set(Idea.objects.filter(builds_on__in=source_ids, status=visible)
                  .values_list("author_id", flat=True))
    people |= set(proposal.drafters.values_list("pk", flat=True))
    return sorted(people)


def source_authors(proposal: Proposal) -> list[int]:
    """Authors of the proposal's visible source ideas: those the report asks were told its answers."""
    return sorted(set(proposal.sources.filter(status=Idea.Status.VISIBLE).values_list("author_id", flat=True)))


def endorsement_counts(proposal_id: int) -> dict:
    counts = dict(ZERO)
    for row in Endorsement.objects.filter(proposal_id=proposal_id).values("value").annotate(n=Count("pk")):
        counts[row["value"]] = row["n"]
    return counts


def response_payload(r: Response) -> dict:
    return {"status": r.status, "message": r.message, "by": r.official.name, "at": iso(r.created_at)}


def proposal_bridging(proposal: Proposal, groups=None) -> float:
    """Group-aware agreement with a proposal's endorsements (see synthesis.bridging)."""
    groups = synthesis.groups_of(proposal.workshop_id) if groups is None else groups
    votes = Endorsement.objects.filter(proposal=proposal).values_list("proposal_id", "participant_id", "value")
    return round(synthesis.bridging(votes, groups, items=[proposal.pk])[proposal.pk], 4)


def proposal_payload(proposal: Proposal, *, groups=None) -> dict:
    """The protocol's PROPOSAL, plus the whole response timeline and whether it was edited after publishing."""
    responses = [response_payload(r) for r in proposal.responses.select_related("official").order_by("created_at", "pk")]
    return {
        "id": proposal.pk, "title": proposal.title, "body": proposal.body, "status": proposal.status,
        "sources": sorted(proposal.sources.values_list("pk", flat=True)),
        "contributors": contributors_of(proposal),
        "endorsements": endorsement_counts(proposal.pk),
        "bridging": proposal_bridging(proposal, groups),
        "response": responses[-1] if responses else None,
        "responses": responses,
        "edited": proposal.edited,
        "published_at": iso(proposal.published_at),
    }


def proposals_visible_to(actor: Participant) -> list[dict]:
    """Published proposals for everyone; drafts too for facilitators."""
    found = (_PROPOSALS if actor.role == Participant.Role.FACILITATOR else _PUBLISHED).all(actor.workshop_id)
    if not found:  # most welcomes: before the synthesis, without asking for the groups
        return []
    groups = synthesis.groups_of(actor.workshop_id)
    return [proposal_payload(p, groups=groups) for p in found]


# Every welcome reads these.
_PROPOSALS = Lookup(lambda workshop_id: Proposal.objects.filter(workshop_id=workshop_id).order_by("pk"))
_PUBLISHED = Lookup(lambda workshop_id: Proposal.objects.filter(
    workshop_id=workshop_id, status=Proposal.Status.PUBLISHED).order_by("pk"))


def proposal_get(actor: Participant, proposal_id: int, *, lock: bool = False) -> Proposal:
    qs = Proposal.objects.filter(pk=proposal_id, workshop_id=actor.workshop_id)
    proposal = (qs.select_for_update() if lock else qs).first()
    if proposal is None or (proposal.status == Proposal.Status.DRAFT and actor.role != Participant.Role.FACILITATOR):
        raise DomainError("not_found", "No such proposal.", fields={"proposal": "No such proposal."})
    return proposal


def outcomes(workshop_id: int) -> list[dict]:
    """Published proposals with their source ideas and the people behind them, by display name."""
    published = list(Proposal.objects.filter(workshop_id=workshop_id, status=Proposal.Status.PUBLISHED)
                     .order_by("pk"))
    if not published:
        return []
    groups = synthesis.groups_of(workshop_id)
    out = []
    for proposal in published:
        payload = proposal_payload(proposal, groups=groups)
        sources = Idea.objects.filter(pk__in=payload["sources"]).select_related("author").order_by("pk")
        names = dict(Participant.objects.filter(pk__in=payload["contributors"]).values_list("pk", "name"))
        # Only a visible source shows its text and names its author.
        payload["source_ideas"] = [{"id": i.pk, "status": i.status,
                                    **({"text": i.text, "author": i.author.name} if i.status == Idea.Status.VISIBLE
                                       else {"text": "", "author": ""})} for i in sources]
        payload["people"] = [{"id": pid, "name": names[pid]} for pid in payload["contributors"]]
        out.append(payload)
    return out


def _export_text(idea: Idea, *, moderating: bool) -> str:
    """A withdrawn idea's text goes to nobody; a hidden or held one's only to moderators and facilitators."""
    if idea.status == Idea.Status.WITHDRAWN:
        return ""
    if idea.status in (Idea.Status.HIDDEN, Idea.Status.HELD) and not moderating:
        return ""
    return idea.text


def export(workshop, *, reader: Participant) -> dict:
    """Everything a workshop produced, as the reader may see it; participants are P1, P2, ... in
    the order they joined."""
    moderating = reader.role in permissions.MODERATING
    people = list(Participant.objects.filter(workshop=workshop).order_by("joined_at", "pk"))
    alias = {p.pk: f"P{i}" for i, p in enumerate(people, start=1)}
    boards = list(Board.objects.filter(workshop=workshop).order_by("pk"))
    ideas = with_counts(Idea.objects.filter(board__workshop=workshop))
    groups = synthesis.groups_of(workshop.pk)
    proposals = [proposal_payload(p, groups=groups) for p in Proposal.objects.filter(workshop=workshop).order_by("pk")]
    for p in proposals:
        p["contributors"] = [alias[c] for c in p["contributors"]]
        for r in p["responses"]:
            r["by"] = "official"
        if p["response"]:
            p["response"]["by"] = "official"
    return {
        "workshop": {"code": workshop.code, "title": workshop.title, "status": workshop.status,
                     "language": workshop.language, "started_at": iso(workshop.started_at),
                     "ended_at": iso(workshop.ended_at)},
        "participants": [{"id": alias[p.pk], "role": p.role, "rung": p.rung, "rung_at_join": p.rung_at_join,
                          "removed": p.removed} for p in people],
        "boards": [board_payload(b) for b in boards],
        "ideas": [{"id": i.pk, "board": i.board_id, "column": i.column or None, "author": alias[i.author_id],
                   "text": _export_text(i, moderating=moderating), "builds_on": i.builds_on_id,
                   "status": i.status, "edited": i.edited,
                   "reactions": {"agree": i.n_agree, "disagree": i.n_disagree, "pass": i.n_pass},
                   "created_at": iso(i.created_at)} for i in ideas],
        "reactions": [{"idea": idea_id, "participant": alias[pid], "value": value} for idea_id, pid, value in
                      Reaction.objects.filter(idea__board__workshop=workshop).order_by("pk")
                      .values_list("idea_id", "participant_id", "value")],
        "proposals": proposals,
        "questions": _export_questions(workshop, alias=alias, moderating=moderating),
        "polls": poll_selectors.polls_export(workshop.pk, reader=reader, alias=alias),
    }


def _export_questions(workshop, *, alias: dict, moderating: bool) -> list[dict]:
    """Questions with their votes and answers; a held or hidden one's text and answer only for moderators
    and facilitators; who answered by role, as the export names officials."""
    qs = (Question.objects.filter(workshop=workshop).select_related("answered_by").annotate(n_votes=Count("votes"))
          .order_by("created_at", "pk"))
    out = []
    for q in qs:
        shown = q.status in QUESTION_PUBLIC or moderating
        answered = q.answered_at is not None and shown
        out.append({"id": q.pk, "author": alias[q.author_id], "text": q.text if shown else "", "status": q.status,
                    "votes": q.n_votes, "created_at": iso(q.created_at),
                    "answer": ({"text": q.answer, "by": q.answered_by.role if q.answered_by else "",
                                "at": iso(q.answered_at)} if answered else None)})
    return out


# Questions, hands and the floor (PROTOCOL.md 3.4)

QUESTION_PUBLIC = (Question.Status.OPEN, Question.Status.ANSWERED)


def question_payload(question: Question, *, votes: int | None = None, with_reason: bool = False) -> dict:
    """The protocol's QUESTION; the reasons only `with_reason` (for its author and moderators)."""
    answered = question.answered_at is not None and question.status != Question.Status.HELD
    payload = {
        "id": question.pk, "text": question.text,
        "author": {"id": question.author_id, "name": question.author.name},
        "votes": votes if votes is not None else QuestionVote.objects.filter(question=question).count(),
        "status": question.status,
        "answer": ({"text": question.answer, "by": question.answered_by.name if question.answered_by else "",
                    "at": iso(question.answered_at)} if answered else None),
    }
    if with_reason and question.status == Question.Status.HIDDEN:
        payload["hidden_reason"] = question.hidden_reason
    if with_reason and question.status == Question.Status.HELD:
        payload["held_reason"] = question.held_reason
    return payload


def question_private(question: Question) -> tuple[str, ...]:
    """Who reads a question that is not public, with its reason: its author and moderators."""
    return (*stream.to_participant(question.author_id), *stream.MODERATORS)


def question_audience(question: Question) -> tuple[str, ...]:
    """Everyone for a public question; its author and moderators for a held or hidden one."""
    return stream.EVERYONE if question.status in QUESTION_PUBLIC else question_private(question)


def reads_question(actor: Participant, question: Question) -> bool:
    return (question.status in QUESTION_PUBLIC or question.author_id == actor.pk
            or actor.role in permissions.MODERATING)


def question_get(actor: Participant, question_id: int, *, lock: bool = False) -> Question:
    """A question of the actor's workshop that the actor may see, or not_found."""
    qs = Question.objects.select_related("author", "answered_by")
    if lock:
        qs = qs.select_for_update(of=("self",))
    question = qs.filter(pk=question_id, workshop_id=actor.workshop_id).first()
    if question is None or not reads_question(actor, question):
        raise DomainError("not_found", "No such question.", fields={"question": "No such question."})
    return question


def questions_visible_to(actor: Participant) -> list[dict]:
    """The questions the actor may see, most votes first (then oldest first), with the reasons they may read."""
    if actor.role in permissions.MODERATING:
        questions = _QUESTIONS_ALL.all(actor.workshop_id)
    else:
        questions = _QUESTIONS_PUBLIC_OR_OWN.all(actor.workshop_id, actor.pk)
    return [question_payload(q, votes=q.n_votes, with_reason=reads_question_reason(actor, q)) for q in questions]


def _questions(qs):
    return (qs.select_related("author", "answered_by").annotate(n_votes=Count("votes"))
            .order_by("-n_votes", "created_at", "pk"))


_QUESTIONS_ALL = Lookup(lambda workshop_id: _questions(Question.objects.filter(workshop_id=workshop_id)))
_QUESTIONS_PUBLIC_OR_OWN = Lookup(lambda workshop_id, author_id: _questions(Question.objects.filter(
    Q(status__in=QUESTION_PUBLIC) | Q(author_id=author_id), workshop_id=workshop_id)), nargs=2)


def reads_question_reason(actor: Participant, question: Question) -> bool:
    return question.author_id == actor.pk or actor.role in permissions.MODERATING


def hand_queue(workshop_id: int) -> list[int]:
    """Participant ids with a raised hand, first raised first."""
    return _HANDS.all(workshop_id)


_HANDS = Lookup(lambda workshop_id: Hand.objects.filter(workshop_id=workshop_id).order_by("raised_at", "pk")
                .values_list("participant_id", flat=True))


def floor_now(workshop_id: int) -> dict | None:
    """Who has the floor and since when, or None."""
    turn = _FLOOR.first(workshop_id)
    return {"participant": turn.participant_id, "since": iso(turn.started_at)} if turn else None


_FLOOR = Lookup(lambda workshop_id: FloorTurn.objects.filter(workshop_id=workshop_id, ended_at__isnull=True)
                .order_by("pk")[:1])


def contributions(workshop_id: int) -> list[dict]:
    """Each citizen still taking part, with their ideas, builds, reactions, poll answers and floor turns, in
    joining order: what the console shows so a facilitator can invite those with none. Five grouped queries.

    Answers to anonymous polls are not counted: they are linked to nobody (PROTOCOL 3.4)."""
    ids = list(Participant.objects.filter(workshop_id=workshop_id, role=Participant.Role.CITIZEN, removed=False,
                                          admitted=True, erased_at__isnull=True)
               .order_by("joined_at", "pk").values_list("pk", flat=True))
    rows = {pid: {"participant": pid, "ideas": 0, "builds": 0, "reactions": 0, "answers": 0, "turns": 0}
            for pid in ids}
    ideas = Idea.objects.filter(board__workshop_id=workshop_id)
    for key, grouped in (
            ("ideas", ideas.values_list("author_id").annotate(n=Count("pk"))),
            ("builds", ideas.filter(builds_on__isnull=False).values_list("author_id").annotate(n=Count("pk"))),
            ("reactions", Reaction.objects.filter(idea__board__workshop_id=workshop_id).values_list("participant_id")
             .annotate(n=Count("pk"))),
            ("answers", PollAnswer.objects.filter(poll__workshop_id=workshop_id, participant__isnull=False)
             .values_list("participant_id").annotate(n=Count("pk"))),
            ("turns", FloorTurn.objects.filter(workshop_id=workshop_id).values_list("participant_id")
             .annotate(n=Count("pk")))):
        for pid, n in grouped:
            if pid in rows:
                rows[pid][key] = n
    return list(rows.values())


def outcome_entries(workshop_id: int) -> list[dict]:
    """The public record of outcomes as entries, newest first: each published proposal and each response.

    Names no citizen at all (so none through a hidden idea): an entry carries the proposal's title and
    text, or the response's status, message and the official who gave it.
    """
    published = list(Proposal.objects.filter(workshop_id=workshop_id, status=Proposal.Status.PUBLISHED)
                     .order_by("pk"))
    entries = [{"kind": "proposal", "id": p.pk, "proposal": p.pk, "title": p.title, "text": p.body,
                "at": p.published_at or p.created_at} for p in published]
    titles = {p.pk: p.title for p in published}
    responses = (Response.objects.filter(proposal_id__in=titles).select_related("official")
                 .order_by("created_at", "pk"))
    entries += [{"kind": "response", "id": r.pk, "proposal": r.proposal_id, "title": titles[r.proposal_id],
                 "status": r.status, "text": r.message, "by": r.official.name, "at": r.created_at}
                for r in responses]
    return sorted(entries, key=lambda e: (e["at"], e["kind"] == "response", e["id"]), reverse=True)
