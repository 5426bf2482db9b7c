"""Time extract + ledger per release on the labelled corpus (../shared/data/releases).

Each company's releases are normalized once (not timed), then replayed in date order, the
ledger carried from one release to the next as the daemon does; what is timed per release is
``extract_context`` + ``extract_release`` + ``apply_extraction``. Prints the median and p95
over all rounds (``--rounds``, default 20).

    .venv/bin/python bench/bench_extract.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from watcher.evaluate import load_corpus
from watcher.extract import extract_release
from watcher.ledger import PairKey, apply_extraction
from watcher.models import AliasLink, Company, LedgerEntry
from watcher.normalize import normalize_exhibit
from watcher.pipeline import extract_context

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "releases"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"{args.corpus} is absent: nothing to measure", file=sys.stderr)
        return 1
    corpus = load_corpus(args.corpus)
    prepared = []
    for company in corpus.companies:
        releases = [(r.date, normalize_exhibit((corpus.folder / r.file).read_bytes()))
                    for r in company.releases]
        prepared.append((Company(company.cik, company.name), releases))
    timings: list[float] = []
    for _ in range(args.rounds):
        for company, releases in prepared:
            ledger: dict[PairKey, LedgerEntry] = {}
            learned: list[AliasLink] = []
            for index, (filed, release) in enumerate(releases):
                started = time.perf_counter()
                context = extract_context(None, company, release, ledger, learned, filed)
                extraction = extract_release(release, context)
                update = apply_extraction(ledger, extraction, accession=f"a-{index}",
                                          filed=filed)
                timings.append(time.perf_counter() - started)
                for entry in update.entries:
                    ledger[(entry.partner, entry.product)] = entry
                learned.extend(update.aliases)
    timings.sort()
    median = statistics.median(timings) * 1000
    p95 = timings[int(0.95 * (len(timings) - 1))] * 1000
    releases = sum(len(r) for _, r in prepared)
    print(f"{'stage':<18} {'releases':>8} {'rounds':>6} {'median ms':>10} {'p95 ms':>8}")
    print(f"{'extract + ledger':<18} {releases:>8} {args.rounds:>6} {median:>10.2f} {p95:>8.2f}")
    print("budget: under 10 ms median per release (DESIGN §7)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
