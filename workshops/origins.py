"""The WebSocket handshake's Origin check: scheme, host and port, as the request reached this server."""
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

__all__ = ["SameOriginValidator", "origin_allowed"]

DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(scheme: str, host: str, port: str | int | None) -> tuple[str, str, int] | None:
    if scheme not in DEFAULT_PORTS or not host:
        return None
    try:
        return scheme, host.lower().strip("[]").rstrip("."), int(port) if port else DEFAULT_PORTS[scheme]
    except ValueError:
        return None


def parse_origin(value: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin such as `https://example.org`, the default port filled in."""
    try:
        parts = urlsplit(value.strip())
        return _origin(parts.scheme.lower(), parts.hostname or "", parts.port)
    except ValueError:
        return None


def server_origin(scope) -> tuple[str, str, int] | None:
    """The origin this handshake reached: the Host header, and the scheme (behind the proxy, its X-Forwarded-Proto)."""
    headers = {name.lower(): value.decode("latin1") for name, value in scope.get("headers", [])}
    host, port = split_domain_port(headers.get(b"host", ""))
    # The Host must be one this server answers to, or a rebound DNS name would be its own origin.
    if not host or not validate_host(host, settings.ALLOWED_HOSTS):
        return None
    scheme = "https" if scope.get("scheme", "ws") == "wss" else "http"
    if settings.BEHIND_PROXY:
        forwarded = headers.get(b"x-forwarded-proto", "").split(",")[0].strip().lower()
        scheme = forwarded if forwarded in DEFAULT_PORTS else scheme
    return _origin(scheme, host, port)


def origin_allowed(scope) -> bool:
    """The Origin is the server's own origin as the request reached it, or one of CSRF_TRUSTED_ORIGINS."""
    origins = [value for name, value in scope.get("headers", []) if name.lower() == b"origin"]
    if len(origins) != 1:
        return False
    origin = parse_origin(origins[0].decode("latin1"))
    if origin is None:
        return False
    return origin == server_origin(scope) or origin in {parse_origin(o) for o in settings.CSRF_TRUSTED_ORIGINS}


class SameOriginValidator:
    """ASGI middleware that refuses a WebSocket handshake from any other origin with 403, as channels' validators do.

    channels' OriginValidator matches the Origin against a fixed list of patterns, and
    AllowedHostsOriginValidator feeds it ALLOWED_HOSTS, which carry no scheme or port:
    neither can compare the Origin with the origin the request itself came in on.
    """

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
