"""End-to-end throughput from local files into SQLite (DESIGN §7: >= 100 releases/s).

Every release of the labelled corpora (../shared/data/releases and the project's held-out
corpora) goes through ``Pipeline.store_documents`` -- normalize, compare against the whole
history, extract, ledger, alert and outbox in one transaction per filing -- into a fresh
SQLite file, company by company in date order, replicated with shifted years so that
histories grow. Prints releases/s (median of the runs) and where the time goes.

    .venv/bin/python bench/bench_pipeline.py [--copies 4] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import watcher.pipeline as pipeline_module
from watcher.clock import SYSTEM_CLOCK
from watcher.config import parse_config
from watcher.models import Exhibit, Filing
from watcher.pipeline import Pipeline
from watcher.store import open_store

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [ROOT.parent / "shared" / "data" / "releases", ROOT / "tests" / "data" / "heldout",
           ROOT / "tests" / "data" / "heldout-b", ROOT / "tests" / "data" / "heldout-c"]


def corpus_files(corpora: list[Path]) -> dict[str, list[Path]]:
    companies: dict[str, list[Path]] = defaultdict(list)
    for corpus in corpora:
        if not corpus.exists():
            continue
        for path in sorted(corpus.glob("*/*")):
            if path.suffix in (".txt", ".htm", ".html") and path.name[:4].isdigit():
                companies[f"{corpus.name}/{path.parent.name}"].append(path)
    return companies


def filings(copies: int, corpora: list[Path]) -> list[tuple[Filing, Exhibit]]:
    work = []
    serial = 0
    for number, (company, paths) in enumerate(sorted(corpus_files(corpora).items())):
        cik = 9800000 + number
        for copy in range(copies):
            for path in paths:
                serial += 1
                filed = date.fromisoformat(path.name[:10])
                filed = filed.replace(year=filed.year + 32 * copy)
                accession = f"{cik:010d}-{copy:02d}-{serial:06d}"
                work.append((
                    Filing(accession=accession, cik=cik, form="8-K", filed=filed,
                           company_name=company.split("/")[1].title() + ", Inc."),
                    Exhibit(accession=accession, doc_type="EX-99.1", filename=path.name,
                            url=path.as_uri(), content=path.read_bytes()),
                ))
    return work


@contextmanager
def timed(stages: dict[str, float], name: str, target: Any, attribute: str) -> Iterator[None]:
    """Wrap ``target.attribute`` so its time adds up in ``stages[name]``."""
    original: Callable[..., Any] = getattr(target, attribute)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            stages[name] += time.perf_counter() - started

    setattr(target, attribute, wrapper)
    try:
        yield
    finally:
        setattr(target, attribute, original)


def run_once(work: list[tuple[Filing, Exhibit]], folder: Path) -> tuple[float, dict[str, float]]:
    store = open_store(f"sqlite:///{folder / 'bench.db'}")
    pipe = Pipeline(parse_config({}, environ={}), store, None, SYSTEM_CLOCK,
                    route=lambda alert: ["desk"])
    stages: dict[str, float] = defaultdict(float)
    with timed(stages, "normalize", pipeline_module, "normalize_exhibit"), \
            timed(stages, "compare+extract+ledger", pipeline_module, "analyze_release"):
        started = time.perf_counter()
        for filing, exhibit in work:
            store.add_filings([filing], SYSTEM_CLOCK.now())
            pipe.store_documents(filing, [exhibit])
        elapsed = time.perf_counter() - started
    store.close()
    stages["store, index, alert"] = elapsed - sum(stages.values())
    return elapsed, stages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=4, help="replications of the corpora")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'corpus':22} {'releases':>8} {'releases/s':>10} {'ms each':>8} "
          f"{'normalize':>9} {'analyze':>8} {'store':>8}")
    for label, corpora in (("development corpus", CORPORA[:1]), ("all corpora", CORPORA)):
        work = filings(args.copies, corpora)
        if not work:
            print(f"{label:22} absent (../shared/data is not beside the project)")
            continue
        elapsed_runs: list[float] = []
        stage_runs: list[dict[str, float]] = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                elapsed, stages = run_once(work, Path(tmp))
            elapsed_runs.append(elapsed)
            stage_runs.append(stages)
        median = statistics.median(elapsed_runs)

        def per_release(name: str, runs: list[dict[str, float]] = stage_runs,
                        count: int = len(work)) -> float:
            return 1000 * statistics.median(s[name] for s in runs) / count

        print(f"{label:22} {len(work):8d} {len(work) / median:10.1f} "
              f"{1000 * median / len(work):8.2f} {per_release('normalize'):9.2f} "
              f"{per_release('compare+extract+ledger'):8.2f} "
              f"{per_release('store, index, alert'):8.2f}")
    print(f"(medians of {args.runs} runs, {args.copies} copies of each company's releases with "
          "shifted years; budget >= 100 releases/s; analyze = compare + extract + ledger; "
          "store = database, paragraph index, alert and outbox)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
