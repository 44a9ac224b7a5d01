"""BM25 over a whole library, from per-article postings that are built once and kept.

A :class:`Segment` holds the postings (term → sentences, term frequency) and
sentence lengths of some articles; it is built from their sentences once,
saved, and reused by every later process (:mod:`assistant.retrieval.library`).
A :class:`LibraryBM25` is a list of segments seen as one scope: corpus
statistics (sentence count, mean length, document frequencies) are summed at
query time, so adding an article adds a small segment instead of rebuilding
the index, and the scores are those of one BM25 over all the sentences.

The scores are bm25s' (Lucene variant, k1 = 1.5, b = 0.75, an empty sentence
counted as one token), computed in float64 instead of bm25s' float32, and
:meth:`LibraryBM25.coverage` is :class:`~assistant.retrieval.bm25.BM25Index`'s.
The library's scope positions are the segments' sentences in segment order;
:class:`LibraryBM25` also maps positions to (article, sentence) and back.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.analysis.text import terms
from assistant.retrieval.base import Candidates
from index.models import Article

K1 = 1.5
B = 0.75
#: Bump when the saved layout changes.
FORMAT = 2


@dataclass(frozen=True, slots=True)
class Segment:
    """Postings of some articles' sentences, by term (CSR), with sentence lengths."""

    article_ids: tuple[str, ...]
    #: Sentence offsets of the articles within the segment, ``len(article_ids) + 1`` of them.
    offsets: np.ndarray
    #: Sentence IDs of articles whose IDs are not ``s1 … sN`` (none from this package's splitter).
    irregular: Mapping[str, tuple[str, ...]]
    lengths: np.ndarray
    vocab: Mapping[str, int]
    indptr: np.ndarray
    docs: np.ndarray
    tf: np.ndarray

    @property
    def size(self) -> int:
        return len(self.lengths)

    @property
    def key(self) -> str:
        """Names the segment by its articles (their IDs are content hashes)."""
        return hashlib.sha256("\n".join(sorted(self.article_ids)).encode()).hexdigest()[:20]

    def df(self, term: str) -> int:
        row = self.vocab.get(term)
        return 0 if row is None else int(self.indptr[row + 1] - self.indptr[row])

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        row = self.vocab.get(term)
        if row is None:
            return None
        a, b = int(self.indptr[row]), int(self.indptr[row + 1])
        return self.docs[a:b], self.tf[a:b]

    # -- building -------------------------------------------------------------

    @classmethod
    def build(cls, articles: Sequence[Article]) -> Segment:
        """Tokenise the articles' sentences (the slow part: about 40 µs a sentence)."""
        rows: dict[str, list[tuple[int, int]]] = {}
        lengths: list[int] = []
        offsets = [0]
        irregular: dict[str, tuple[str, ...]] = {}
        for article in articles:
            ids = tuple(s.id for s in article.sentences)
            if ids != tuple(f"s{i}" for i in range(1, len(ids) + 1)):
                irregular[article.id] = ids
            for s in article.sentences:
                tokens = terms(s.text)
                doc = len(lengths)
                lengths.append(len(tokens) or 1)  # bm25s indexes an empty sentence as [""]
                for term, count in Counter(tokens).items():
                    rows.setdefault(term, []).append((doc, count))
            offsets.append(len(lengths))
        vocab_terms = sorted(rows)
        indptr = np.zeros(len(vocab_terms) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(rows[t]) for t in vocab_terms])
        flat = [p for t in vocab_terms for p in rows[t]]
        docs = np.array([d for d, _ in flat], dtype=np.int32)
        tf = np.array([c for _, c in flat], dtype=np.float32)
        return cls(
            tuple(a.id for a in articles),
            np.array(offsets, dtype=np.int64),
            irregular,
            np.array(lengths, dtype=np.float32),
            {t: i for i, t in enumerate(vocab_terms)},
            indptr,
            docs,
            tf,
        )

    @classmethod
    def merge(cls, segments: Sequence[Segment]) -> Segment:
        """One segment holding all of these (in order), without re-tokenising."""
        if len(segments) == 1:
            return segments[0]
        vocab_terms = sorted({t for s in segments for t in s.vocab})
        vocab = {t: i for i, t in enumerate(vocab_terms)}
        term_parts, doc_parts, tf_parts, offset_parts = [], [], [], [np.zeros(1, dtype=np.int64)]
        base = 0
        for s in segments:
            local_to_global = np.array([vocab[t] for t in s.vocab], dtype=np.int64)
            counts = np.diff(s.indptr)
            term_parts.append(np.repeat(local_to_global, counts))
            doc_parts.append(s.docs.astype(np.int64) + base)
            tf_parts.append(s.tf)
            offset_parts.append(s.offsets[1:] + base)
            base += s.size
        term_of = np.concatenate(term_parts)
        order = np.argsort(term_of, kind="stable")  # keeps each term's sentences in order
        indptr = np.zeros(len(vocab_terms) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum(np.bincount(term_of, minlength=len(vocab_terms)))
        return cls(
            tuple(i for s in segments for i in s.article_ids),
            np.concatenate(offset_parts),
            {k: v for s in segments for k, v in s.irregular.items()},
            np.concatenate([s.lengths for s in segments]),
            vocab,
            indptr,
            np.concatenate(doc_parts)[order].astype(np.int32),
            np.concatenate(tf_parts)[order],
        )

    def without(self, article_ids: Iterable[str]) -> Segment:
        """This segment less some articles (removed from the library)."""
        drop = set(article_ids)
        keep = [i for i, a in enumerate(self.article_ids) if a not in drop]
        if len(keep) == len(self.article_ids):
            return self
        kept_doc = np.zeros(self.size, dtype=bool)
        new_offsets = [0]
        for i in keep:
            kept_doc[self.offsets[i] : self.offsets[i + 1]] = True
            new_offsets.append(new_offsets[-1] + int(self.offsets[i + 1] - self.offsets[i]))
        renumber = np.cumsum(kept_doc) - 1
        mask = kept_doc[self.docs]
        term_of = np.repeat(np.arange(len(self.vocab)), np.diff(self.indptr))[mask]
        counts = np.bincount(term_of, minlength=len(self.vocab))
        live = np.flatnonzero(counts)
        remap = np.full(len(self.vocab), -1, dtype=np.int64)
        remap[live] = np.arange(len(live))
        names = list(self.vocab)
        indptr = np.zeros(len(live) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum(counts[live])
        ids = tuple(self.article_ids[i] for i in keep)
        return Segment(
            ids,
            np.array(new_offsets, dtype=np.int64),
            {a: v for a, v in self.irregular.items() if a in set(ids)},
            self.lengths[kept_doc],
            {names[t]: int(remap[t]) for t in live},
            indptr,
            renumber[self.docs[mask]].astype(np.int32),
            self.tf[mask],
        )

    # -- saving ---------------------------------------------------------------

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        header = {"format": FORMAT, "articles": list(self.article_ids), "irregular": self.irregular}
        np.savez(
            buffer,
            header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
            vocab=np.frombuffer("\n".join(self.vocab).encode(), dtype=np.uint8),
            offsets=self.offsets,
            lengths=self.lengths,
            indptr=self.indptr,
            docs=self.docs,
            tf=self.tf,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, origin: str = "a segment") -> Segment:
        """The segment :meth:`to_bytes` gave; ValueError (naming ``origin``) if not one."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as saved:
                header = json.loads(bytes(saved["header"]).decode())
                if header.get("format") != FORMAT:
                    raise ValueError(f"{origin} has format {header.get('format')}, not {FORMAT}")
                text = bytes(saved["vocab"]).decode()
                names = text.split("\n") if text else []
                indptr = saved["indptr"]
                offsets = saved["offsets"]
                if len(indptr) != len(names) + 1 or len(offsets) != len(header["articles"]) + 1:
                    raise ValueError(f"{origin} is damaged")
                return cls(
                    tuple(header["articles"]),
                    offsets,
                    {k: tuple(v) for k, v in header["irregular"].items()},
                    saved["lengths"],
                    {t: i for i, t in enumerate(names)},
                    indptr,
                    saved["docs"],
                    saved["tf"],
                )
        except (OSError, KeyError, TypeError, AttributeError, zipfile.BadZipFile) as e:
            raise ValueError(f"{origin} is not a saved segment: {e}") from e


def _zeros(taken: np.ndarray, n: int, size: int) -> Candidates:
    """``n`` positions below ``size`` not in ``taken``, scored 0: the first ones."""
    positions = np.arange(min(size, n + len(taken)), dtype=np.int64)
    free = positions[~np.isin(positions, taken)][:n]
    return Candidates(free, np.zeros(len(free)))


class LibraryBM25:
    """A :class:`~assistant.retrieval.base.LexicalIndex` over segments, and the scope's layout."""

    def __init__(self, segments: Sequence[Segment]) -> None:
        self.segments = tuple(segments)
        self._bases = np.cumsum([0] + [s.size for s in self.segments]).astype(np.int64)
        self.size = int(self._bases[-1])
        self._total_length = float(sum(float(s.lengths.sum()) for s in self.segments))
        #: article ID → (segment index, article index within it)
        self._where: dict[str, tuple[int, int]] = {
            a: (k, i) for k, s in enumerate(self.segments) for i, a in enumerate(s.article_ids)
        }
        #: Every article's first scope position, in scope order, and its ID.
        self._starts = np.concatenate(
            [s.offsets[:-1] + base for s, base in zip(self.segments, self._bases, strict=False)]
            or [np.zeros(0, dtype=np.int64)]
        )
        self._ids = [a for s in self.segments for a in s.article_ids]

    def extended(self, segments: Sequence[Segment]) -> LibraryBM25:
        """A new index with ``segments`` appended (this one is unchanged)."""
        return LibraryBM25([*self.segments, *segments])

    @property
    def article_ids(self) -> list[str]:
        return list(self._ids)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._where

    # -- scoring --------------------------------------------------------------

    def _df(self, term: str) -> int:
        return sum(s.df(term) for s in self.segments)

    def _idf(self, df: int) -> float:
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def search(self, query_terms: Sequence[str], n: int) -> Candidates:
        if not query_terms or not self.size:
            return Candidates(np.zeros(0, dtype=np.int64), np.zeros(0))
        mean_length = self._total_length / self.size
        positions: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for term, repeats in Counter(query_terms).items():
            df = self._df(term)
            if df == 0:
                continue
            idf = self._idf(df) * repeats
            for segment, base in zip(self.segments, self._bases, strict=False):
                found = segment.postings(term)
                if found is None:
                    continue
                docs, tf = found
                tf64 = tf.astype(np.float64)
                norm = K1 * (1 - B + B * segment.lengths[docs].astype(np.float64) / mean_length)
                positions.append(docs.astype(np.int64) + base)
                values.append(idf * tf64 / (tf64 + norm))
        if n >= self.size:  # every position, as bm25s' full score array gives
            flat = np.concatenate(positions) if positions else np.zeros(0, dtype=np.int64)
            weights = np.concatenate(values) if values else np.zeros(0)
            return Candidates.top(np.bincount(flat, weights=weights, minlength=self.size), n)
        if not positions:
            return _zeros(np.zeros(0, dtype=np.int64), n, self.size)
        unique, inverse = np.unique(np.concatenate(positions), return_inverse=True)
        scores = np.bincount(inverse, weights=np.concatenate(values))
        if len(unique) < n:  # fewer matches than asked: zero-scored sentences fill up, as in bm25s
            filler = _zeros(unique, n - len(unique), self.size)
            return Candidates(
                np.concatenate([unique, filler.positions]), np.concatenate([scores, filler.scores])
            )
        best = Candidates.top(scores, n)
        return Candidates(unique[best.positions], best.scores)

    def coverage(self, query_terms: Sequence[str], position: int) -> float:
        """IDF-weighted share of the query's terms the sentence holds, as :class:`BM25Index` gives."""
        unique = set(query_terms)
        if not unique:
            return 0.0
        k = int(np.searchsorted(self._bases, position, side="right") - 1)
        segment, local = self.segments[k], position - int(self._bases[k])
        total = found = 0.0
        for term in unique:
            df = self._df(term)
            weight = self._idf(df) if df else math.log(1 + (self.size + 0.5) / 0.5)
            total += weight
            hit = segment.postings(term)
            if hit is not None:
                i = int(np.searchsorted(hit[0], local))
                if i < len(hit[0]) and int(hit[0][i]) == local:
                    found += weight
        return found / total

    # -- layout ---------------------------------------------------------------

    def ref(self, position: int) -> tuple[str, str]:
        """(article ID, sentence ID) at a scope position."""
        k = int(np.searchsorted(self._bases, position, side="right") - 1)
        segment, local = self.segments[k], position - int(self._bases[k])
        i = int(np.searchsorted(segment.offsets, local, side="right") - 1)
        article_id = segment.article_ids[i]
        index = local - int(segment.offsets[i])
        ids = segment.irregular.get(article_id)
        return article_id, (ids[index] if ids else f"s{index + 1}")

    def groups(self, positions: np.ndarray) -> list[str]:
        """The article ID of each position."""
        index = np.searchsorted(self._starts, np.asarray(positions, dtype=np.int64), side="right") - 1
        return [self._ids[i] for i in index.tolist()]

    def sentence_ids(self, article_id: str) -> tuple[str, ...] | None:
        """An article's sentence IDs in order; None when the article is not in this scope."""
        where = self._where.get(article_id)
        if where is None:
            return None
        k, i = where
        segment = self.segments[k]
        ids = segment.irregular.get(article_id)
        count = int(segment.offsets[i + 1] - segment.offsets[i])
        return ids if ids is not None else tuple(f"s{n}" for n in range(1, count + 1))

    def span(self, article_id: str) -> tuple[int, int] | None:
        """(first scope position, sentence count) of an article; None when it is not in this scope."""
        where = self._where.get(article_id)
        if where is None:
            return None
        k, i = where
        offsets = self.segments[k].offsets
        return int(self._bases[k]) + int(offsets[i]), int(offsets[i + 1] - offsets[i])

    def position(self, article_id: str, sentence_id: str) -> int | None:
        """Scope position of a sentence; None when the article is not in this scope."""
        where = self._where.get(article_id)
        if where is None:
            return None
        k, i = where
        segment = self.segments[k]
        first, end = int(segment.offsets[i]), int(segment.offsets[i + 1])
        ids = segment.irregular.get(article_id)
        if ids is not None:
            index = ids.index(sentence_id) if sentence_id in ids else -1
        else:
            index = int(sentence_id[1:]) - 1 if sentence_id[1:].isdigit() else -1
        if not 0 <= index < end - first:
            return None
        return int(self._bases[k]) + first + index
