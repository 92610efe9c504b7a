"""The refusal that services raise, and the one place that turns it into a socket frame or an HTTP body.

The protocol fixes two wire shapes: a socket error frame carries `code`, an HTTP
error body carries `error`; both carry `message` and, when there are any,
`fields` and `retry_after`.
"""
import pydantic

__all__ = ["DomainError", "MESSAGES", "STATUS", "error_body", "error_frame", "field_errors", "internal_frame"]

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
    "gone": "That link was used already or has expired.",
    "unauthenticated": "Log in first.",
    "method_not_allowed": "Method not allowed.",
    "internal": "The server could not handle that; nothing was changed.",
}
# The HTTP status of each code; any other is 400.
STATUS = {"bad_json": 400, "invalid": 400, "unauthenticated": 401, "forbidden": 403, "not_found": 404,
          "method_not_allowed": 405, "conflict": 409, "ended": 409, "gone": 410, "too_large": 413, "rate_limited": 429,
          "internal": 500}


class DomainError(Exception):
    """A rule said no; `code` is one of the protocol's error codes."""

    def __init__(self, code: str, message: str | None = None, *, fields: dict | None = None,
                 retry_after: float | None = None):
        super().__init__(message or MESSAGES.get(code, code))
        self.code = code
        self.message = message or MESSAGES.get(code, code)
        self.fields = fields
        self.retry_after = retry_after

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 400)


def _details(exc: DomainError) -> dict:
    out = {"message": exc.message}
    if exc.fields:
        out["fields"] = exc.fields
    if exc.retry_after is not None:
        out["retry_after"] = exc.retry_after
    return out


def error_frame(ref: str | None, exc: DomainError) -> dict:
    """The socket's error frame answering the command `ref` (None when the frame had none)."""
    return {"type": "error", "ref": ref, "code": exc.code, **_details(exc)}


def error_body(exc: DomainError) -> dict:
    """The HTTP API's error body (its status is `exc.status`)."""
    return {"error": exc.code, **_details(exc)}


def internal_frame(ref: str | None) -> dict:
    """The error frame for a command that failed in the server, not by a rule."""
    return error_frame(ref, DomainError("internal"))


def field_errors(exc: pydantic.ValidationError) -> dict:
    """Pydantic's errors as the protocol's `fields`: one message per dotted field path."""
    out = {}
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "_"
        out.setdefault(key, err["msg"])
    return out
