"""Benchmark of compare: a release against histories of 10 to 10,000 earlier releases.

Histories are mutations of one company's releases from the labelled corpus
(../shared/data/releases): numbers and dates change in every release (noise); of the body and
quote paragraphs, 60% are news (half their words replaced: new text), 25% are recurring text
that drifts (now and then a few words reworded, then repeated), 15% are independent light
rewordings of the original (near repeats with many equally close earlier versions: the hard
case for an index); the About paragraphs evolve now and then (a sentence reworded, a list item
added or removed) and repeat otherwise; list order and paragraph order are shuffled, quote
styles, case and spacing vary.

For each history size it prints the median time per comparison of
- the index path (fingerprint + in-memory index lookup + classification and diffs; best of 3
  runs of each comparison, as the machine is shared),
- the store path: the same through the store's SQL index, in one unit of work (a new SQLite
  file, or ``--store-url`` for an empty PostgreSQL database),
- the walking skeleton's ``compare_release`` given the whole history (loaded from git; the
  skeleton's pipeline gave it the latest 50 releases only), and
- the naive baseline: word-level difflib against every paragraph of every earlier release,
  with the same noise rules and decision rules, so that its matches can be compared,
and the agreement of the index path's decisions with the baseline's (same status; for revised
paragraphs, the same closest earlier paragraph or one the baseline scores just as high). The
skeleton and the baseline run on fewer comparisons at large sizes (``--slow-budget``).

    .venv/bin/python bench/bench_compare.py             # the full table (about 3 minutes)
    .venv/bin/python bench/bench_compare.py --quick     # 10, 100, 1,000 only
"""

from __future__ import annotations

import argparse
import difflib
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from watcher.compare import (  # noqa: E402
    ABOUT,
    DEFAULT_OPTIONS,
    CompareOptions,
    MemoryIndex,
    ReleasePrint,
    compare_release,
    fingerprint_release,
)
from watcher.models import Comparison, Filing, Paragraph, Release, StoredRelease  # noqa: E402
from watcher.normalize import normalize_exhibit  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "releases"
SKELETON_COMMIT = "dfba84f"  # the walking skeleton's compare.py, measured as "before"
REPEATS = 3  # the fast paths: best of 3 runs per comparison (the machine is shared), then
             # the median over comparisons

_NUMBER = re.compile(r"(?<![\w\-])\d[\d,.]*(?![\w\-])")
_WORD = re.compile(r"[A-Za-z][a-z]{3,}")
_FICTIONAL = ("Nornvale Bio", "Ostwick Pharma", "Tellamor Therapeutics", "Brightwater Labs",
              "Corrigan Biologics", "Mellis Oncology", "Ardent Vale Pharma", "Quenby Health")


# ------------------------------------------------------------------------------ histories

