"""What tests/ and bench/ both run on: the test services, real Daphne processes, the shared data."""
from pathlib import Path

# The Pol.is exports (CC BY 4.0) in shared/, which sits beside the repository.
POLIS = Path(__file__).resolve().parents[2] / "shared" / "data" / "polis"
