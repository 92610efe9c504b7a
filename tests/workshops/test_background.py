"""The background loop's periodic checks (workshops.background.periodic)."""
import pytest

from workshops import background


@pytest.mark.asyncio
async def test_a_periodic_check_runs_at_once_then_once_per_interval(monkeypatch):
    runs = []
    monkeypatch.setattr(background, "PERIODIC", [])
    background.periodic(600)(lambda: runs.append(1))
    last = {}
    await background._run_periodic(last, 5.0)  # a process started a moment ago: at once
    await background._run_periodic(last, 300.0)
    assert len(runs) == 1
    await background._run_periodic(last, 605.0)
    assert len(runs) == 2


def test_the_officials_digest_check_is_registered():
    from deliberation.officials import digests_queue
    assert any(fn is digests_queue for _, fn in background.PERIODIC)