class HistoryGenerator:
    """An endless, reproducible stream of releases of one fictional company."""

    def __init__(self, releases: Sequence[Release], seed: int) -> None:
        self.rng = random.Random(seed)
        self.base = list(releases)
        words = {w.lower() for r in releases for p in r.paragraphs for w in _WORD.findall(p.text)}
        self.vocab = sorted(words)
        # the current wording of each base release's About paragraphs: evolves, then repeats
        self.about = [[p.text for p in r.paragraphs if p.section == ABOUT] for r in releases]
        self.recurring: dict[tuple[int, int], str] = {}  # drifting wording of body text
        self.count = 0

    def next(self) -> Release:
        rng = self.rng
        i = rng.randrange(len(self.base))
        base = self.base[i]
        if rng.random() < 0.1 and self.about[i]:
            k = rng.randrange(len(self.about[i]))
            self.about[i][k] = self._evolve(self.about[i][k])
        about = iter(self.about[i])
        paragraphs: list[Paragraph] = []
        for n, p in enumerate(base.paragraphs):
            text = p.text
            if p.section == ABOUT:
                text = next(about, text)
                if rng.random() < 0.2:
                    text = self._shuffle_list(text)  # presentation only
            elif p.section in ("body", "quotes"):
                roll = rng.random()
                if roll < 0.6:
                    text = self._reword(text, 0.5)  # news: new text
                elif roll < 0.85:  # recurring text, drifting
                    text = self.recurring.get((i, n), text)
                    if rng.random() < 0.2:
                        text = self.recurring[(i, n)] = self._reword(text, 0.04)
                else:
                    text = self._reword(text, 0.04)  # a near repeat of the original
            text = self._noise(text)
            paragraphs.append(replace(p, text=text))
        if rng.random() < 0.3:  # paragraph order within the body
            body = [n for n, p in enumerate(paragraphs) if p.section == "body"]
            moved = [paragraphs[n] for n in body]
            rng.shuffle(moved)
            for n, p in zip(body, moved, strict=True):
                paragraphs[n] = p
        self.count += 1
        return Release(headline=f"{base.headline} #{self.count}", paragraphs=tuple(paragraphs),
                       content_hash=f"{self.count:064x}")

    def _noise(self, text: str) -> str:
        rng = self.rng
        text = _NUMBER.sub(lambda m: f"{rng.randrange(1, 99_999):,}", text)
        roll = rng.random()
        if roll < 0.1:
            text = text.replace("'", "\u2019").replace(' "', " \u201c")
        elif roll < 0.15:
            text = text.upper()
        elif roll < 0.2:
            text = text.replace(" ", "  ")
        return text

    def _reword(self, text: str, share: float) -> str:
        words = text.split()
        n = max(1, round(len(words) * share))
        for k in self.rng.sample(range(len(words)), min(n, len(words))):
            words[k] = self.rng.choice(self.vocab)
        return " ".join(words)

    def _evolve(self, text: str) -> str:
        roll = self.rng.random()
        if roll < 0.4:
            return self._change_list(text)
        sentences = text.split(". ")
        k = self.rng.randrange(len(sentences))
        sentences[k] = self._reword(sentences[k], 0.15)
        return ". ".join(sentences)

    def _change_list(self, text: str) -> str:
        items = text.split(", ")
        if len(items) > 3 and self.rng.random() < 0.5:
            del items[self.rng.randrange(1, len(items) - 1)]
        else:
            partner = self.rng.choice(_FICTIONAL)
            code = f"NV-{self.rng.randrange(100, 999)}"
            items.insert(self.rng.randrange(1, len(items) + 1), f"{partner} ({code}, oncology)")
        return ", ".join(items)

    def _shuffle_list(self, text: str) -> str:
        sentences = text.split(". ")
        for k, sentence in enumerate(sentences):
            items = sentence.split(", ")
            if len(items) >= 3:
                middle = items[1:-1]
                self.rng.shuffle(middle)
                sentences[k] = ", ".join([items[0], *middle, items[-1]])
        return ". ".join(sentences)


def corpus_releases(company: str) -> list[Release]:
    folder = CORPUS / company
    if not folder.is_dir():
        sys.exit(f"{folder} is missing: the benchmark needs ../shared/data/releases")
    return [normalize_exhibit(f.read_bytes()) for f in sorted(folder.iterdir())]


# ------------------------------------------------------------------------------ baselines

@dataclass(frozen=True, slots=True)
class Decision:
    status: str
    key: str | None
    score: float


def naive_compare(query: ReleasePrint, history: Sequence[ReleasePrint],
                  options: CompareOptions) -> list[Decision]:
    """Word-level difflib against every paragraph of every earlier release (newest first),
    with the decision rules of compare: exact repeats (same words) first, About paragraphs
    against the latest About section first, same section preferred."""
    out = []
    latest = history[0].paragraphs if history else ()
    for q in query.paragraphs:
        if any(p.key == q.key for r in history for p in r.paragraphs):
            out.append(Decision("unchanged", q.key, 1.0))
            continue
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(q.tokens)
        best: dict[bool, tuple[float, str]] = {}

        def consider(p: Any, threshold: float, best: dict[bool, tuple[float, str]] = best,
                     matcher: difflib.SequenceMatcher[str] = matcher, q: Any = q) -> None:
            same = p.section == q.section
            floor = max(threshold, best.get(same, (0.0, ""))[0])
            matcher.set_seq1(p.tokens)
            if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
                return
            score = matcher.ratio()
            if score >= threshold and score > best.get(same, (0.0, ""))[0]:
                best[same] = (score, p.key)

        if q.section == ABOUT:
            for p in latest:
                if p.section == ABOUT:
                    consider(p, options.about_threshold)
        if True not in best:
            best.clear()
            for r in history:
                for p in r.paragraphs:
                    if p.section in options.sections:
                        both_about = p.section == ABOUT and q.section == ABOUT
                        consider(p, options.about_threshold if both_about
                                 else options.revised_threshold)
        choice = best.get(True) or best.get(False)
        out.append(Decision("revised", choice[1], choice[0]) if choice
                   else Decision("new", None, 0.0))
    return out


