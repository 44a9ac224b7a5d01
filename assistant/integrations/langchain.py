"""LangChain adapters over an :class:`~assistant.api.Assistant`.

* :class:`ArticleRetriever`: a ``BaseRetriever``, one ``Document`` per stored sentence;
* :class:`ArticleEmbeddings`: LangChain ``Embeddings`` for the configured embedder;
* :class:`AnswerChain`: a Runnable, question → the :class:`~assistant.types.Answer` of ``ask``;
* :func:`passage_vectorstore`: a ``langchain_chroma.Chroma`` view of the passages;
* :func:`traced_ask`: how ``ask(..., config=...)`` reports its steps to LangChain callbacks.

They sit at the edge: the Assistant's own path never goes through LangChain,
and these use only its public methods. The retriever and the chain ask the
Assistant on every call, so they see articles added after they were built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForChainRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.runnables.config import (
    ensure_config,
    get_callback_manager_for_config,
    patch_config,
    run_in_executor,
    set_config_context,
)
from pydantic import ConfigDict, Field, PrivateAttr

from assistant.answer.base import AnswerRequest, Draft
from assistant.settings import Settings
from assistant.types import Answer, Hit
from index.embed.base import Embedder
from index.errors import ConfigError, InputError
from index.models import Article

if TYPE_CHECKING:
    from assistant.api import Assistant

#: Name of the run an ask reports, unless the config's ``run_name`` says otherwise.
RUN_NAME = "article_assistant"


class ArticleRetriever(BaseRetriever):
    """The stored sentences that best match a query: one ``Document`` per sentence, best first.

    Build it from plain keyword arguments::

        ArticleRetriever(data_dir="~/articles", k=4)
        ArticleRetriever(chroma_url="http://127.0.0.1:8000", article="3f2a9c…")
        ArticleRetriever(**{"retrieval.fusion": "rrf"})  # ARTICLE_ASSISTANT_* env, one setting changed

    Give at most one of ``data_dir`` and ``chroma_url`` (neither: the store the
    ``ARTICLE_ASSISTANT_*`` environment names). ``settings`` replaces the
    environment as the base; any other keyword is a setting, by dotted name.
    ``k`` defaults to ``retrieval.top_k``; ``invoke(query, k=n)`` overrides it
    for one call (``k=0`` returns no documents). ``Assistant.as_retriever()``
    builds one over an Assistant that is already open.

    Each Document's ``id`` is ``"<article_id>:<sentence_id>"``, its
    ``page_content`` the stored sentence (exactly ``text[start:end]`` of the
    article), and its ``metadata``:

    - ``article_id``, ``sentence_id``: the stored sentence; IDs never change;
    - ``start``, ``end``: character offsets into the article's stored text;
    - ``page``: for a PDF article only, the page the sentence is on (1-based);
    - ``source``: the article's URL, else the file or source it was added from,
      else ``"article <id>"``;
    - ``title``: the article's title, else its first words;
    - ``rank``: 1 for the best sentence;
    - ``score``: the fused retrieval score, **higher is better**. With the default
      weighted fusion it is min-max normalised lexical and dense scores summed
      over the query's candidates, plus a share of the best adjacent sentence's
      score: about 0 to 1.3, comparable only among one call's results; with
      ``retrieval.fusion="rrf"`` it is a reciprocal-rank sum. Not a probability;
    - ``lexical``: the BM25 score divided by the best BM25 score (0 to 1);
    - ``dense``: cosine similarity of the sentence's best passage to the query (-1 to 1);
    - ``coverage``: share of the query's IDF weight whose terms the sentence holds (0 to 1).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    #: Only this article's sentences (None: every stored article).
    article: str | None = None
    #: Documents per call, unless ``invoke(..., k=n)`` says otherwise.
    k: int = Field(ge=0, le=1000)
    _assistant: Assistant = PrivateAttr()

    def __init__(
        self,
        *,
        data_dir: str | Path | None = None,
        chroma_url: str | None = None,
        article: str | None = None,
        k: int | None = None,
        settings: Settings | None = None,
        assistant: Assistant | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **overrides: Any,
    ) -> None:
        if assistant is None:
            assistant = _open_assistant(data_dir, chroma_url, settings, overrides)
        elif data_dir is not None or chroma_url is not None or settings is not None or overrides:
            raise ConfigError("Give the retriever either an assistant or store settings, not both.")
        if article is not None and not isinstance(article, str):
            raise InputError(f"An article ID is a string, not {type(article).__name__}.")
        top_k = assistant.settings.retrieval.top_k if k is None else _checked_k(k)
        super().__init__(article=article, k=top_k, tags=tags, metadata=metadata)
        self._assistant = assistant

    @property
    def assistant(self) -> Assistant:
        """The Assistant this retriever asks."""
        return self._assistant

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        k = _checked_k(kwargs.pop("k", self.k))
        if kwargs:
            raise InputError(f"ArticleRetriever takes only k per call, not {', '.join(sorted(kwargs))}.")
        if k == 0:
            return []
        hits = self._assistant.search(query, article=self.article, k=k)
        articles: dict[str, Article] = {}
        for hit in hits:
            if hit.article_id not in articles:
                articles[hit.article_id] = self._assistant.get(hit.article_id)
        return documents(hits, articles)

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        # BaseRetriever's own async path drops per-call arguments such as k.
        return await run_in_executor(
            None, self._get_relevant_documents, query, run_manager=run_manager.get_sync(), **kwargs
        )


