"""Import a Pol.is export folder as an ended workshop, its opinion groups as the rooms of one breakout."""
import csv
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from workshops import services
from workshops.models import Assignment, Breakout, Participant, Room, Workshop

from ...hooks import CONTENT
from ...models import MAX_IDEA_CHARS, Board, Idea, Reaction

REQUIRED = ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv")
VALUES = {"1": Reaction.Value.AGREE, "-1": Reaction.Value.DISAGREE, "0": Reaction.Value.PASS}
REJECTED = "-1"  # comments.csv `moderated`: 1 accepted, -1 rejected, 0 not reviewed
HIDDEN_REASON = "rejected by the original moderators"
ATTRIBUTION = ("Imported from {url}. Data gathered using the Polis software (compdemocracy.org/polis), "
               "licensed CC BY 4.0 with attribution to The Computational Democracy Project.")


@dataclass
class Conversation:
    """What the import needs from the four files, checked and deduplicated."""

    summary: dict[str, str]
    comments: list[dict]  # in comment-id order
    votes: dict[tuple[int, int], str]  # (comment id, voter id) -> the last vote's value
    group_of: dict[int, str]  # participant id -> group id, for those Pol.is placed
    people: list[int]  # every participant id (in a row, an author or a voter), ascending
    span: tuple[int, int] | None  # first and last statement or vote, ms since the epoch


class Command(BaseCommand):
    help = ("Import a Pol.is export folder (comments.csv, votes.csv, participants-votes.csv, summary.csv) "
            "as an ended workshop. The new workshop's code is the last word printed.")

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--facilitator", required=True, help="username of the staff account that facilitates")
        parser.add_argument("--language", default=Workshop.Language.EN, choices=Workshop.Language.values)

    def handle(self, *args, folder: Path, facilitator: str, language: str, **options):
        user = get_user_model().objects.filter(username=facilitator, is_active=True, is_staff=True).first()
        if user is None:
            raise CommandError(f"No active staff account named {facilitator!r}.")
        conversation = read_folder(folder)
        workshop, counts = import_conversation(conversation, user=user, language=language)
        if counts["shortened"]:
            self.stdout.write(f"{counts['shortened']} statement(s) longer than {MAX_IDEA_CHARS} characters "
                              "were shortened.")
        self.stdout.write(
            f"Imported {counts['ideas']} statements ({counts['hidden']} hidden), {counts['participants']} "
            f"participants in {counts['rooms']} opinion groups and {counts['reactions']} reactions "
            f"from {folder} as workshop {workshop.code}")


def read_folder(folder: Path) -> Conversation:
    """Read and check a Pol.is export; a missing file or column, or a bad value, is a CommandError."""
    if not folder.is_dir():
        raise CommandError(f"{folder} is not a folder.")
    missing = [name for name in REQUIRED if not (folder / name).is_file()]
    if missing:
        raise CommandError(f"{folder} is not a Pol.is export: {', '.join(missing)} missing.")
    with open(folder / "summary.csv", newline="", encoding="utf-8-sig") as f:
        summary = {row[0]: row[1] for row in csv.reader(f) if len(row) >= 2}

    comments = sorted(_rows(folder / "comments.csv", {"timestamp", "comment-id", "author-id", "moderated",
                                                      "comment-body"}, _comment),
                      key=lambda c: c["id"])
    ids = {c["id"] for c in comments}
    if len(ids) != len(comments):
        raise CommandError("comments.csv: a comment-id occurs twice.")

    # The last vote counts; equal timestamps are settled by order in the file.
    latest: dict[tuple[int, int], tuple[int, str]] = {}
    times = [c["at"] for c in comments]
    for vote in _rows(folder / "votes.csv", {"timestamp", "comment-id", "voter-id", "vote"}, _vote):
        if vote["comment"] not in ids:
            raise CommandError(f"votes.csv line {vote['line']}: no comment {vote['comment']}.")
        key = (vote["comment"], vote["voter"])
        times.append(vote["at"])
        if key not in latest or vote["at"] >= latest[key][0]:
            latest[key] = (vote["at"], vote["value"])

    group_of = {}
    placed = set()
    for row in _rows(folder / "participants-votes.csv", {"participant", "group-id"}, _member):
        placed.add(row["participant"])
        if row["group"]:
            group_of[row["participant"]] = row["group"]

    people = sorted(placed | {c["author"] for c in comments} | {voter for _, voter in latest})
    return Conversation(summary=summary, comments=comments, votes={k: v for k, (_, v) in latest.items()},
                        group_of=group_of, people=people, span=(min(times), max(times)) if times else None)


def _rows(path: Path, columns: set[str], parse):
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        lacking = columns - set(reader.fieldnames or ())
        if lacking:
            raise CommandError(f"{path.name} lacks the column(s) {', '.join(sorted(lacking))}.")
        for row in reader:
            try:
                yield parse(row, reader.line_num)
            except (KeyError, TypeError, ValueError) as exc:
                raise CommandError(f"{path.name} line {reader.line_num}: {exc}") from exc