def skeleton_compare() -> Callable[[Sequence[Paragraph], Sequence[StoredRelease]], Comparison]:
    """The walking skeleton's ``compare_release``, loaded from git."""
    source = subprocess.run(["git", "show", f"{SKELETON_COMMIT}:watcher/compare.py"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    module = types.ModuleType("skeleton_compare")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, "skeleton_compare.py", "exec"), module.__dict__)
    fn: Callable[[Sequence[Paragraph], Sequence[StoredRelease]], Comparison] = \
        module.compare_release
    return fn


def agreement(ours: Comparison, query: ReleasePrint, naive: Sequence[Decision]
              ) -> tuple[int, int, int]:
    """(paragraphs, same status, same match) of one comparison."""
    same_status = same_match = 0
    for match, q, decision in zip(ours.paragraphs, query.paragraphs, naive, strict=True):
        if match.status != decision.status:
            continue
        same_status += 1
        if match.status != "revised":
            same_match += 1
            continue
        assert match.previous_text is not None
        if decision.key is not None:
            ours_tokens = fingerprint_release([Paragraph(match.previous_text, q.section)],
                                              DEFAULT_OPTIONS).paragraphs
            if ours_tokens and ours_tokens[0].key == decision.key:
                same_match += 1
                continue
            if ours_tokens:  # a different paragraph the baseline scores just as high: a tie
                m = difflib.SequenceMatcher(None, ours_tokens[0].tokens, q.tokens,
                                            autojunk=False)
                if m.ratio() >= decision.score - 1e-9:
                    same_match += 1
    return len(naive), same_status, same_match


# ------------------------------------------------------------------------------ runs

def median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1000.0


@dataclass
class Row:
    size: int
    distinct: int = 0
    ours: float = 0.0
    store: float | None = None
    skeleton: float | None = None
    naive: float | None = None
    paragraphs: int = 0
    same_status: int = 0
    same_match: int = 0


