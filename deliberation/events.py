"""The content's events: one pydantic model per event type, on the stream's base (workshops/events.py).

The shapes are the protocol's (docs/protocol.md 2.4 and 3.4): IDEA, FLAG, APPEAL, PROPOSAL, QUESTION.
"""
from typing import Literal

from pydantic import Field

from workshops.events import Iso, Person, Shape, StreamEvent, omitted
from workshops.models import Participant

from .models import Appeal, Flag, Idea, Poll, Proposal, Question, Response


# Shapes

class Counts(Shape):
    """Reactions to an idea, or endorsements of a proposal, per value."""

    agree: int
    disagree: int
    pass_: int = Field(alias="pass")


class IdeaShape(Shape):
    """IDEA (selectors.idea_payload); the reasons go only to its author, moderators and facilitators."""

    id: int
    board: int
    column: str | None
    author: Person
    text: str  # "" once withdrawn
    builds_on: int | None
    status: Idea.Status
    reactions: Counts
    edited: bool
    created_at: Iso
    hidden_reason: str | None = omitted()
    held_reason: str | None = omitted()


class FlagShape(Shape):
    id: int
    idea: int
    reason: Flag.Reason
    note: str
    by: int
    status: Flag.Status
    created_at: Iso


class AppealShape(Shape):
    id: int
    idea: int
    text: str
    status: Appeal.Status
    note: str
    created_at: Iso
    decided_at: Iso | None


class ResponseShape(Shape):
    status: Response.Status
    message: str
    by: str  # the official's display name
    at: Iso


class ProposalShape(Shape):
    """PROPOSAL (selectors.proposal_payload), with the whole response timeline."""

    id: int
    title: str
    body: str
    status: Proposal.Status
    sources: list[int]
    contributors: list[int]
    endorsements: Counts
    bridging: float
    response: ResponseShape | None  # the last of `responses`
    responses: list[ResponseShape]
    edited: bool
    published_at: Iso | None


class BoardShape(Shape):
    """BOARD (selectors.board_payload)."""

    id: int
    title: str
    room: int | None
    columns: list[str]


# Boards

class BoardUpdated(StreamEvent):
    """Its columns changed: ideas of the board in a column it no longer has are now in none (`column: null`)."""

    type: Literal["board.updated"]
    board: BoardShape


# Ideas

class IdeaPosted(StreamEvent):
    type: Literal["idea.posted"]
    additive = True
    idea: IdeaShape


class IdeaHeld(StreamEvent):
    """Instead of `idea.posted`, to its author, moderators and facilitators, while it waits for review."""

    type: Literal["idea.held"]
    idea: IdeaShape


class IdeaEdited(StreamEvent):
    type: Literal["idea.edited"]
    idea: IdeaShape


class IdeaRestored(StreamEvent):
    type: Literal["idea.restored"]
    idea: IdeaShape


class IdeaHidden(StreamEvent):
    """With the reason to its author, moderators and facilitators; without it to everyone else."""

    type: Literal["idea.hidden"]
    idea: int
    hidden_reason: str | None = omitted()


class IdeaWithdrawn(StreamEvent):
    type: Literal["idea.withdrawn"]
    idea: int


class IdeaReacted(StreamEvent):
    type: Literal["idea.reacted"]
    coalesce_by = "idea"
    additive = True
    idea: int
    reactions: Counts


# Moderation

class FlagRaised(StreamEvent):
    type: Literal["flag.raised"]
    additive = True
    flag: FlagShape


class FlagResolved(StreamEvent):
    type: Literal["flag.resolved"]
    flag: FlagShape


class AppealFiled(StreamEvent):
    type: Literal["appeal.filed"]
    appeal: AppealShape


class AppealDecided(StreamEvent):
    type: Literal["appeal.decided"]
    appeal: AppealShape


# Proposals

class ProposalDrafted(StreamEvent):
    type: Literal["proposal.drafted"]
    proposal: ProposalShape


class ProposalUpdated(StreamEvent):
    type: Literal["proposal.updated"]
    proposal: ProposalShape


class ProposalPublished(StreamEvent):
    type: Literal["proposal.published"]
    proposal: ProposalShape


