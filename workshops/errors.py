"""The one exception type that services raise and the consumer turns into an error frame."""

__all__ = ["DomainError", "MESSAGES"]

MESSAGES = {
    "bad_json": "The frame is not valid JSON.",
    "too_large": "The frame is too large.",
    "unknown_type": "Unknown command type.",
    "invalid": "Some fields are not valid.",
    "forbidden": "You are not allowed to do that.",
    "not_found": "That does not exist, or you cannot see it.",
    "rate_limited": "Too many commands; wait a moment.",
    "muted": "You are muted for a while.",
    "conflict": "That conflicts with the current state.",
    "ended": "The workshop has ended.",
    "unauthenticated": "Log in first.",
}


class DomainError(Exception):
    """A rule said no; `code` is one of the protocol's error codes."""

    def __init__(self, code: str, message: str | None = None, *, fields: dict | None = None,
                 retry_after: float | None = None):
        super().__init__(message or MESSAGES.get(code, code))
        self.code = code
        self.message = message or MESSAGES.get(code, code)
        self.fields = fields
        self.retry_after = retry_after

    def as_dict(self) -> dict:
        out = {"code": self.code, "message": self.message}
        if self.fields:
            out["fields"] = self.fields
        if self.retry_after is not None:
            out["retry_after"] = self.retry_after
        return out
