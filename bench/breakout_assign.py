"""How long opening a breakout takes: N citizens into R rooms, with every room.assigned event,
in one transaction. Runs on a fresh SQLite file and, when reachable, a fresh PostgreSQL database.

    .venv/bin/python bench/breakout_assign.py [--citizens 500] [--rooms 50] [--repeat 5]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/").rstrip("/")


def run_one(database_url: str, citizens: int, rooms: int, repeat: int) -> list[float]:
    """In a child process (its own settings), migrate, then time `repeat` breakouts."""
    code = f"""
import time, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from workshops import breakouts, services
from workshops.models import Participant
times = []
for i in range({repeat}):
    user = get_user_model().objects.create_user(f"bench{{i}}", is_staff=True)
    w = services.workshop_create(user=user, title="bench")
    fac = Participant.objects.get(workshop=w, user=user)
    services.workshop_start(actor=fac)
    Participant.objects.bulk_create([Participant(workshop=w, name=f"C{{n}}") for n in range({citizens})])
    fac.refresh_from_db()
    t = time.perf_counter()
    breakouts.breakout_open(actor=fac, mode="random", rooms={rooms})
    times.append(time.perf_counter() - t)
print(" ".join(f"{{x:.4f}}" for x in times))
"""
    env = dict(os.environ, DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.settings",
               SECRET_KEY="bench", PYTHONPATH=str(ROOT))
    env.pop("REDIS_URL", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout
    return [float(x) for x in out.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=500)
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    targets = []
    with tempfile.TemporaryDirectory() as tmp:
        targets.append(("SQLite (WAL)", f"sqlite:///{tmp}/bench.sqlite3"))
        try:
            import psycopg
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS inspraak_bench_breakout")
                conn.execute("CREATE DATABASE inspraak_bench_breakout")
            targets.append(("PostgreSQL", f"{PG}/inspraak_bench_breakout"))
        except Exception as exc:  # noqa: BLE001 - report and go on with SQLite
            print(f"PostgreSQL not reachable ({exc}); SQLite only")
        print(f"{args.citizens} citizens into {args.rooms} rooms, {args.repeat} runs each "
              f"(breakout_open: placement, {args.citizens} assignments, {args.citizens + 1} events, one transaction)")
        for name, url in targets:
            times = run_one(url, args.citizens, args.rooms, args.repeat)
            print(f"  {name:14} median {statistics.median(times) * 1000:7.1f} ms   "
                  f"min {min(times) * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
