"""The login throttle holds across workers: failures spread over two Daphne processes count together."""
import pytest

from harness.daphne import HttpClient, manage

pytestmark = pytest.mark.cluster

USERNAME = "throttled"  # an account of its own: the lock must not reach the other tests' facilitator
PASSWORD = "cluster-throttle-password"


def test_failures_on_both_workers_count_towards_one_lock(cluster):
    manage("createsuperuser", "--noinput", "--username", USERNAME, "--email", "t@example.org",
           env={**cluster.env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD})
    clients = [HttpClient(worker.url) for worker in cluster.workers]

    def login(n: int, password: str):
        return clients[n % 2].post("/api/session/login", {"username": USERNAME, "password": password})

    for n in range(9):  # five on worker 1, four on worker 2: neither sees ten on its own
        assert login(n, "wrong")[0] == 401
    assert login(1, PASSWORD)[0] == 200
    assert login(9, "wrong")[0] == 401
    for n in (0, 1):
        status, body = login(n, PASSWORD)
        assert status == 429 and body["error"] == "rate_limited" and 0 < body["retry_after"] <= 900, (n, body)