def _open_assistant(
    data_dir: str | Path | None, chroma_url: str | None, settings: Settings | None, overrides: dict[str, Any]
) -> Assistant:
    from assistant.api import Assistant

    if data_dir is not None and chroma_url is not None:
        raise ConfigError("Give the retriever one of data_dir and chroma_url, not both.")
    if settings is not None and not isinstance(settings, Settings):
        raise ConfigError(f"settings must be an assistant.Settings, not {type(settings).__name__}.")
    changes = dict(overrides)
    if data_dir is not None:
        changes.update(data_dir=Path(data_dir), chroma_url=None)
    if chroma_url is not None:
        changes["chroma_url"] = chroma_url
    base = settings or Settings.from_env()
    return Assistant(base.with_(**changes) if changes else base)


def _checked_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= 1000:
        raise InputError(f"k is the number of documents to return, a whole number 0 to 1000, not {k!r}.")
    return k


def documents(hits: Sequence[Hit], articles: Mapping[str, Article]) -> list[Document]:
    """One Document per hit, best first (see :class:`ArticleRetriever` for the metadata)."""
    return [document(rank, hit, articles[hit.article_id]) for rank, hit in enumerate(hits, start=1)]


def document(rank: int, hit: Hit, article: Article) -> Document:
    """The Document of one retrieved sentence."""
    sentence = article.sentence(hit.sentence_id)
    return Document(
        id=f"{hit.article_id}:{hit.sentence_id}",
        page_content=sentence.text,
        metadata={
            "article_id": hit.article_id,
            "sentence_id": hit.sentence_id,
            "start": sentence.start,
            "end": sentence.end,
            "source": article.url or article.source or f"article {article.id}",
            "title": article.label,
            "rank": rank,
            "score": hit.score,
            "lexical": hit.lexical,
            "dense": hit.dense,
            "coverage": hit.coverage,
            **({"page": sentence.page} if sentence.page is not None else {}),
        },
    )


