"""import_polis: a Pol.is export becomes an ended workshop, all or nothing."""
import csv
import shutil
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from deliberation.models import Board, Idea, Reaction
from tests.factories import staff_user
from workshops.models import Assignment, Breakout, Event, Participant, Room, Workshop

pytestmark = pytest.mark.django_db

def run_import(folder: Path, *args) -> tuple[Workshop, str]:
    out = StringIO()
    call_command("import_polis", str(folder), "--facilitator", "fac", *args, stdout=out)
    printed = out.getvalue()
    return Workshop.objects.get(code=printed.split()[-1]), printed


def rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("name", ["15-per-hour-seattle", "brexit-consensus"])
def test_counts_of_the_imported_workshop_equal_what_the_csv_files_say(polis, name):
    folder = polis / name
    staff_user("fac")
    comments, votes, people = rows(folder / "comments.csv"), rows(folder / "votes.csv"), rows(
        folder / "participants-votes.csv")
    with open(folder / "summary.csv", newline="", encoding="utf-8") as f:
        topic = dict(row[:2] for row in csv.reader(f))["topic"]

    workshop, printed = run_import(folder)

    assert printed.strip().splitlines()[-1].endswith(f" {workshop.code}")
    assert (workshop.title, workshop.status, workshop.language) == (topic, "ended", "en")
    ideas = Idea.objects.filter(board__workshop=workshop)
    assert ideas.count() == len(comments)
    assert set(ideas.values_list("board", flat=True)) == {Board.objects.get(workshop=workshop, room=None).pk}
    assert ideas.filter(status="hidden").count() == sum(c["moderated"] == "-1" for c in comments)
    assert set(ideas.filter(status="hidden").values_list("hidden_reason", flat=True)) <= {
        "rejected by the original moderators"}
    ids = {p["participant"] for p in people} | {c["author-id"] for c in comments} | {v["voter-id"] for v in votes}
    citizens = Participant.objects.filter(workshop=workshop, role="citizen")
    assert citizens.count() == len(ids)
    assert Participant.objects.filter(workshop=workshop, role="facilitator", user__username="fac").count() == 1
    groups = {p["group-id"] for p in people if p["group-id"]}
    assert Room.objects.filter(workshop=workshop).count() == len(groups)
    breakout = Breakout.objects.get(workshop=workshop)
    assert (breakout.mode, breakout.status) == ("manual", "closed")
    assert Assignment.objects.filter(breakout=breakout).count() == sum(bool(p["group-id"]) for p in people)
    assert Reaction.objects.filter(idea__board__workshop=workshop).count() == len(
        {(v["comment-id"], v["voter-id"]) for v in votes})
    assert not Event.objects.filter(workshop=workshop, type__startswith="idea.").exists()


