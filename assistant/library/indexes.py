"""The search indexes of a scope: one article, a few, or the whole library.

An article scope's index is built from its sentences and its stored passage
vectors and kept by the IDs it covers (content hashes: never stale). The
library-wide index is the saved BM25 segments, extended by what this process
added since, with the store's own vector index for the dense side.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from assistant import registry
from assistant.components import Components
from assistant.library.articles import LazyArticles
from assistant.library.caches import Caches, Vectors
from assistant.library.segments import BUILD_CHUNK
from assistant.library.snapshot import Library, Scope
from assistant.retrieval.hybrid import HybridIndex, passage_members, sentence_tokens
from assistant.retrieval.library import LibraryIndex
from assistant.retrieval.postings import LibraryBM25, Segment
from assistant.types import Hit
from index.models import Article

if TYPE_CHECKING:
    import numpy as np

    from assistant.library.library_matrix import LibraryMatrix
    from assistant.library.segments import PostingsCache
    from assistant.library.snapshot import LibraryState
    from assistant.library.vectors import VectorCache


class ScopeIndex:
    """A scope's index; after a search, the hits' articles are read in one call (library scope)."""

    def __init__(self, index: HybridIndex, articles: Mapping[str, Article]) -> None:
        self._index = index
        self._articles = articles

    def search(self, query: str, query_vector: np.ndarray, k: int) -> list[Hit]:
        """The ``k`` best sentences for ``query``, best first."""
        hits = self._index.search(query, query_vector, k)
        if isinstance(self._articles, LazyArticles):
            found = self._articles.preload(h.article_id for h in hits)
            # An article removed by another process since this snapshot: its hits go, not the question.
            hits = [h for h in hits if h.article_id in found]
        return hits


class Indexes:
    """Builds, keeps and extends the indexes that questions search, and the files they are made from."""

    def __init__(self, components: Components, caches: Caches, state: LibraryState) -> None:
        self._components = components
        self._caches = caches
        self._state = state
        self._library_index: tuple[Library, LibraryIndex] | None = None
        self._new_segments: list[Segment] = []  # BM25 of recent adds, for the library index
        self._matrix: LibraryMatrix | None = None
        self._lock = threading.Lock()

    def for_scope(self, scope: Scope) -> ScopeIndex:
        """The index that a question about ``scope`` searches."""
        if scope.library is not None:
            return ScopeIndex(self._whole_library(scope.library), scope.articles)
        return ScopeIndex(self._articles_index([scope.articles[i] for i in scope.key]), scope.articles)

    def article_vectors(self, article: Article) -> Vectors:
        """An article's passages (their sentence IDs) and vectors: kept in memory, else in the
        vector files, else read from the store (and saved to a file for next time)."""
        found = self._caches.vectors.get(article.id)
        if found is not None:
            return found
        from index.passages import make_passages

        window = self._components.settings.index.passage_window
        order = [p.sentence_ids for p in make_passages(article, window)]
        matrix = self._vector_files().load(article.id, len(order))
        if matrix is not None:
            found = (order, matrix)
        else:
            # By passage ID (one per sentence), not by a metadata filter: 2-6 ms instead of 35-66 ms
            # at 290,000 passages; but it makes an embedded Chroma load its whole HNSW index.
            sentence_ids = [s.id for s in article.sentences]
            groups, stored = self._components.store.article_vectors(article.id, sentence_ids)
            found = (groups, stored)
            row = {g: i for i, g in enumerate(groups)}
            if set(row) == set(order):  # saved in passage order, as an add saves them
                self.keep_vectors(article, stored[[row[g] for g in order]])
        self._caches.vectors.put(article.id, found)
        return found

    def keep_vectors(self, article: Article, vectors: np.ndarray) -> None:
        """Save an article's passage vectors (in passage order) as a file of the read path's cache,
        and keep them in memory: the next library-wide question extends its matrix with them."""
        from index.passages import make_passages

        self._vector_files().save(article.id, vectors)
        window = self._components.settings.index.passage_window
        groups = [p.sentence_ids for p in make_passages(article, window)]
        self._caches.vectors.put(article.id, (groups, vectors))

    def library_vectors(self, lexical: LibraryBM25, article_ids: Sequence[str]) -> dict[str, Vectors]:
        """The passage vectors of ``article_ids`` (articles of ``lexical``) for the library's exact
        dense side: kept in memory, else in the vector files, else read from the store (and saved).

        Never a read of the whole library from Chroma after an add: that read (by a metadata
        filter) made the first question after each add wait 0.4-0.5 s at 300 articles.
        """
        window = self._components.settings.index.passage_window
        files = self._vector_files()
        found: dict[str, Vectors] = {}
        missing: list[str] = []
        for article_id in article_ids:
            kept = self._caches.vectors.get(article_id)
            # With one sentence per passage the order is the BM25 segment's; wider windows need the
            # article's paragraphs, so their files are read through article_vectors on a miss only.
            order = _sentence_passages(lexical, article_id) if kept is None and window == 1 else None
            if order is not None and (matrix := files.load(article_id, len(order))) is not None:
                kept = (order, matrix)
            if kept is None:
                missing.append(article_id)
            else:
                found[article_id] = kept
        if missing:
            stored = self._components.store.articles_vectors(missing)
            for article_id, (groups, matrix) in stored.items():
                order = _sentence_passages(lexical, article_id) if window == 1 else None
                row = {g: i for i, g in enumerate(groups)}
                if order is not None and set(row) == set(order):
                    files.save(article_id, matrix[[row[g] for g in order]])
            found |= stored
        return found

    def drop_vectors(self, article_id: str) -> None:
        """Delete a removed article's vector file."""
        self._vector_files().drop(article_id)

    def matrix(self) -> LibraryMatrix:
        """The library's matrix file (library-wide dense search at scale, ``library_dense = "mapped"``)."""
        if self._matrix is None:
            from assistant.library.library_matrix import LibraryMatrix
            from assistant.library.matrix import matrix_path

            s = self._components.settings
            store = self._components.store
            fingerprint = store.fingerprint
            key = self._components.store_key()
            path = matrix_path(s.cache_dir, key, fingerprint.embedder, s.index.passage_window)
            self._matrix = LibraryMatrix(path, fingerprint.dimension, s.retrieval, self.library_vectors)
        return self._matrix

    def refresh_matrix(self) -> None:
        """After a bulk add: leave a current matrix file for the next process (when the library is
        large enough to search through it), so that its first question does not wait for it."""
        s = self._components.settings
        if s.retrieval.library_dense != "mapped" or s.index.passage_window != 1:
            return
        library = self._state.current()
        if sum(a.n_sentences for a in library.summaries.values()) >= s.retrieval.ann_min_passages:
            self._whole_library(library)
            self.matrix().wait()

    def save_postings(self, articles: Sequence[Article]) -> None:
        """Tokenise new articles for library-wide BM25 once, at add time, and keep the segment."""
        chunks = [Segment.build(articles[i : i + BUILD_CHUNK]) for i in range(0, len(articles), BUILD_CHUNK)]
        segment = Segment.merge(chunks)
        self._postings().save(segment)
        with self._lock:
            self._new_segments.append(segment)
            del self._new_segments[: -self._components.settings.retrieval.cached_scopes]

    def _whole_library(self, library: Library) -> HybridIndex:
        """The library-wide index: saved BM25 segments, extended by what was added since the last one."""
        from assistant.retrieval.library import library_index

        built = self._library_index
        if built is not None and built[0] is library:
            return built[1].index
        s = self._components.settings
        store = self._components.store
        ids = list(library.summaries)
        cache = self._postings()
        previous = built[1] if built is not None else None
        if previous is not None and set(previous.lexical.article_ids) <= library.summaries.keys():
            added = [i for i in ids if i not in previous.lexical]
            new = [g for g in self._new_segments if set(g.article_ids) <= set(added)]
            missing = set(added).difference(*(g.article_ids for g in new))
            new = [g.without(set(g.article_ids) - set(added)) for g in new]
            if missing:
                new.append(Segment.build([library.articles[i] for i in added if i in missing]))
                cache.save(new[-1])
            lexical = previous.lexical.extended(new)
        else:
            previous = None
            lexical = LibraryBM25(cache.segments(ids, self._state.fetch))
        found = library_index(
            lexical, store, s.retrieval, lambda i: self.library_vectors(lexical, i), s.index.passage_window,
            previous, self.matrix().index,
        )
        with self._lock:
            self._library_index = (library, found)
        return found.index

    def _articles_index(self, articles: Sequence[Article]) -> HybridIndex:
        # Article IDs are content hashes, so an index built for these IDs never goes stale.
        key = " ".join(a.id for a in articles)
        found = self._caches.scopes.get(key)
        if found is not None:
            return found
        import numpy as np

        stored = [self.article_vectors(a) for a in articles]
        s = self._components.settings
        size = sum(len(a.sentences) for a in articles)
        index = HybridIndex(
            articles,
            registry.lexical_factory(s)(sentence_tokens(articles)),
            registry.dense_factory(s)(
                np.vstack([v for _, v in stored]), passage_members(articles, [p for p, _ in stored]), size
            ),
            s.retrieval,
        )
        self._caches.scopes.put(key, index)
        return index

    def _postings(self) -> PostingsCache:
        from assistant.library.segments import PostingsCache, cache_folder

        return PostingsCache(cache_folder(self._components.settings.cache_dir, self._components.store_key()))

    def _vector_files(self) -> VectorCache:
        from assistant.library.vectors import VectorCache, vectors_folder

        s = self._components.settings
        name = self._components.store.fingerprint.embedder
        folder = vectors_folder(s.cache_dir, self._components.store_key(), name, s.index.passage_window)
        return VectorCache(folder)


def _sentence_passages(lexical: LibraryBM25, article_id: str) -> list[tuple[str, ...]] | None:
    """An article's one-sentence passages in order, from the BM25 layout (None: not in it)."""
    ids = lexical.sentence_ids(article_id)
    return None if ids is None else [(i,) for i in ids]
