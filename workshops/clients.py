"""Who is asking: the client address that every per-address limit counts."""
import ipaddress

from django.conf import settings

__all__ = ["client_address"]


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """REMOTE_ADDR, or behind the configured proxy (BEHIND_PROXY) the last hop of X-Forwarded-For.

    Only the last hop is the proxy's own doing; anything before it the client wrote.
    """
    if settings.BEHIND_PROXY:
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        forwarded = _address(hops[-1])
        if forwarded:
            return forwarded
    return _address(request.META.get("REMOTE_ADDR", ""))
