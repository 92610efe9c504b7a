"""The `<code:code>` path converter: a workshop code as a person types or follows it, in any case."""
from django.urls import register_converter

__all__ = ["WorkshopCode", "register"]


class WorkshopCode:
    """Like `str`, lower-cased: codes are made in lower case (models.new_code), so "ABC" finds "abc"."""

    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return value.lower()

    def to_url(self, value: str) -> str:
        return value


def register() -> None:
    register_converter(WorkshopCode, "code")
