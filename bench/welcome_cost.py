"""Welcome cost: what reading and renewing a large workshop's welcome costs, in one process on PostgreSQL.

    .venv/bin/python bench/welcome_cost.py [--ideas 2000] [--chars 470] [--participants 5000] [--repeat 10]

Makes a PostgreSQL database of its own (`inspraak_bench_welcome_<pid>`, dropped at the end), a started
workshop with --ideas ideas of --chars characters and --participants offline
citizens (written straight into the database, as tests/bulk.py does), then
measures, in this process, the CPU time (utime+stime) of each step a join or a
kept snapshot's renewal takes, --repeat times each, best and mean:

- a renewal that reads every shared part (`shared_parts`, encoded), as one did
  before a renewal could keep parts: the yardstick, measured in the same run;
- a renewal after presence changes only, which reads the participants anew and
  keeps the rest (snapshot.SharedSnapshots, StreamEvent.touches);
- a citizen's welcome from the kept snapshot (`selectors.welcome`: their own
  parts, the replay) and its framing (`snapshot.welcome_frames`).

The join storm (bench/join_storm.py) measures whole joins on two workers; this
isolates the welcome's share, which a storm's noise hides.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))



def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(fn, repeat: int) -> tuple[float, float]:
    """(best, mean) CPU milliseconds of `fn()`."""
    times = []
    for _ in range(repeat):
        start = cpu_s()
        fn()
        times.append((cpu_s() - start) * 1e3)
    return min(times), sum(times) / len(times)


def measure(args) -> None:
    """In the child process, with DATABASE_URL set: build the workshop and time each step."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from deliberation.models import Board, Idea
    from tests.live import make_citizen, make_workshop
    from workshops import selectors, snapshot
    from workshops.models import Participant

    workshop, _ = make_workshop(username="bench-facilitator")
    me = make_citizen(workshop, "Reader")
    board = Board.objects.get(workshop=workshop, room=None)
    filler = ("A playground by the station, with shade, benches and water for all who wait. " * 80)[:args.chars - 6]
    Idea.objects.bulk_create([Idea(board=board, author=me, text=f"{i:05} {filler}") for i in range(args.ideas)],
                             batch_size=500)
    Participant.objects.bulk_create([Participant(workshop=workshop, name=f"Citizen {i:05}")
                                     for i in range(args.participants)], batch_size=500)
    reader = selectors.participant_with_workshop.get(me.pk)

    def renewal(only):
        def run():
            parts = {"workshop": selectors.workshop_payload(reader.workshop), **snapshot.shared_parts(reader, only)}
            return {name: snapshot._encoded(value) for name, value in parts.items()}
        return run

    renewal(None)()  # lookups compiled, caches warm
    whole = timed(renewal(None), args.repeat)
    presence = timed(renewal(frozenset({"participants"})), args.repeat)
    snapshot.shared_snapshot.clear()
    frame, _ = selectors.welcome(participant_id=me.pk, since=None)  # keeps the shared parts
    welcome = timed(lambda: selectors.welcome(participant_id=me.pk, since=None), args.repeat)
    frames = snapshot.welcome_frames(frame)
    framing = timed(lambda: snapshot.welcome_frames(frame), args.repeat)

    print(f"welcome cost: {args.ideas:,} ideas of {args.chars} characters, {args.participants + 2:,} participants; "
          f"welcome {sum(len(f.encode()) for f in frames) / 2 ** 20:.1f} MiB in {len(frames)} frames; "
          f"CPU ms in this process, best / mean of {args.repeat}")
    print("| step | best | mean |\n|---|---|---|")
    for name, (best, mean) in (("renewal, every shared part read (yardstick)", whole),
                               ("renewal after presence changes: participants read, the rest kept", presence),
                               ("a citizen's welcome from the kept parts (own parts, replay)", welcome),
                               ("its framing (welcome_frames)", framing)):
        print(f"| {name} | {best:.1f} | {mean:.1f} |")
    print(f"\nrenewal after presence changes vs every part: {presence[0] / whole[0]:.2f}x (best)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ideas", type=int, default=2000)
    parser.add_argument("--chars", type=int, default=470)
    parser.add_argument("--participants", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args)
        return 0
    from harness import services
    from harness.daphne import ServerDatabase, server_env

    services.ensure_postgres()
    database = ServerDatabase.postgres(f"inspraak_bench_welcome_{os.getpid()}")
    env = server_env(database.url)
    database.prepare(env)
    try:
        child = subprocess.run([sys.executable, __file__, "--child", *sys.argv[1:]], cwd=REPO,
                               env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env})
        return child.returncode
    finally:
        database.drop()


if __name__ == "__main__":
    sys.exit(main())