class ArticleEmbeddings(Embeddings):
    """LangChain ``Embeddings`` over this package's embedder (the bundled MiniLM by default).

    Vectors are L2-normalised, the same ones the store holds, so a
    ``langchain_chroma.Chroma`` over the passages collection can be queried with it.
    """

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **overrides: Any) -> ArticleEmbeddings:
        """The embedder ``settings`` (default: the environment, then ``overrides``) name.

        With backend ``auto``, the one whose vectors the settings' store holds (int8 for none yet).
        """
        from assistant import registry

        base = settings or Settings.from_env()
        chosen = base.with_(**overrides) if overrides else base
        recorded = registry.stored_embedder(chosen) if chosen.embedder.backend == "auto" else None
        return cls(registry.make_embedder(chosen, recorded))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text."""
        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise InputError("embed_documents takes a list of strings.")
        rows: list[list[float]] = self.embedder.embed(list(texts)).tolist()
        return rows

    def embed_query(self, text: str) -> list[float]:
        """The vector of one query."""
        if not isinstance(text, str):
            raise InputError(f"embed_query takes a string, not {type(text).__name__}.")
        row: list[float] = self.embedder.embed([text])[0].tolist()
        return row


def passage_vectorstore(assistant: Assistant) -> Any:
    """A ``langchain_chroma.Chroma`` over the Assistant's passages collection, on its own client.

    Each row is one passage (``passage_window`` sentences); its metadata holds
    ``article_id`` and ``sentence_ids`` (space-separated). Read through it; add
    articles with ``Assistant.add`` (rows written through it would have no article).
    """
    from langchain_chroma import Chroma

    store = assistant.store
    store.generation()  # reopens an embedded client that another process made stale
    return Chroma(
        client=store.client,
        collection_name=store.passages_collection_name,
        embedding_function=ArticleEmbeddings(assistant.embedder),
        create_collection_if_not_exists=False,
    )


class AnswerChain(Runnable[Any, Answer]):
    """A Runnable over ``Assistant.ask``: a question string or ``{"question", "history"}`` → :class:`Answer`.

    ``history`` holds earlier turns as ``ask`` takes them. Invoked with
    callbacks, the ask shows as one chain run with a retriever run and an
    answering run inside. ``stream`` yields the one finished Answer
    (``Assistant.ask_stream`` streams the text).
    """

    name = RUN_NAME

    def __init__(self, assistant: Assistant, article: str | None = None) -> None:
        self.assistant = assistant
        self.article = article

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        """Answer one question (see the class docstring for the input)."""
        if kwargs:
            raise InputError(f"The chain takes no keyword arguments, not {', '.join(sorted(kwargs))}.")
        question, history = chain_input(input)
        config = ensure_config(config)
        config["run_name"] = config.get("run_name") or self.get_name()
        return self.assistant.ask(question, article=self.article, history=history, config=config)


_CHAIN_KEYS = frozenset({"question", "history"})


def chain_input(value: Any) -> tuple[str, Any]:
    """(question, history) from a string or a ``{"question", "history"}`` dict; InputError otherwise."""
    if isinstance(value, str):
        return value, None
    if isinstance(value, Mapping) and "question" in value:
        extra = set(value) - _CHAIN_KEYS
        if extra:
            raise InputError(
                f"The chain's input dict takes the keys question and history, not {', '.join(sorted(extra))}."
            )
        return value["question"], value.get("history")
    raise InputError(
        'The chain takes a question string or a {"question": ..., "history": [...]} dict, '
        f"not {type(value).__name__} {str(value)[:60]!r}."
    )


# -- tracing: how ask(config=...) reports to LangChain callbacks ---------------------------


def traced_ask(
    config: RunnableConfig, inputs: dict[str, Any], run: Callable[[RunTrace], Iterator[str | Answer]]
) -> Iterator[str | Answer]:
    """Run one ask as a LangChain chain run; ``run(trace)`` reports its steps as child runs."""
    config = ensure_config(config)
    manager = get_callback_manager_for_config(config)
    run_manager = manager.on_chain_start(
        None, inputs, run_id=config.get("run_id"), name=config.get("run_name") or RUN_NAME
    )
    ended = False
    try:
        for piece in run(RunTrace(config, run_manager)):
            if isinstance(piece, Answer):
                run_manager.on_chain_end(piece.to_dict())
                ended = True  # a consumer that stops at the Answer has not failed
            yield piece
    except BaseException as e:
        if not ended:
            run_manager.on_chain_error(e)
        raise


class RunTrace:
    """The steps of one traced ask: retrieval as a retriever run, answering as a chain run.

    Each step runs with a child config in its context, so a LangChain model
    that a step invokes (an LLM rewriter or answerer) shows as its child.
    """

    def __init__(self, config: RunnableConfig, parent: CallbackManagerForChainRun) -> None:
        self._config = config
        self._parent = parent

    def retrieve(self, query: str, fetch: Callable[[], AnswerRequest]) -> AnswerRequest:
        """Run ``fetch`` (rewrite and retrieve) as a retriever run; its documents are the candidates."""
        run_manager = self._parent.get_child().on_retriever_start(None, query, name="retrieve")
        try:
            with set_config_context(patch_config(self._config, callbacks=run_manager.get_child())) as context:
                request = context.run(fetch)
        except BaseException as e:
            run_manager.on_retriever_error(e)
            raise
        run_manager.on_retriever_end(documents(request.hits, request.articles))
        return request

    def answer(
        self, request: AnswerRequest, produce: Callable[[AnswerRequest], Iterator[str | Draft]]
    ) -> Iterator[str | Draft]:
        """Iterate ``produce(request)`` (the answerer's pieces) inside a chain run named ``answer``."""
        inputs = {
            "question": request.question,
            "query": request.query,
            "sentences": [f"{h.article_id}:{h.sentence_id}" for h in request.hits],
        }
        run_manager = self._parent.get_child().on_chain_start(None, inputs, name="answer")
        draft: Draft | None = None
        try:
            with set_config_context(patch_config(self._config, callbacks=run_manager.get_child())) as context:
                pieces = context.run(produce, request)
                while True:
                    try:
                        piece = context.run(next, pieces)
                    except StopIteration:
                        break
                    if isinstance(piece, Draft):
                        draft = piece
                    yield piece
        except BaseException as e:
            run_manager.on_chain_error(e)
            raise
        outputs = {} if draft is None else {
            "text": draft.text,
            "cited": [":".join(ref) for ref in draft.cited],
            "abstained": draft.abstained,
            "mode": "abstain" if draft.abstained else draft.mode,
        }
        run_manager.on_chain_end(outputs)
