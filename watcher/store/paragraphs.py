"""The paragraph index of compare, kept in SQL: the same layout and answers as
``watcher.compare.MemoryIndex``, inside the unit of work of a filing.

Tables (see the migration of issue 5): ``paragraph_index`` (per company: the signature of the
options its fingerprints were made with, and its latest indexed release), ``paragraphs``
(each distinct paragraph of a company once, with its tokens, how often it recurred and where
it was last seen), ``paragraph_bands`` (MinHash band buckets, one row each holding the ids of
the ``BUCKET_SIZE`` latest paragraphs of the bucket) and ``release_paragraphs`` (which
paragraphs each release had, in order); ``releases.paragraphs_indexed`` says which releases
are in the index.

Every lookup reads through an index led by the looked-up value (band, key hash, paragraph id)
and a bounded number of rows, so its cost does not grow with the company's history, and no
query plan can fall back to reading all of a company's rows (which PostgreSQL would do through
a company-led index whenever its statistics under-estimate a company).

Indexing is lazy and needs no call from the pipeline: opening the index of a company indexes
its stored releases not indexed yet (except the filing being processed), oldest first. The
same mechanism fills the index of a store created before the index existed, and rebuilds a
company's index when the options it depends on (ignore patterns, ...) change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from watcher.compare import (
    CompareOptions,
    HistoryHits,
    IndexedParagraph,
    ParagraphPrint,
    PreviousRelease,
    ReleasePrint,
    band_hashes,
    fingerprint_release,
    pack_bucket,
    push_bucket,
    top_candidates,
    unpack_bucket,
)
from watcher.store import codec

logger = logging.getLogger(__name__)

Execute = Callable[[str, Sequence[Any]], Any]
ExecuteMany = Callable[[str, Sequence[Sequence[Any]]], None]

_CHUNK = 500  # bound parameters per IN (...) list, well under every database's limit
_REINDEX_BATCH = 100  # release bodies loaded at once when (re)indexing a long history
_COLUMNS = ("id", "section", "key_hash", "text", "tokens", "occurrences", "last_accession",
            "last_filed", "last_release_id")
_SELECT = "SELECT " + ", ".join(_COLUMNS) + " FROM paragraphs"
_SELECT_P = "SELECT " + ", ".join("p." + c for c in _COLUMNS) + " FROM paragraphs p"


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _row(row: Sequence[Any]) -> IndexedParagraph:
    return IndexedParagraph(
        paragraph_id=int(row[0]), section=row[1], key=row[2], text=row[3],
        tokens=tuple(row[4].split()), occurrences=int(row[5]), last_accession=row[6],
        last_filed=date.fromisoformat(row[7]) if row[7] else None, last_seen=int(row[8]))


def _later(release: tuple[int, str | None], than: tuple[int, str, str | None]) -> bool:
    """Whether (id, filed) comes after ``than`` in filing order (unknown dates first)."""
    return (release[1] is not None, release[1] or "", release[0]) > \
        (than[2] is not None, than[2] or "", than[0])


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _chunks(values: Sequence[Any]) -> list[Sequence[Any]]:
    return [values[i:i + _CHUNK] for i in range(0, len(values), _CHUNK)]


class SqlParagraphIndex:
    """One company's paragraph index as of one filing (a ``HistoryIndex``): only paragraphs
    first seen in releases filed on or before ``before``, and releases other than
    ``exclude_accession``, count."""

    def __init__(self, x: Execute, many: ExecuteMany, cik: int, options: CompareOptions, *,
                 before: date | None, exclude_accession: str) -> None:
        self._x = x
        self._many = many
        self.cik = cik
        self.options = options
        self.before = before
        self.exclude_accession = exclude_accession
        self._latest: tuple[int, str, str | None] | None = None  # id, accession, filed
        self.indexed = self._bring_up_to_date()

    # -- maintenance ------------------------------------------------------------------
    def _bring_up_to_date(self) -> int:
        """Index the company's stored releases that are not indexed yet; returns how many."""
        cik = self.cik
        signature = self.options.index_signature
        row = self._x("SELECT signature, latest_release_id, latest_accession, latest_filed "
                      "FROM paragraph_index WHERE cik = ?", (cik,)).fetchone()
        if row is None:
            self._x("INSERT INTO paragraph_index (cik, signature) VALUES (?, ?)",
                    (cik, signature))
        elif row[0] != signature:
            logger.info("compare options changed: rebuilding the paragraph index of CIK %d",
                        cik, extra={"cik": cik})
            self._forget_company()
            self._x("UPDATE paragraph_index SET signature = ?, latest_release_id = NULL, "
                    "latest_accession = NULL, latest_filed = NULL WHERE cik = ?",
                    (signature, cik))
        elif row[1] is not None:
            self._latest = (int(row[1]), row[2], row[3])
        latest = self._latest
        # oldest first (unknown dates first), sorted here: the database reads only the
        # unindexed rows, through their partial index
        pending = [int(r[0]) for r in sorted(self._x(
            "SELECT id, filed FROM releases WHERE cik = ? AND paragraphs_indexed = 0 "
            "AND accession <> ?", (cik, self.exclude_accession)).fetchall(),
            key=lambda r: (r[1] is not None, r[1] or "", int(r[0])))]
        if len(pending) > _REINDEX_BATCH:
            logger.info("indexing %d stored releases of CIK %d for compare", len(pending), cik,
                        extra={"cik": cik})
        for offset in range(0, len(pending), _REINDEX_BATCH):
            batch = pending[offset:offset + _REINDEX_BATCH]
            rows = {int(r[0]): r for r in self._x(
                f"SELECT id, accession, filed, body FROM releases WHERE id IN "
                f"({_marks(len(batch))})", batch).fetchall()}
            for release_id in batch:
                _, accession, filed, body = rows[release_id]
                release = codec.release_from_json(body)
                self._index_release(release_id, accession,
                                    date.fromisoformat(filed) if filed else None,
                                    fingerprint_release(release.paragraphs, self.options))
                if self._latest is None or _later((release_id, filed), self._latest):
                    self._latest = (release_id, accession, filed)
        if self._latest != latest and self._latest is not None:
            self._x("UPDATE paragraph_index SET latest_release_id = ?, latest_accession = ?, "
                    "latest_filed = ? WHERE cik = ?", (*self._latest, cik))
        return len(pending)

    def _forget_company(self) -> None:
        """Drop the company's index, reaching its rows through its releases (no table of the
        index is keyed by company first). Band buckets are found again from the stored
        tokens; an id left in a bucket by a change of the band layout itself points to
        nothing and is skipped, then pushed out."""
        cik = self.cik
        rows = self._x(
            "SELECT DISTINCT p.id, p.tokens FROM releases r "
            "JOIN release_paragraphs m ON m.release_id = r.id "
            "JOIN paragraphs p ON p.id = m.paragraph_id WHERE r.cik = ?", (cik,)).fetchall()
        bands = sorted({b for _, tokens in rows for b in band_hashes(tokens.split())})
        for part in _chunks(bands):
            self._x(f"DELETE FROM paragraph_bands WHERE band IN ({_marks(len(part))}) "
                    "AND cik = ?", (*part, cik))
        self._x("DELETE FROM release_paragraphs WHERE release_id IN "
                "(SELECT id FROM releases WHERE cik = ?)", (cik,))
        for part in _chunks([int(r[0]) for r in rows]):
            self._x(f"DELETE FROM paragraphs WHERE id IN ({_marks(len(part))})", part)
        self._x("UPDATE releases SET paragraphs_indexed = 0 WHERE cik = ?", (cik,))

    def _ids(self, keys: Sequence[str]) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = {}
        for part in _chunks(keys):
            for ident, section, key in self._x(
                    f"SELECT id, section, key_hash FROM paragraphs WHERE key_hash IN "
                    f"({_marks(len(part))}) AND cik = ?", (*part, self.cik)).fetchall():
                out[(section, key)] = int(ident)
        return out

    def _index_release(self, release_id: int, accession: str, filed: date | None,
                       release: ReleasePrint) -> None:
        cik = self.cik
        day = _day(filed)
        keys = sorted({p.key for p in release.paragraphs})
        existing = self._ids(keys)
        new: dict[tuple[str, str], ParagraphPrint] = {}
        for p in release.paragraphs:
            if (p.section, p.key) not in existing:
                new.setdefault((p.section, p.key), p)
        if new:
            self._many(
                "INSERT INTO paragraphs (cik, section, key_hash, text, tokens, occurrences, "
                "first_filed, last_release_id, last_accession, last_filed) "
                "VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
                [(cik, p.section, p.key, p.text, " ".join(p.tokens), day, release_id,
                  accession, day) for p in new.values()])
        if existing:
            # first_filed: the earliest filing date it was seen in (NULL: date unknown, so
            # visible to every filing)
            first = ("first_filed = NULL" if day is None else
                     "first_filed = CASE WHEN first_filed IS NULL OR first_filed <= ? "
                     "THEN first_filed ELSE ? END")
            self._many(
                f"UPDATE paragraphs SET occurrences = occurrences + 1, {first}, "
                "last_release_id = ?, last_accession = ?, last_filed = ? WHERE id = ?",
                [(*(() if day is None else (day, day)), release_id, accession, day, ident)
                 for ident in sorted(set(existing.values()))])
        ids = {**existing, **(self._ids(sorted({k for _, k in new})) if new else {})}
        if new:
            # ids are given in insertion order, as MemoryIndex numbers paragraphs
            fresh = sorted(((ids[ident], p) for ident, p in new.items()), key=lambda t: t[0])
            wanted: dict[int, list[int]] = {}
            for ident, p in fresh:
                for band in p.bands:
                    wanted.setdefault(band, []).append(ident)
            buckets = self._buckets(sorted(wanted))
            for band, idents in wanted.items():
                bucket = buckets.setdefault(band, [])
                for ident in idents:
                    push_bucket(bucket, ident)
            self._many(
                "INSERT INTO paragraph_bands (band, cik, ids) VALUES (?, ?, ?) "
                "ON CONFLICT (band, cik) DO UPDATE SET ids = excluded.ids",
                [(band, cik, pack_bucket(buckets[band])) for band in sorted(wanted)])
        self._many("INSERT INTO release_paragraphs (release_id, ordinal, paragraph_id) "
                   "VALUES (?, ?, ?)",
                   [(release_id, p.position, ids[(p.section, p.key)])
                    for p in release.paragraphs])
        self._x("UPDATE releases SET paragraphs_indexed = 1 WHERE id = ?", (release_id,))

    # -- lookup -----------------------------------------------------------------------
    def _visible(self) -> tuple[str, tuple[Any, ...]]:
        if self.before is None:
            return "", ()
        return " AND (first_filed IS NULL OR first_filed <= ?)", (self.before.isoformat(),)

    def _paragraphs(self, column: str, values: Sequence[Any]) -> list[IndexedParagraph]:
        where, extra = self._visible()
        out: list[IndexedParagraph] = []
        for part in _chunks(values):
            out.extend(_row(r) for r in self._x(
                f"{_SELECT} WHERE {column} IN ({_marks(len(part))}) AND cik = ?{where}",
                (*part, self.cik, *extra)).fetchall())
        return out

    def _buckets(self, bands: Sequence[int]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for part in _chunks(bands):
            for band, ids in self._x(
                    f"SELECT band, ids FROM paragraph_bands WHERE band IN "
                    f"({_marks(len(part))}) AND cik = ?", (*part, self.cik)).fetchall():
                out[int(band)] = unpack_bucket(bytes(ids))
        return out

    def _previous(self) -> PreviousRelease | None:
        """The latest indexed release filed on or before ``before`` (releases of unknown date
        count as the oldest): the company's latest indexed release, kept in
        ``paragraph_index``, unless this filing is older (a backfill); then the releases are
        searched, walking the (cik, filed, id) index backwards."""
        latest = self._latest
        if latest is not None and latest[1] != self.exclude_accession and (
                self.before is None or latest[2] is None
                or latest[2] <= self.before.isoformat()):
            return self._release_paragraphs(*latest)
        base = ("SELECT id, accession, filed FROM releases WHERE cik = ? AND accession <> ? "
                "AND paragraphs_indexed = 1 AND ")
        params: tuple[Any, ...] = (self.cik, self.exclude_accession)
        if self.before is None:
            row = self._x(base + "filed IS NOT NULL ORDER BY filed DESC, id DESC LIMIT 1",
                          params).fetchone()
        else:
            row = self._x(base + "filed <= ? ORDER BY filed DESC, id DESC LIMIT 1",
                          (*params, self.before.isoformat())).fetchone()
        if row is None:
            row = self._x(base + "filed IS NULL ORDER BY id DESC LIMIT 1", params).fetchone()
        if row is None:
            return None
        return self._release_paragraphs(int(row[0]), row[1], row[2])

    def _release_paragraphs(self, release_id: int, accession: str,
                            filed: str | None) -> PreviousRelease:
        rows = self._x(
            f"{_SELECT_P} JOIN release_paragraphs r ON p.id = r.paragraph_id "
            "WHERE r.release_id = ? ORDER BY r.ordinal", (release_id,)).fetchall()
        return PreviousRelease(accession, date.fromisoformat(filed) if filed else None,
                               tuple(_row(r) for r in rows))

    def lookup(self, query: ReleasePrint) -> HistoryHits:
        exact: dict[str, list[IndexedParagraph]] = {}
        for p in self._paragraphs("key_hash", sorted({q.key for q in query.paragraphs})):
            exact.setdefault(p.key, []).append(p)
        for found in exact.values():
            found.sort(key=lambda p: p.paragraph_id)
        wanted = {q.key: q.bands for q in query.paragraphs if q.key not in exact}
        buckets = self._buckets(sorted({b for bands in wanted.values() for b in bands}))
        picks = {key: top_candidates((buckets.get(b, ()) for b in bands),
                                     self.options.candidates)
                 for key, bands in wanted.items()}
        rows = {p.paragraph_id: p for p in self._paragraphs(
            "id", sorted({i for ids in picks.values() for i in ids}))}
        near = tuple(tuple(rows[i] for i in picks.get(q.key, ()) if i in rows)
                     for q in query.paragraphs)
        return HistoryHits(query, {k: tuple(v) for k, v in exact.items()}, near,
                           self._previous())
