"""Normalize throughput over every sample exhibit, and the time for a ~30 KB exhibit.

Budgets (DESIGN §7): >= 20 MB/s of exhibit HTML; a typical 30 KB exhibit in under 2 ms.
Run: ``.venv/bin/python bench/bench_normalize.py [--rounds N] [--per-file] [--baseline FILE]``
(``--baseline`` times another normalize.py first, e.g. the skeleton's, for a before/after).

The samples are the exhibits named by issue 3: ../shared/data/edgar-samples (extracted-*.htm,
the Buckle EX-99.1 and the EX-99 documents inside the full .txt submissions),
../shared/data/releases (*.txt, *.htm) and ../shared/data/seed.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from watcher.errors import NormalizeError  # noqa: E402 - after the path tweak
from watcher.normalize import normalize_exhibit  # noqa: E402
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


Normalizer = Callable[[bytes], object]


def run_all(normalize: Normalizer, samples: list[tuple[str, bytes]]) -> None:
    for _, content in samples:
        with contextlib.suppress(NormalizeError):  # a refused exhibit still costs its time
            normalize(content)


def load_baseline(path: str) -> Normalizer:
    """``normalize_exhibit`` of another normalize.py (the skeleton's, to measure "before")."""
    spec = importlib.util.spec_from_file_location("baseline_normalize", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    function: Normalizer = module.normalize_exhibit
    return function


def measure(normalize: Normalizer, samples: list[tuple[str, bytes]], rounds: int,
            per_file: bool) -> list[tuple[str, str, str]]:
    html = [s for s in samples if is_html(s[1])]
    text = [s for s in samples if not is_html(s[1])]
    rows: list[tuple[str, str, str]] = []
    for label, group in (("all exhibits", samples), ("HTML exhibits", html),
                         ("plain-text exhibits", text)):
        size = sum(len(c) for _, c in group)
        seconds = timed(lambda g=group: run_all(normalize, g), rounds)  # type: ignore[misc]
        rows.append((f"{label} ({len(group)} files, {size / 1e6:.2f} MB)",
                     f"{size / 1e6 / seconds:.1f} MB/s", f"{seconds * 1e3:.1f} ms"))
    name, content = min(samples, key=lambda s: abs(len(s[1]) - 30_000))
    seconds = timed(lambda: normalize(content), rounds * 20)
    rows.append((f"~30 KB exhibit: {name} ({len(content) / 1e3:.1f} KB)",
                 f"{len(content) / 1e6 / seconds:.1f} MB/s", f"{seconds * 1e3:.2f} ms"))
    if per_file:
        for name, content in samples:
            seconds = timed(lambda c=content: run_all(normalize, [("", c)]),  # type: ignore[misc]
                            rounds)
            rows.append((f"  {name} ({len(content) / 1e3:.1f} KB)",
                         f"{len(content) / 1e6 / seconds:.1f} MB/s", f"{seconds * 1e3:.2f} ms"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-file", action="store_true", help="also time each exhibit")
    parser.add_argument("--baseline", metavar="NORMALIZE_PY",
                        help="also time the normalize_exhibit of this file, e.g. the skeleton's:"
                             " git show <rev>:watcher/normalize.py > /tmp/before.py")
    args = parser.parse_args()
    samples = sample_exhibits()
    if not samples:
        print(f"no samples under {SHARED}", file=sys.stderr)
        return 1
    tables = [("normalize (median CPU time)", normalize_exhibit)]
    if args.baseline:
        tables.insert(0, (f"baseline {Path(args.baseline).name} (median CPU time)",
                          load_baseline(args.baseline)))
    for title, normalize in tables:
        rows = measure(normalize, samples, args.rounds, args.per_file)
        width = max(len(r[0]) for r in rows)
        print(f"{title:<{width}}  {'throughput':>12}  {'time':>10}")
        for label, rate, elapsed in rows:
            print(f"{label:<{width}}  {rate:>12}  {elapsed:>10}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
