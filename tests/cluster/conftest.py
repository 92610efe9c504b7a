"""The cluster: two Daphne workers on a fresh PostgreSQL database and the test Redis, started once per run.

Tests share it and make a workshop of their own; a test that kills a worker
leaves it to `cluster` to start it again for the next one. Each worker's log is
printed after each test (pytest shows it when the test fails).
"""
import pytest

from harness.daphne import DaphneServer

from .clients import Cluster, PrivateRedis


@pytest.fixture(scope="session")
def cluster_setup(postgres_url, redis_url, tmp_path_factory):
    db, env = Cluster.prepare("inspraak_cluster", redis_url)
    logs = tmp_path_factory.mktemp("cluster")
    workers = [DaphneServer(env, log_path=logs / f"worker-{n}.log") for n in (1, 2)]
    try:
        for worker in workers:
            worker.start()
        yield Cluster(db, env, workers)
    finally:
        for worker in workers:
            worker.stop()
        db.drop()


@pytest.fixture
def cluster(cluster_setup):
    """Both workers running; their log tails are printed when the test is done."""
    cluster_setup.ensure_running()
    yield cluster_setup
    for n, worker in enumerate(cluster_setup.workers, 1):
        print(f"--- worker {n}: {worker.log_path} (tail)\n{worker.log_tail(30)}")


@pytest.fixture
def redis_cluster(cluster_setup, tmp_path):
    """Two more workers on the cluster's database, with a Redis of their own that the test may restart."""
    server = PrivateRedis().start()
    env = {**cluster_setup.env, "REDIS_URL": server.url}
    workers = [DaphneServer(env, log_path=tmp_path / f"redis-worker-{n}.log") for n in (1, 2)]
    try:
        for worker in workers:
            worker.start()
        yield Cluster(cluster_setup.db, env, workers), server
    finally:
        for n, worker in enumerate(workers, 1):
            worker.stop()
            print(f"--- worker {n} on the private Redis: {worker.log_path} (tail)\n{worker.log_tail(40)}")
        server.kill()