def write_export(folder: Path, *, comments, votes, people, summary=(("topic", "Parks"),)) -> Path:
    """A small Pol.is export in the shape of the real ones."""
    folder.mkdir(exist_ok=True)

    def write(name, header, lines):
        with open(folder / name, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            if header:
                writer.writerow(header)
            writer.writerows(lines)

    write("summary.csv", None, summary)
    write("comments.csv", ["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated",
                           "comment-body"], comments)
    write("votes.csv", ["timestamp", "datetime", "comment-id", "voter-id", "vote"], votes)
    write("participants-votes.csv", ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"],
          people)
    return folder


@pytest.fixture
def small_export(tmp_path) -> Path:
    return write_export(
        tmp_path / "parks",
        comments=[
            (1_600_000_000_000, "", 0, 5, 0, 0, 1, "More trees in the park"),
            (1_600_000_100_000, "", 1, 6, 0, 0, -1, "Pave the park"),
            (1_600_000_200_000, "", 2, 5, 0, 0, 0, "A fountain"),
        ],
        votes=[
            (1_600_000_003_000, "", 0, 7, 1),
            (1_600_000_002_000, "", 0, 7, -1),  # earlier, though later in the file: the agree counts
            (1_600_000_001_000, "", 1, 7, 0),
            (1_600_000_005_000, "", 1, 7, 1),
            (1_600_000_004_000, "", 0, 8, -1),
            (1_600_000_004_000, "", 0, 8, 0),  # same time: the later line counts
            (1_600_000_006_000, "", 2, 9, 1),  # 9 has no row of its own in participants-votes.csv
        ],
        people=[(5, "", 2, 0, 0, 0), (6, 1, 1, 0, 0, 0), (7, 0, 0, 2, 2, 0), (8, 1, 0, 1, 0, 0)])


def test_the_last_vote_counts_and_statements_keep_their_time_author_and_moderation(small_export):
    staff_user("fac")
    workshop, _ = run_import(small_export, "--language", "nl")
    assert workshop.language == "nl"
    name = dict(Participant.objects.filter(workshop=workshop).values_list("pk", "name"))
    ideas = {i.text: i for i in Idea.objects.filter(board__workshop=workshop)}
    trees, pave, fountain = ideas["More trees in the park"], ideas["Pave the park"], ideas["A fountain"]
    assert trees.created_at == datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC)
    assert (trees.status, name[trees.author_id]) == ("visible", "Polis participant 5")
    assert (pave.status, pave.hidden_reason, name[pave.author_id]) == (
        "hidden", "rejected by the original moderators", "Polis participant 6")
    assert fountain.status == "visible"  # not reviewed is not rejected
    reactions = {(r.idea.text, name[r.participant_id]): r.value
                 for r in Reaction.objects.filter(idea__board__workshop=workshop).select_related("idea")}
    assert reactions == {
        ("More trees in the park", "Polis participant 7"): "agree",
        ("Pave the park", "Polis participant 7"): "agree",
        ("More trees in the park", "Polis participant 8"): "pass",
        ("A fountain", "Polis participant 9"): "agree",
    }
    assert sorted(Participant.objects.filter(workshop=workshop, role="citizen").values_list("name", "rung")) == [
        ("Polis participant 5", "involved"), ("Polis participant 6", "involved"),
        ("Polis participant 7", "consulted"), ("Polis participant 8", "consulted"),
        ("Polis participant 9", "consulted")]
    members = {(a.room.name, name[a.participant_id]) for a in Assignment.objects.filter(breakout__workshop=workshop)}
    assert members == {("Opinion group A", "Polis participant 7"), ("Opinion group B", "Polis participant 6"),
                       ("Opinion group B", "Polis participant 8")}
    assert Board.objects.filter(workshop=workshop, room__isnull=False).count() == 2  # each room has its board
    assert not Participant.objects.filter(workshop=workshop, room__isnull=False).exists()  # all back in plenary
    assert (workshop.started_at, workshop.ended_at) == (
        datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC), datetime(2020, 9, 13, 12, 30, 0, tzinfo=UTC))


@pytest.mark.parametrize("missing", ["comments.csv", "votes.csv", "participants-votes.csv", "summary.csv"])
def test_a_folder_missing_a_required_file_is_refused(polis, tmp_path, missing):
    staff_user("fac")
    folder = tmp_path / "export"
    shutil.copytree(polis / "brexit-consensus", folder)
    (folder / missing).unlink()
    with pytest.raises(CommandError, match=missing):
        call_command("import_polis", str(folder), facilitator="fac", stdout=StringIO())
    assert not Workshop.objects.exists()


def test_an_unknown_or_non_staff_facilitator_is_refused(small_export):
    staff_user("citizen-account", is_staff=False)
    for username in ("nobody", "citizen-account"):
        with pytest.raises(CommandError, match="staff account"):
            call_command("import_polis", str(small_export), facilitator=username, stdout=StringIO())
    assert not Workshop.objects.exists()


def test_a_vote_that_is_not_one_of_the_values_is_refused_with_its_line(tmp_path):
    staff_user("fac")
    folder = write_export(tmp_path / "bad", comments=[(1, "", 0, 5, 0, 0, 1, "A statement")],
                          votes=[(2, "", 0, 5, 1), (3, "", 0, 6, 2)], people=[(5, "", 1, 1, 1, 0)])
    with pytest.raises(CommandError, match="votes.csv line 3"):
        call_command("import_polis", str(folder), facilitator="fac", stdout=StringIO())
    assert not Workshop.objects.exists()


def test_a_failure_midway_leaves_nothing_behind(small_export, monkeypatch):
    staff_user("fac")

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Reaction.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        call_command("import_polis", str(small_export), facilitator="fac", stdout=StringIO())
    assert not Workshop.objects.exists()
    assert not Participant.objects.exists()
    assert not Idea.objects.exists()
