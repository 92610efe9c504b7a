"""How a time is written on the wire: ISO 8601 in UTC, with "Z"."""

__all__ = ["iso"]


def iso(dt) -> str | None:
    """A datetime as every frame writes it; None stays None."""
    return dt.isoformat().replace("+00:00", "Z") if dt else None
