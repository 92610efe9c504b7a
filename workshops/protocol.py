"""Schemas of this app's commands (pydantic, extra fields refused)."""
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from .names import name_checked


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PhaseSet(Strict):
    index: int = Field(ge=0, le=200)


class TimerStart(Strict):
    seconds: int = Field(ge=1, le=24 * 3600)
    label: str = Field(default="", max_length=200)


class Announce(Strict):
    text: str = Field(min_length=1, max_length=1000)


class Login(Strict):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=1000)


class AgendaItem(Strict):
    title: str = Field(min_length=1, max_length=200)
    minutes: int = Field(default=10, ge=1, le=600)


class ProfileQuestion(Strict):
    key: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1, max_length=200)
    options: list[str] = Field(min_length=2, max_length=20)


def _distinct(values: list[str]) -> list[str]:
    if len({v.casefold() for v in values}) != len(values):
        raise PydanticCustomError("distinct", "Each column once.")
    return values


# A board's columns: an idea's column holds up to 80 characters (deliberation Idea.column).
Columns = Annotated[list[Annotated[str, Field(min_length=1, max_length=80)]], Field(max_length=10),
                    AfterValidator(_distinct)]


class WorkshopCreate(Strict):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    language: str = Field(default="nl", pattern=r"^(nl|en|fr|de)$")
    agenda: list[AgendaItem] = Field(default_factory=list, max_length=50)
    columns: Columns = Field(default_factory=list)
    moderation: str = Field(default="post", pattern=r"^(post|pre)$")
    flag_threshold: int = Field(default=3, ge=1, le=100)
    profile_questions: list[ProfileQuestion] = Field(default_factory=list, max_length=10)
    reference: dict[str, dict[str, Annotated[float, Field(ge=0, le=1)]]] = Field(default_factory=dict)
    waiting_room: bool = False


class WorkshopUpdate(Strict):
    """PATCH of a workshop: only the fields given change (profile questions only before the start)."""

    title: str = Field(default=None, min_length=1, max_length=200)
    description: str = Field(default=None, max_length=5000)
    agenda: list[AgendaItem] = Field(default=None, max_length=50)
    columns: Columns = None
    moderation: str = Field(default=None, pattern=r"^(post|pre)$")
    flag_threshold: int = Field(default=None, ge=1, le=100)
    waiting_room: bool = None
    # The defaults are never validated; an explicit null is, and is refused as the wrong type.
    profile_questions: list[ProfileQuestion] = Field(default=None, max_length=10)


class Reference(Strict):
    reference: dict[str, dict[str, Annotated[float, Field(ge=0, le=1)]]]


class StaffAdd(Strict):
    username: str = Field(min_length=1, max_length=150)
    role: str = Field(pattern=r"^(facilitator|moderator|official)$")


def _name(value: str) -> str:
    try:
        return name_checked(value)
    except ValueError as exc:
        raise PydanticCustomError("name", str(exc)) from None


# A name as people are shown it (workshops/names.py); the raw length bound only stops huge inputs.
Name = Annotated[str, Field(max_length=400), AfterValidator(_name)]


class Join(Strict):
    name: Name
    profile: dict[str, str] = Field(default_factory=dict)


class BreakoutOpen(Strict):
    mode: Literal["random", "self_select", "manual", "diverse"]
    rooms: int | None = Field(default=None, ge=2, le=50)
    names: list[Annotated[str, Field(min_length=1, max_length=80)]] | None = Field(default=None, min_length=2,
                                                                                  max_length=50)
    duration_s: int | None = Field(default=None, ge=10, le=24 * 3600)
    assignments: dict[int, int] | None = None
    capacity: int | None = Field(default=None, ge=1, le=1000)

    @model_validator(mode="after")
    def rooms_or_names(self):
        if (self.rooms is None) == (self.names is None):
            raise ValueError("Give either rooms (a count) or names.")
        return self


class BreakoutMove(Strict):
    participant: int
    room: int


class BreakoutClose(Strict):
    grace_s: int = Field(default=60, ge=0, le=3600)


class RoomChoose(Strict):
    room: int


class ContactSet(Strict):
    # The address is checked by the service (Django's validator), so that the answer names `email`.
    email: str = Field(max_length=254)


class ContactConfirm(Strict):
    token: str = Field(min_length=1, max_length=100)