def _comment(row: dict, line: int) -> dict:
    return {"id": int(row["comment-id"]), "author": int(row["author-id"]), "at": int(row["timestamp"]),
            "hidden": row["moderated"].strip() == REJECTED, "text": row["comment-body"].strip()}


def _vote(row: dict, line: int) -> dict:
    value = VALUES.get(row["vote"].strip())
    if value is None:
        raise ValueError(f"vote {row['vote']!r} is not 1, -1 or 0")
    return {"comment": int(row["comment-id"]), "voter": int(row["voter-id"]), "at": int(row["timestamp"]),
            "value": value, "line": line}


def _member(row: dict, line: int) -> dict:
    return {"participant": int(row["participant"]), "group": row["group-id"].strip()}


def _when(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _group_sort_key(group: str):
    return (0, int(group), "") if group.lstrip("-").isdigit() else (1, 0, group)


def _group_name(index: int) -> str:
    """Pol.is's own names for opinion groups: A, B, C..."""
    return f"Opinion group {chr(ord('A') + index)}" if index < 26 else f"Opinion group {index + 1}"


@transaction.atomic
def import_conversation(conversation: Conversation, *, user, language: str) -> tuple[Workshop, dict]:
    """Create the ended workshop with its people, statements, opinion groups and last votes; all or nothing."""
    summary = conversation.summary
    description = summary.get("conversation-description", "").strip()
    if summary.get("url"):
        description = "\n\n".join(filter(None, [description, ATTRIBUTION.format(url=summary["url"])]))
    workshop = services.workshop_create(user=user, title=(summary.get("topic") or "Pol.is conversation")[:200],
                                        description=description, language=language)
    first, last = map(_when, conversation.span) if conversation.span else (workshop.created_at,) * 2
    Workshop.objects.filter(pk=workshop.pk).update(status=Workshop.Status.ENDED, started_at=first, ended_at=last)
    workshop.refresh_from_db()

    # Stored rungs follow what each person did (ladder.rung_of): posting outranks reacting.
    authors = {c["author"] for c in conversation.comments}
    voters = {voter for _, voter in conversation.votes}
    R = Participant.Rung
    people = Participant.objects.bulk_create([
        Participant(workshop=workshop, name=f"Polis participant {pid}", role=Participant.Role.CITIZEN,
                    rung=R.INVOLVED if pid in authors else R.CONSULTED if pid in voters else R.INFORMED)
        for pid in conversation.people])
    participant = {pid: p.pk for pid, p in zip(conversation.people, people)}

    plenary = Board.objects.get(workshop=workshop, room__isnull=True)
    ideas = Idea.objects.bulk_create([
        Idea(board=plenary, author_id=participant[c["author"]], text=_fit(c["text"]),
             status=Idea.Status.HIDDEN if c["hidden"] else Idea.Status.VISIBLE,
             hidden_reason=HIDDEN_REASON if c["hidden"] else "")
        for c in conversation.comments])
    # bulk_create stamps auto_now_add fields with the current time; put the statements' own times back.
    for idea, comment in zip(ideas, conversation.comments):
        idea.created_at = _when(comment["at"])
    Idea.objects.bulk_update(ideas, ["created_at"], batch_size=500)
    idea_of = {c["id"]: idea.pk for c, idea in zip(conversation.comments, ideas)}

    groups = sorted(set(conversation.group_of.values()), key=_group_sort_key)
    if groups:
        _opinion_groups(workshop, conversation, groups, participant, first, last)

    Reaction.objects.bulk_create(
        [Reaction(idea_id=idea_of[comment], participant_id=participant[voter], value=value)
         for (comment, voter), value in conversation.votes.items()], batch_size=2000)
    return workshop, {"ideas": len(ideas), "hidden": sum(c["hidden"] for c in conversation.comments),
                      "shortened": sum(len(c["text"]) > MAX_IDEA_CHARS for c in conversation.comments),
                      "participants": len(people), "rooms": len(groups), "reactions": len(conversation.votes)}


def _opinion_groups(workshop, conversation, groups, participant, first, last) -> None:
    """One closed manual breakout whose rooms are the opinion groups, each member assigned to theirs."""
    breakout = Breakout.objects.create(workshop=workshop, mode=Breakout.Mode.MANUAL, status=Breakout.Status.CLOSED,
                                       closed_at=last)
    Breakout.objects.filter(pk=breakout.pk).update(opened_at=first)
    # Room boards are empty (every statement is on the plenary) but exist, as for every breakout.
    rooms = Room.objects.bulk_create([Room(workshop=workshop, breakout=breakout, name=_group_name(i), position=i,
                                           top_ideas=[]) for i in range(len(groups))])
    CONTENT.rooms_opened(breakout=breakout, rooms=rooms)
    room_of = dict(zip(groups, rooms))
    Assignment.objects.bulk_create([
        Assignment(breakout=breakout, room=room_of[group], participant_id=participant[pid])
        for pid, group in sorted(conversation.group_of.items())])


def _fit(text: str) -> str:
    return text if len(text) <= MAX_IDEA_CHARS else text[:MAX_IDEA_CHARS - 1].rstrip() + "…"
