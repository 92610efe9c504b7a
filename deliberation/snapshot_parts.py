"""This app's part of the welcome snapshot."""
from workshops.models import Participant, Room
from workshops.prepared import Lookup
from workshops.snapshot import snapshot_part

from . import moderation, permissions, poll_selectors, selectors
from .models import Appeal, Board, Endorsement, Flag, QuestionVote, Reaction, SurveyAnswer


@snapshot_part("rooms", shared=True)
def rooms(me: Participant) -> list[dict]:
    boards = dict(_ROOM_BOARDS.all(me.workshop_id))
    return [{"id": r.pk, "name": r.name, "board": boards.get(r.pk), "breakout": r.breakout_id, "top": r.top_ideas}
            for r in _ROOMS.all(me.workshop_id)]


# The welcome's reads of one shape, built once (workshops.prepared): every join makes them.
_ROOM_BOARDS = Lookup(lambda workshop_id: Board.objects.filter(workshop_id=workshop_id, room__isnull=False)
                      .order_by("pk").values_list("room_id", "pk"))
_ROOMS = Lookup(lambda workshop_id: Room.objects.filter(workshop_id=workshop_id).order_by("pk"))
_MY_REACTIONS = Lookup(lambda pk: Reaction.objects.filter(participant_id=pk).values_list("idea_id", "value"))
_MY_ENDORSEMENTS = Lookup(lambda pk: Endorsement.objects.filter(participant_id=pk).values_list("proposal_id", "value"))
_MY_SURVEY = Lookup(lambda pk: SurveyAnswer.objects.filter(participant_id=pk).values_list("pk", flat=True)[:1])
_MY_APPEALS = Lookup(lambda workshop_id, pk: Appeal.objects.filter(
    idea__board__workshop_id=workshop_id, idea__author_id=pk).order_by("pk"), nargs=2)
_MY_UPVOTES = Lookup(lambda pk: QuestionVote.objects.filter(participant_id=pk).order_by("question_id")
                     .values_list("question_id", flat=True))


@snapshot_part("boards", shared=True)
def boards(me: Participant) -> list[dict]:
    return [selectors.board_payload(b) for b in selectors.boards_visible_to(me)]


@snapshot_part("ideas", shared=True)
def ideas(me: Participant) -> list[dict]:
    return selectors.ideas_visible_to(me, share="kind")


@snapshot_part("ideas")
def own_ideas(me: Participant) -> list[dict]:
    """The reader's own ideas that the others of their kind do not see (held, hidden, withdrawn)."""
    return selectors.ideas_visible_to(me, share="own")


@snapshot_part("my_reactions")
def my_reactions(me: Participant) -> dict:
    return {str(idea_id): value for idea_id, value in _MY_REACTIONS.all(me.pk)}


@snapshot_part("my_endorsements")
def my_endorsements(me: Participant) -> dict:
    return {str(proposal_id): value for proposal_id, value in _MY_ENDORSEMENTS.all(me.pk)}


@snapshot_part("my_survey")
def my_survey(me: Participant) -> bool:
    """Whether this participant answered the survey (it takes one answer)."""
    return bool(_MY_SURVEY.all(me.pk))


@snapshot_part("proposals", shared=True)
def proposals(me: Participant) -> list[dict]:
    return selectors.proposals_visible_to(me)


@snapshot_part("flags", shared=True)
def flags(me: Participant) -> list[dict]:
    """Flags are for moderators and facilitators only."""
    if me.role not in permissions.MODERATING:
        return []
    qs = Flag.objects.filter(idea__board__workshop_id=me.workshop_id).order_by("pk")
    return [moderation.flag_payload(f) for f in qs]


@snapshot_part("appeals", shared=True)
def appeals(me: Participant) -> list[dict]:
    """All appeals, for moderators and facilitators."""
    if me.role not in permissions.MODERATING:
        return []
    qs = Appeal.objects.filter(idea__board__workshop_id=me.workshop_id).order_by("pk")
    return [moderation.appeal_payload(a) for a in qs]


@snapshot_part("appeals")
def own_appeals(me: Participant) -> list[dict]:
    """A citizen's own appeals."""
    if me.role in permissions.MODERATING:
        return []
    return [moderation.appeal_payload(a) for a in _MY_APPEALS.all(me.workshop_id, me.pk)]


@snapshot_part("questions")
def questions(me: Participant) -> list[dict]:
    """The questions this reader may see, most votes first: one list, so the reader's own held or
    hidden ones take their place in the order (a workshop asks tens, not thousands)."""
    return selectors.questions_visible_to(me)


@snapshot_part("my_upvotes")
def my_upvotes(me: Participant) -> list[int]:
    """The questions this reader upvoted."""
    return _MY_UPVOTES.all(me.pk)


@snapshot_part("hands")
def hands(me: Participant) -> list[int]:
    """The queue of raised hands, for staff and for those in it; [] for anyone else."""
    queue = selectors.hand_queue(me.workshop_id)
    return queue if me.is_staff_role or me.pk in queue else []


@snapshot_part("floor", shared=True)
def floor(me: Participant) -> dict | None:
    """Who has the floor since when ({"participant", "since"}), or null: everyone sees it."""
    return selectors.floor_now(me.workshop_id)


@snapshot_part("polls", shared=True)
def polls(me: Participant) -> list[dict]:
    """Every poll, its results where the reader's role may see them (PROTOCOL 3.4)."""
    return poll_selectors.polls_visible_to(me, me.workshop_id)


@snapshot_part("my_poll_answers")
def my_poll_answers(me: Participant) -> dict:
    """The reader's own current answers, by poll id."""
    return poll_selectors.my_poll_answers(me)
