"""The quote index's stored form: every attributed statement of an article, kept on its article row.

The write path stores what it is given: the extraction itself (who said what)
is the read path's attribution logic (:mod:`assistant.analysis.quotes`), handed
to :func:`index.build.add_article` as a :data:`QuoteExtractor`, so that this
package never imports :mod:`assistant` and the question-time and add-time
attribution are one code.

The quotes of an article are a JSON list in its row's metadata (``quotes``),
with the extractor's version (``quotes_version``). Written in the same upsert
as the row, they share its crash safety (an add's row is written last, under
the write journal) and its tenancy and collection prefix; an article stored
before the index existed, or by an older extractor, has no ``quotes`` or an
older version, and ``check --repair`` builds them (:meth:`QuoteRows.put_quotes`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from index.models import Article

#: Raise when the extraction changes what it finds: ``check`` then reports the articles indexed by an
#: older version as stale, and ``check --repair`` indexes them again.
QUOTES_VERSION = 1


@dataclass(frozen=True, slots=True)
class Quote:
    """One attributed statement: what was said (sentences), who said it, and where that is written."""

    article_id: str
    #: The statement's sentences, in article order (a quotation may run over several).
    sentence_ids: tuple[str, ...]
    #: The sentence that names the speaker for this statement (may be one of ``sentence_ids``).
    attribution_id: str
    #: ``direct`` (quotation marks) or ``reported`` (indirect speech: "Kirby said the …").
    kind: str
    #: The person as the article names them most fully ("John Kirby"), or a description when
    #: the article never names them ("a senior administration official").
    speaker: str
    #: The mention as the attribution writes it: "Kirby", "he", "the spokesman", "John Kirby".
    mention: str
    #: Who the speaker is, as the article describes them ("the NSC's coordinator …"), if it does.
    description: str | None
    #: The person's number within the article: every mention of one person shares it.
    person: int
    #: The statement's sentences' text, joined (stored so that listing needs no article text).
    text: str

    def to_json(self) -> dict[str, Any]:
        """The stored form (the article ID is the row's)."""
        return {
            "s": list(self.sentence_ids), "a": self.attribution_id, "k": self.kind, "n": self.speaker,
            "m": self.mention, "d": self.description, "p": self.person, "t": self.text,
        }

    @classmethod
    def from_json(cls, article_id: str, row: Mapping[str, Any]) -> Quote:
        """A stored quote of ``article_id``."""
        return cls(
            article_id, tuple(row["s"]), str(row["a"]), str(row["k"]), str(row["n"]), str(row["m"]),
            row.get("d"), int(row["p"]), str(row["t"]),
        )


#: Finds an article's attributed statements (the read path's attribution logic, injected).
QuoteExtractor = Callable[[Article], tuple[Quote, ...]]


def quotes_metadata(quotes: Sequence[Quote]) -> dict[str, Any]:
    """The article row's metadata keys holding ``quotes``."""
    rows = [q.to_json() for q in quotes]
    return {"quotes": json.dumps(rows, ensure_ascii=False, separators=(",", ":")),
            "quotes_version": QUOTES_VERSION}


def quotes_built(meta: Mapping[str, Any]) -> bool:
    """Whether an article row holds quotes built by this version of the extraction."""
    return "quotes" in meta and meta.get("quotes_version") == QUOTES_VERSION


def quotes_from_metadata(article_id: str, meta: Mapping[str, Any]) -> tuple[Quote, ...] | None:
    """The quotes stored on an article row; None when they were never built (or by an older version)."""
    if not quotes_built(meta):
        return None
    return tuple(Quote.from_json(article_id, row) for row in json.loads(meta["quotes"]))


class QuoteRows:
    """Quote reads and the repair write of :class:`~index.store.ChromaStore` (a mixin)."""

    if TYPE_CHECKING:
        @property
        def _articles(self) -> Any: ...
        def _bump_generation(self) -> None: ...
        def _faults(self, outcome: str) -> Any: ...

    def quotes(self, article_ids: Sequence[str] | None = None) -> dict[str, tuple[Quote, ...] | None]:
        """Stored articles' quotes by article ID (all articles, or those of ``article_ids``), without
        their texts; None for an article whose quotes are not built yet (``check --repair``)."""
        with self._faults("nothing was changed"):
            if article_ids is None:
                got = self._articles.get(include=["metadatas"])
            elif not article_ids:
                return {}
            else:
                got = self._articles.get(ids=list(article_ids), include=["metadatas"])
        return {i: quotes_from_metadata(i, m) for i, m in zip(got["ids"], got["metadatas"], strict=True)}

    def put_quotes(self, article_id: str, quotes: Sequence[Quote]) -> None:
        """Store (or replace) a stored article's quotes: one metadata update of its row, atomic in
        Chroma, so no journal entry is needed; the generation changes so that readers reload."""
        with self._faults("nothing was changed"):
            self._articles.update(ids=[article_id], metadatas=[quotes_metadata(quotes)])
            self._bump_generation()
