"""Normalize throughput over every sample exhibit, and the time for a ~30 KB exhibit.

Budgets (DESIGN §7): >= 20 MB/s of exhibit HTML; a typical 30 KB exhibit in under 2 ms.
Run: ``.venv/bin/python bench/bench_normalize.py [--rounds N] [--per-file]``.

The samples are the exhibits named by issue 3: ../shared/data/edgar-samples (extracted-*.htm,
the Buckle EX-99.1 and the EX-99 documents inside the full .txt submissions),
../shared/data/releases (*.txt, *.htm) and ../shared/data/seed.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from watcher.normalize import normalize_exhibit  # noqa: E402 - after the path tweak
from watcher.sgml import split_submission  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def sample_exhibits() -> list[tuple[str, bytes]]:
    samples: list[tuple[str, bytes]] = []
    archives = SHARED / "edgar-samples" / "archives"
    for path in sorted(archives.glob("*/extracted-*.htm")):
        samples.append((path.name, path.read_bytes()))
    buckle = archives / "buckle-8k" / "BuckleInc.8-K.EX99.1.html"
    if buckle.exists():
        samples.append((buckle.name, buckle.read_bytes()))
    for path in sorted(archives.glob("*/*.txt")):
        for doc in split_submission(path.read_bytes()):
            samples.append((f"{path.name}#{doc.doc_type}", doc.content))
    for pattern in ("releases/*/*.txt", "releases/*/*.htm", "seed/*.txt"):
        for path in sorted(SHARED.glob(pattern)):
            samples.append((f"{path.parent.name}/{path.name}", path.read_bytes()))
    return samples


_HTML = re.compile(rb"<(html|body|p|div|table|font)[\s>]", re.IGNORECASE)


def is_html(content: bytes) -> bool:
    return bool(_HTML.search(content[:4096]))


def timed(func: Callable[[], object], rounds: int) -> float:
    """Median CPU seconds of ``rounds`` calls (after one warm-up call). CPU time of this
    process, not wall time: the machines we run on are shared, and a descheduled process
    would otherwise be charged for the time others ran."""
    func()
    times = []
    for _ in range(rounds):
        start = time.process_time()
        func()
        times.append(time.process_time() - start)
    return statistics.median(times)


def run_all(samples: list[tuple[str, bytes]]) -> None:
    for _, content in samples:
        normalize_exhibit(content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-file", action="store_true", help="also time each exhibit")
    args = parser.parse_args()
    samples = sample_exhibits()
    if not samples:
        print(f"no samples under {SHARED}", file=sys.stderr)
        return 1
    html = [s for s in samples if is_html(s[1])]
    text = [s for s in samples if not is_html(s[1])]
    rows: list[tuple[str, str, str]] = []
    for label, group in (("all exhibits", samples), ("HTML exhibits", html),
                         ("plain-text exhibits", text)):
        size = sum(len(c) for _, c in group)
        seconds = timed(lambda g=group: run_all(g), args.rounds)  # type: ignore[misc]
        rows.append((f"{label} ({len(group)} files, {size / 1e6:.2f} MB)",
                     f"{size / 1e6 / seconds:.1f} MB/s", f"{seconds * 1e3:.1f} ms"))
    name, content = min(samples, key=lambda s: abs(len(s[1]) - 30_000))
    seconds = timed(lambda: normalize_exhibit(content), args.rounds * 20)
    rows.append((f"~30 KB exhibit: {name} ({len(content) / 1e3:.1f} KB)",
                 f"{len(content) / 1e6 / seconds:.1f} MB/s", f"{seconds * 1e3:.2f} ms"))
    if args.per_file:
        for name, content in samples:
            seconds = timed(lambda c=content: normalize_exhibit(c), args.rounds)  # type: ignore[misc]
            rows.append((f"  {name} ({len(content) / 1e3:.1f} KB)",
                         f"{len(content) / 1e6 / seconds:.1f} MB/s", f"{seconds * 1e3:.2f} ms"))
    width = max(len(r[0]) for r in rows)
    print(f"{'normalize (median CPU time)':<{width}}  {'throughput':>12}  {'time':>10}")
    for label, rate, elapsed in rows:
        print(f"{label:<{width}}  {rate:>12}  {elapsed:>10}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
