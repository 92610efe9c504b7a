"""Run screening over real Pol.is conversations and compare with the human moderators.

    .venv/bin/python bench/screening_polis.py [folder[=language] ...] [--show] [--glin] [--frequent N]

A folder is a name under /work/shared/data/polis/ (or a path); the language is the
workshop language to screen with (default: en, and de for the Austrian Klimarat).
`--show` prints the text of every held statement. `--glin` screens with
glin-profanity's own Filter instead (the workshop's language and English; then all
four with leetspeak), for the comparison in docs/moderation.md. `--frequent N` also
screens the N most frequent words of each language, one at a time, to find
everyday words to allow (needs `pip install wordfreq`; not a project dependency).

Pol.is data: The Computational Democracy Project, CC BY 4.0 (see the folder's README).
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deliberation.screening import LANGUAGES, screen  # noqa: E402
from harness import POLIS  # noqa: E402

DEFAULTS = ["scoop-hivemind.biodiversity=en", "austria-climate.5twd2jsnkf.2022-08-08=de"]
KNOWN = {"austria-climate.5twd2jsnkf.2022-08-08": "de"}
GLIN_NAMES = {"nl": "dutch", "en": "english", "fr": "french", "de": "german"}


def glin_screener(config: str, language: str):
    """glin-profanity's Filter in the shape of screen(): one reason per word it finds."""
    from glin_profanity import Filter

    if config == "glin":
        f = Filter({"languages": list(dict.fromkeys([GLIN_NAMES[language], "english"]))})
    else:
        f = Filter({"languages": list(GLIN_NAMES.values()), "detect_leetspeak": True})
    return lambda text, language: [f"profanity ({w})" for w in f.check_profanity(text)["profane_words"]]


def per_call(screener, texts: list[str], language: str) -> float:
    """Best of five rounds, in µs per call."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for text in texts:
            screener(text, language=language)
        best = min(best, (time.perf_counter() - started) / len(texts))
    return best * 1e6


def run(folder: str, language: str, screener=screen) -> dict:
    """Screen every statement of one conversation: counts per moderator decision, and timing."""
    path = Path(folder) if Path(folder).is_dir() else POLIS / folder
    with open(path / "comments.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    texts = [row["comment-body"] for row in rows]
    screener(texts[0], language=language)  # read the lists before timing
    stats = {"name": path.name, "language": language, "statements": len(rows),
             "chars": sum(map(len, texts)) / len(texts), "us": per_call(screener, texts, language),
             "accepted": 0, "rejected": 0, "held_accepted": Counter(), "n_held_accepted": 0,
             "held_rejected": Counter(), "n_held_rejected": 0, "held": []}
    for row in rows:
        reasons = screener(row["comment-body"], language=language)
        decision = {"1": "accepted", "-1": "rejected"}.get(row["moderated"])
        if decision:
            stats[decision] += 1
        if reasons and decision:
            stats[f"held_{decision}"].update(reasons)
            stats[f"n_held_{decision}"] += 1
        if reasons:
            stats["held"].append((row["comment-id"], decision or "unmoderated", reasons, row["comment-body"]))
    # Longer texts: statements run together and cut to 100-150, 280-320 and 480-500 characters.
    stats["by_length"] = {}
    for low, high in ((100, 150), (280, 320), (480, 500)):
        joined, current = [], ""
        for text in texts:
            current = f"{current} {text}".strip()
            if len(current) >= low:
                joined.append(current[:high])
                current = ""
        stats["by_length"][f"{low}-{high}"] = per_call(screener, joined, language)
    return stats


def frequent(n: int) -> None:
    """Screen the n most frequent words of each language alone, and print those held."""
    try:
        import wordfreq
    except ImportError:
        sys.exit("--frequent needs wordfreq: .venv/bin/pip install wordfreq (or --target a scratch folder)")
    for language in LANGUAGES:
        held = [f"{rank}:{word}:{','.join(r.removeprefix('profanity ') for r in reasons)}"
                for rank, word in enumerate(wordfreq.top_n_list(language, n))
                if (reasons := screen(word, language=language))]
        print(f"\n{language}: {len(held)} of the {n} most frequent words held (rank:word:reasons)")
        print("  ".join(held))


def reasons_text(counter: Counter) -> str:
    return ", ".join(f"{reason} {n}" for reason, n in counter.most_common()) or "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", default=DEFAULTS, metavar="folder[=language]")
    parser.add_argument("--show", action="store_true", help="print the text of held statements")
    parser.add_argument("--glin", action="store_true", help="screen with glin-profanity's Filter instead")
    parser.add_argument("--frequent", type=int, metavar="N", help="also screen the N most frequent words")
    args = parser.parse_args()
    results = []
    for spec in args.folders:
        folder, _, language = spec.partition("=")
        language = language or KNOWN.get(Path(folder).name, "en")
        if not args.glin:
            results.append(run(folder, language))
            continue
        for config in ("glin", "glin-4-leet"):
            results.append(run(folder, language, glin_screener(config, language)))
            results[-1]["name"] += f" ({config})"
    print("| conversation | lang | statements | accepted | rejected | held among accepted (false holds) "
          "| held among rejected | µs per statement |")
    print("|---|---|---:|---:|---:|---|---|---:|")
    for s in results:
        print(f"| {s['name']} | {s['language']} | {s['statements']} | {s['accepted']} | {s['rejected']} "
              f"| {s['n_held_accepted']} ({reasons_text(s['held_accepted'])}) "
              f"| {s['n_held_rejected']} ({reasons_text(s['held_rejected'])}) | {s['us']:.0f} |")
    for s in results:
        lengths = ", ".join(f"{span} characters {us:.0f} µs" for span, us in s["by_length"].items())
        print(f"\n{s['name']}: mean {s['chars']:.0f} characters a statement; per call {lengths}")
        for comment_id, decision, reasons, text in s["held"]:
            print(f"  #{comment_id} ({decision}): {', '.join(reasons)}" + (f"\n      {text}" if args.show else ""))
    if args.frequent:
        frequent(args.frequent)


if __name__ == "__main__":
    main()
