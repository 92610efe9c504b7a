"""Schemas of the content commands (pydantic, extra fields refused)."""
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from .models import MAX_IDEA_CHARS, MAX_QUESTION_CHARS


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IdeaPost(Strict):
    board: int
    text: str = Field(min_length=1, max_length=MAX_IDEA_CHARS)
    column: str | None = Field(default=None, max_length=80)
    builds_on: int | None = None


class IdeaEdit(Strict):
    idea: int
    text: str = Field(min_length=1, max_length=MAX_IDEA_CHARS)


class IdeaRef(Strict):
    idea: int


class IdeaReact(Strict):
    idea: int
    value: Literal["agree", "disagree", "pass"] | None


class IdeaFlag(Strict):
    idea: int
    reason: Literal["spam", "abuse", "personal_info", "off_topic", "other"]
    note: str = Field(default="", max_length=300)


class IdeaHide(Strict):
    idea: int
    reason: str = Field(min_length=1, max_length=300)


class IdeaRestore(Strict):
    idea: int
    reason: str = Field(default="", max_length=300)


class FlagRef(Strict):
    flag: int


class AppealFile(Strict):
    idea: int
    text: str = Field(min_length=1, max_length=1000)


class AppealDecide(Strict):
    idea: int
    uphold: bool
    note: str = Field(default="", max_length=1000)


class ParticipantMute(Strict):
    participant: int
    minutes: int = Field(ge=0, le=24 * 60)
    reason: str = Field(default="", max_length=300)


class ParticipantRef(Strict):
    participant: int


class ParticipantRemove(Strict):
    participant: int
    reason: str = Field(default="", max_length=300)


class ProposalDraft(Strict):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=5000)
    sources: list[int] = Field(min_length=1, max_length=100)


class ProposalUpdate(Strict):
    proposal: int
    title: str | None = Field(default=None, min_length=1, max_length=200)
    body: str | None = Field(default=None, min_length=1, max_length=5000)
    sources: list[int] | None = Field(default=None, min_length=1, max_length=100)


class ProposalRef(Strict):
    proposal: int


class ProposalEndorse(Strict):
    proposal: int
    value: Literal["agree", "disagree", "pass"] | None


class ProposalRespond(Strict):
    proposal: int
    status: Literal["under_review", "accepted", "implemented", "declined"]
    message: str = Field(min_length=1, max_length=5000)


class ResponseBody(Strict):
    status: Literal["under_review", "accepted", "implemented", "declined"]
    message: str = Field(min_length=1, max_length=5000)


class SynthesisSuggest(Strict):
    board: int | None = None


class SurveyAnswer(Strict):
    answers: dict[str, Annotated[int, Field(ge=0, le=10, strict=True)]] = Field(min_length=1, max_length=10)
    comment: str = Field(default="", max_length=2000)


class QuestionAsk(Strict):
    text: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)


class QuestionUpvote(Strict):
    question: int
    value: bool = Field(strict=True)


class QuestionAnswer(Strict):
    question: int
    text: str = Field(default="", max_length=2000)


class QuestionRef(Strict):
    question: int


class QuestionHide(Strict):
    question: int
    reason: str = Field(min_length=1, max_length=300)


class ParticipantNudge(Strict):
    participant: int
    text: str = Field(default="", max_length=300)


StrictInt = Annotated[int, Field(strict=True)]


class ScaleRange(Strict):
    min: StrictInt
    max: StrictInt


class PollOpen(Strict):
    question: str = Field(min_length=1, max_length=300)
    kind: Literal["single", "multiple", "scale", "ranking", "points", "words"]
    options: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = Field(
        default=None, min_length=2, max_length=20)
    ideas: list[StrictInt] | None = Field(default=None, min_length=2, max_length=20)
    max_choices: StrictInt | None = None
    scale: ScaleRange | None = None
    points: Annotated[int, Field(strict=True, ge=1, le=1000)] | None = None
    anonymous: bool = False
    results: Literal["live", "after_close"]
    duration_s: Annotated[int, Field(strict=True, ge=10, le=24 * 3600)] | None = None


class PollRef(Strict):
    poll: int


class PollAnswer(Strict):
    """One of the answer fields, the one of the poll's kind; the service checks which and its values."""

    poll: int
    choice: StrictInt | None = None
    choices: list[StrictInt] | None = Field(default=None, max_length=20)
    value: StrictInt | None = None
    ranking: list[StrictInt] | None = Field(default=None, max_length=20)
    points: dict[str, StrictInt] | None = Field(default=None, max_length=20)
    words: list[Annotated[str, Field(max_length=200)]] | None = Field(default=None, max_length=20)