def run(args: argparse.Namespace) -> list[Row]:
    options = replace(DEFAULT_OPTIONS, candidates=args.candidates)
    releases = corpus_releases(args.company)
    generator = HistoryGenerator(releases, args.seed)
    sizes = [s for s in (10, 100, 1000, 10_000) if s <= args.max_size]
    total = sizes[-1] + args.queries
    stream = [generator.next() for _ in range(total)]
    prints = [fingerprint_release(r.paragraphs, options) for r in stream]
    filed = [date(2000, 1, 1) + timedelta(days=k) for k in range(total)]
    accession = [f"0000000000-00-{k:06d}" for k in range(total)]
    skeleton = skeleton_compare() if args.skeleton else None
    store = StoreBench(options, args.store_url) if args.store else None
    index = MemoryIndex(options)
    rows = []
    added = 0
    add_times: list[float] = []
    for size in sizes:
        while added < size:
            start = time.perf_counter()
            index.add(accession[added], filed[added], prints[added])
            add_times.append(time.perf_counter() - start)
            if store is not None:
                store.add(accession[added], filed[added], stream[added])
            added += 1
        row = Row(size, distinct=len(index))
        queries = range(size, size + args.queries)
        samples = []
        results = {}
        for k in queries:
            best = float("inf")
            for _ in range(REPEATS):
                start = time.perf_counter()
                # a list, not the release's tuple: fingerprint_release memoizes tuples
                query = fingerprint_release(list(stream[k].paragraphs), options)
                results[k] = compare_release(index.lookup(query), options)
                best = min(best, time.perf_counter() - start)
            samples.append(best)
        row.ours = median_ms(samples)
        if store is not None:
            row.store = median_ms([min(store.compare(stream[k], filed[k])
                                       for _ in range(REPEATS)) for k in queries])
        budget = max(6, args.slow_budget // size)
        slow = list(queries)[:min(args.queries, budget)]
        if size <= args.naive_max:
            history = prints[:size][::-1]
            samples = []
            for k in slow:
                start = time.perf_counter()
                decisions = naive_compare(prints[k], history, options)
                samples.append(time.perf_counter() - start)
                n, same_status, same_match = agreement(results[k], prints[k], decisions)
                row.paragraphs += n
                row.same_status += same_status
                row.same_match += same_match
            row.naive = median_ms(samples)
        if skeleton is not None:
            stored = [StoredRelease(k, 1, accession[k], "EX-99.1", filed[k], stream[k])
                      for k in range(size)][::-1]
            samples = []
            for k in slow:
                start = time.perf_counter()
                skeleton(stream[k].paragraphs, stored)
                samples.append(time.perf_counter() - start)
            row.skeleton = median_ms(samples)
        rows.append(row)
        print(f"  measured {size} releases", file=sys.stderr)
    print(f"index maintenance: median {median_ms(add_times):.3f} ms per release added "
          "(in memory)")
    if store is not None:
        print(f"index maintenance: median {median_ms(store.add_times):.3f} ms per release "
              f"({store.kind}: save_release + indexing it)")
        store.close()
    return rows


class StoreBench:
    """The same history kept in a SQLite store, compared through its SQL index."""

    def __init__(self, options: CompareOptions, url: str | None = None) -> None:
        from watcher.store import open_store

        self.options = options
        self.folder = tempfile.TemporaryDirectory(prefix="bench-compare-")
        self.store = open_store(url or f"sqlite:///{self.folder.name}/bench.db")
        self.kind = self.store.url.split(":", 1)[0]
        self.add_times: list[float] = []
        self.now = datetime(2024, 1, 1, tzinfo=UTC)

    def add(self, accession: str, filed: date, release: Release) -> None:
        start = time.perf_counter()
        with self.store.unit_of_work(1) as uow:
            filing = Filing(accession, 1, "8-K", filed)
            uow.save_release(1, filing, "EX-99.1", release, self.now)
            uow.paragraph_index(1, self.options, before=filed, exclude_accession="")
        self.add_times.append(time.perf_counter() - start)

    def compare(self, release: Release, filed: date) -> float:
        start = time.perf_counter()
        with self.store.unit_of_work(1) as uow:
            query = fingerprint_release(list(release.paragraphs), self.options)
            index = uow.paragraph_index(1, self.options, before=filed, exclude_accession="-")
            compare_release(index.lookup(query), self.options)
        return time.perf_counter() - start

    def close(self) -> None:
        self.store.close()
        self.folder.cleanup()


def print_table(rows: Sequence[Row]) -> None:
    print()
    print("history  distinct   index    growth  store    skeleton  naive      speedup  "
          "vs naive  agreement (status / match)")
    print("releases paragraphs ms/cmp   vs 10x  ms/cmp   ms/cmp    ms/cmp     vs skel  "
          "         ")
    previous: Row | None = None
    for row in rows:
        growth = f"x{row.ours / previous.ours:.2f}" if previous else "-"
        store = f"{row.store:.2f}" if row.store is not None else "-"
        skeleton = f"{row.skeleton:.1f}" if row.skeleton is not None else "-"
        naive = f"{row.naive:.1f}" if row.naive is not None else "-"
        vs_skel = f"{row.skeleton / row.ours:.0f}x" if row.skeleton is not None else "-"
        vs_naive = f"{row.naive / row.ours:.0f}x" if row.naive is not None else "-"
        agree = "-"
        if row.paragraphs:
            agree = (f"{100 * row.same_status / row.paragraphs:.1f}% / "
                     f"{100 * row.same_match / row.paragraphs:.1f}% of {row.paragraphs}")
        print(f"{row.size:>8} {row.distinct:>10} {row.ours:>7.2f} {growth:>8} {store:>7} "
              f"{skeleton:>9} {naive:>9} {vs_skel:>8} {vs_naive:>9}  {agree}")
        previous = row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--company", default="brackenridge",
                        help="corpus company whose releases are mutated (default brackenridge)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--candidates", type=int, default=DEFAULT_OPTIONS.candidates,
                        help="near candidates verified per paragraph (compare.candidates)")
    parser.add_argument("--queries", type=int, default=30,
                        help="comparisons timed per history size (index path)")
    parser.add_argument("--slow-budget", type=int, default=20_000,
                        help="the skeleton and the naive baseline run max(6, this/size) of the "
                             "comparisons (at most --queries)")
    parser.add_argument("--max-size", type=int, default=10_000)
    parser.add_argument("--naive-max", type=int, default=10_000,
                        help="largest history the naive baseline runs against")
    parser.add_argument("--quick", action="store_true", help="histories up to 1,000 only")
    parser.add_argument("--no-skeleton", dest="skeleton", action="store_false")
    parser.add_argument("--no-store", dest="store", action="store_false")
    parser.add_argument("--store-url", help="the store to measure (default: a new SQLite file); "
                                            "an empty PostgreSQL database works too")
    args = parser.parse_args()
    if args.quick:
        args.max_size = min(args.max_size, 1000)
    print(f"compare benchmark: company {args.company}, seed {args.seed}, "
          f"{args.queries} comparisons per size (fewer for the slow paths), medians")
    rows = run(args)
    print_table(rows)


if __name__ == "__main__":
    main()
