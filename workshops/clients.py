"""Who is at the other end of a request: its address (for throttles) and its browser's device cookie."""
import ipaddress
import re
import secrets

from django.conf import settings

__all__ = ["client_ip", "client_address", "device_of", "remember_device", "DEVICE_COOKIE"]

DEVICE_COOKIE = "inspraak_device"
DEVICE_MAX_AGE = 2 * 365 * 24 * 3600  # two years: a removed browser stays removed for any workshop's life
_DEVICE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


def client_ip(request) -> str | None:
    """The client's IP address: REMOTE_ADDR, or behind the proxy (BEHIND_PROXY) X-Forwarded-For's last hop.

    The last hop is the one the proxy appended itself; earlier ones are whatever the
    client sent (Daphne's --proxy-headers takes the first, which a client chooses).
    A missing or garbled header falls back to the peer. The login throttle (django-axes)
    stores this address.
    """
    if settings.BEHIND_PROXY:
        forwarded = _ip(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1])
        if forwarded:
            return forwarded
    return _ip(request.META.get("REMOTE_ADDR", ""))


def _ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request) -> str:
    """The client as a throttle key: its IP address, IPv6 clients per /64 (the block one subscriber gets)."""
    raw = client_ip(request)
    if raw is None:
        return "unknown"
    address = ipaddress.ip_address(raw)
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return raw


def device_of(request) -> str:
    """This browser's device id from its cookie, or a new unguessable one."""
    device = request.COOKIES.get(DEVICE_COOKIE, "")
    return device if _DEVICE.match(device) else secrets.token_urlsafe(32)


def remember_device(response, device: str) -> None:
    """Set (or renew) the long-lived device cookie."""
    response.set_cookie(DEVICE_COOKIE, device, max_age=DEVICE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)