class ProposalEndorsed(StreamEvent):
    type: Literal["proposal.endorsed"]
    coalesce_by = "proposal"
    additive = True
    proposal: int
    endorsements: Counts
    bridging: float


class ProposalResponded(StreamEvent):
    type: Literal["proposal.responded"]
    proposal: ProposalShape


# The ladder

class RungChanged(StreamEvent):
    type: Literal["rung.changed"]
    additive = True
    rung: Participant.Rung
    reason: str
    next: str  # what the next rung asks; "" at the top


# Questions to the panel (docs/protocol.md 3.4)

class AnswerShape(Shape):
    text: str  # "" when answered without words
    by: str  # the display name of the official or facilitator who answered
    at: Iso


class QuestionShape(Shape):
    """QUESTION (selectors.question_payload); the reasons go only to its author, moderators and facilitators."""

    id: int
    text: str
    author: Person
    votes: int
    status: Question.Status
    answer: AnswerShape | None
    hidden_reason: str | None = omitted()
    held_reason: str | None = omitted()


class QuestionAsked(StreamEvent):
    """To everyone; a held question only to its author and moderators, and to everyone once approved."""

    type: Literal["question.asked"]
    additive = True
    question: QuestionShape


class QuestionUpvoted(StreamEvent):
    type: Literal["question.upvoted"]
    coalesce_by = "question"
    additive = True
    question: int
    votes: int


class QuestionAnswered(StreamEvent):
    type: Literal["question.answered"]
    additive = True
    question: QuestionShape


class QuestionHidden(StreamEvent):
    """With the reason to its author, moderators and facilitators; without it to everyone else."""

    type: Literal["question.hidden"]
    question: int
    hidden_reason: str | None = omitted()


# Hands and the floor (docs/protocol.md 3.4)

class HandsChanged(StreamEvent):
    """The queue to staff and to everyone in it; `[]` to a citizen whose hand just went down."""

    type: Literal["hands.changed"]
    queue: list[int]  # participant ids, first raised first


class FloorGiven(StreamEvent):
    type: Literal["floor.given"]
    participant: int


class FloorEnded(StreamEvent):
    type: Literal["floor.ended"]
    participant: int
    seconds: int


class Nudged(StreamEvent):
    """To one participant: a facilitator invites them to take part.

    `nudged` does not follow noun.past-tense: PROTOCOL.md 3.4 fixes the name.
    """

    type: Literal["nudged"]
    text: str  # "" for the page's own words
# Polls (PROTOCOL 3.4)

class PollOptionShape(Shape):
    id: int
    label: str  # "" for a reader who may no longer see the idea it was taken from
    idea: int | None = omitted()


class ScaleRange(Shape):
    min: int
    max: int


class WordCount(Shape):
    word: str
    count: int


class ChoiceResults(Shape):
    """single and multiple."""

    n: int
    counts: dict[str, int]


class ScaleResults(Shape):
    n: int
    mean: float | None  # null while nobody answered
    median: float | None
    histogram: dict[str, int]


class RankingResults(Shape):
    n: int
    order: list[int]
    borda: dict[str, int]


class PointsResults(Shape):
    n: int
    totals: dict[str, int]


class WordsResults(Shape):
    n: int
    words: list[WordCount]


Results = ChoiceResults | ScaleResults | RankingResults | PointsResults | WordsResults


class PollShape(Shape):
    """POLL (poll_selectors.poll_payload); `results` null where the reader may not see them yet."""

    id: int
    question: str
    kind: Poll.Kind
    options: list[PollOptionShape]
    status: Poll.Status
    anonymous: bool
    results_visibility: Poll.Visibility
    max_choices: int | None = omitted()
    scale: ScaleRange | None = omitted()
    points: int | None = omitted()
    closes_at: Iso | None = omitted()
    results: Results | None


class PollOpened(StreamEvent):
    type: Literal["poll.opened"]
    additive = True
    poll: PollShape


class PollClosed(StreamEvent):
    """To everyone, with the final results."""

    type: Literal["poll.closed"]
    additive = True
    poll: PollShape


class PollResults(StreamEvent):
    """To facilitators always, to everyone when the poll's results are live; at most two a second per poll."""

    type: Literal["poll.results"]
    coalesce_by = "poll"
    additive = True
    poll: int
    results: Results
