"""The login throttle: django-axes' database records, with a failure limit per lockout parameter set."""
import math

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Max, Sum

__all__ = ["LoginThrottle", "login_retry_after"]


class LoginThrottle(AxesDatabaseHandler):
    """axes' database handler where each set of settings.LOGIN_THROTTLE has its own limit.

    axes compares one number, `get_failures`, with one AXES_FAILURE_LIMIT, both to
    refuse a login and to log a lockout; here that number is the failures of the
    set nearest its limit, scaled so that AXES_FAILURE_LIMIT stands for that set's limit.
    """

    def failures_per_set(self, request, credentials=None) -> list[tuple[int, int, object]]:
        """(limit, failures in the window, time of the last one) for each lockout parameter set."""
        out = []
        for limit, attempts in zip(settings.LOGIN_THROTTLE.values(), self.get_user_attempts(request, credentials)):
            row = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            out.append((limit, row["failures"] or 0, row["last"]))
        return out

    def get_failures(self, request, credentials=None) -> int:
        scale = settings.AXES_FAILURE_LIMIT
        return max(failures * scale // limit for limit, failures, _ in self.failures_per_set(request, credentials))

    def retry_after(self, request, credentials=None) -> int:
        """Whole seconds until no set is at its limit any more; 0 when none is."""
        ends = [last + get_cool_off(request) for limit, failures, last in self.failures_per_set(request, credentials)
                if failures >= limit]
        if not ends:
            return 0
        return max(1, math.ceil((max(ends) - request.axes_attempt_time).total_seconds()))


def login_retry_after(request, username: str) -> int:
    """How long this client must wait before trying `username` again (0: it may try now)."""
    credentials = {"username": username}
    if AxesProxyHandler.is_allowed(request, credentials):
        return 0
    handler = AxesProxyHandler.get_implementation()
    # Blacklisted addresses (AXES_IP_BLACKLIST) are refused with no end in sight: a window's worth.
    return handler.retry_after(request, credentials) or int(get_cool_off(request).total_seconds())
