from pathlib import Path

import pytest

from harness import POLIS


@pytest.fixture(scope="session")
def polis() -> Path:
    """The Pol.is exports in shared/ beside the repo; their absence is a failure, not a skip."""
    if not (POLIS / "brexit-consensus" / "votes.csv").is_file():
        pytest.fail(f"Pol.is data not found at {POLIS}: shared/ must sit beside the repository.", pytrace=False)
    return POLIS
