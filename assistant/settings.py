"""One nested, validated settings object for the whole package.

Nothing is read at import time: build :class:`Settings` (pure, from
arguments) or call :meth:`Settings.from_env` (env vars, then arguments) and
pass it to :class:`~assistant.api.Assistant`. Every field has a description;
``article-assistant config`` prints the effective values with their env
names. A nested field ``retrieval.top_k`` is set by
``ARTICLE_ASSISTANT_RETRIEVAL__TOP_K``; complex values (lists, maps) are JSON.

A bad value is a one-line :class:`~index.errors.ConfigError` naming the
setting, the value and what is allowed, raised before anything opens the store.

Fitted tables (abstention, confidence, support) are not written here: they are
read from ``assistant/data/weights/*.json`` (:func:`fitted`), which the fitting
scripts in ``evals/`` write with their provenance; how they were measured is in
``evals/results/weights/``.
"""

from __future__ import annotations

import copy
import functools
import json
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.paths import default_cache_dir as default_cache_dir  # re-exported
from assistant.paths import default_data_dir as default_data_dir  # re-exported
from assistant.settings_env import describe as describe  # re-exported: part of the settings API
from assistant.settings_env import env_values, explain, put
from index.embed.base import DEFAULT_MODEL
from index.errors import ConfigError
from index.formats.contract import KINDS, Kind, ReadLimits
from index.limits import MAX_ARTICLE_BYTES
from index.names import DEFAULT_DATABASE, DEFAULT_PREFIX, DEFAULT_TENANT, PREFIX_PATTERN

#: The fitted tables' files (package data), written by evals.abstention, evals.calibrate, evals.support.
WEIGHTS_DIR = Path(str(resources.files("assistant") / "data" / "weights"))


def fitted(name: str) -> dict[str, Any]:
    """The fitted table ``name`` ('abstention', 'confidence', 'support'): weights, threshold, provenance."""
    return copy.deepcopy(_read_fitted(name))


@functools.cache
def _read_fitted(name: str) -> dict[str, Any]:
    table: dict[str, Any] = json.loads((WEIGHTS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return table


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


class StoreSettings(_Section):
    """Where in Chroma the library lives: deployments sharing a server keep apart by these."""

    tenant: str = Field(DEFAULT_TENANT, min_length=3, max_length=64, description="Chroma tenant.")
    database: str = Field(DEFAULT_DATABASE, min_length=3, max_length=64, description="Chroma database.")
    collection_prefix: str = Field(
        DEFAULT_PREFIX,
        pattern=PREFIX_PATTERN,
        description="Prefix of the collection names (<prefix>passages, <prefix>articles).",
    )


class EmbedderSettings(_Section):
    """Which model turns text into vectors; part of the store's fingerprint."""

    model: str = Field(
        DEFAULT_MODEL,
        min_length=1,
        description="Embedding model: the bundled MiniLM or a local sentence-transformers folder.",
    )
    batch_size: int = Field(64, ge=1, le=1024, description="Texts per forward pass of the model.")
    backend: Literal["auto", "onnx", "onnx-int8", "torch"] = Field(
        "auto",
        description=(
            "'auto': 'onnx-int8' for a new store; an existing store keeps the kind of vectors it "
            "holds ('onnx' for a store built with fp32 vectors, the default before). 'onnx': "
            "onnxruntime on an fp32 export made once with torch and cached in cache_dir (same vectors "
            "as torch to ~2e-7, no torch import when serving); 'onnx-int8': its dynamic int8 "
            "quantisation, one text per call (2.2-2.5x less CPU, cosine ~0.993 to torch: its stores "
            "record another embedder name, so fp32 and int8 stores refuse each other); 'torch': "
            "sentence-transformers (fp32 vectors)."
        ),
    )
    threads: int | None = Field(
        None, ge=1, le=256, description="CPU threads the encoder uses (unset: one per core)."
    )


class IndexSettings(_Section):
    """How articles are cut into embedded passages; part of the store's fingerprint."""

    passage_window: int = Field(1, ge=1, le=3, description="Sentences per embedded passage (1 to 3).")


class FetchSettings(_Section):
    """How URLs are fetched (see :mod:`index.fetch`), and the size cap every input shares."""

    allow_private: bool = Field(
        False,
        description="Allow URLs on loopback and private networks (off: only public web pages).",
    )
    deadline_s: float = Field(30.0, gt=0, le=600, description="Total seconds one fetch may take.")
    max_redirects: int = Field(5, ge=0, le=20, description="Redirects followed at most.")
    max_bytes: int = Field(
        MAX_ARTICLE_BYTES,
        ge=1_000,
        le=100_000_000,
        description="Largest article accepted, in bytes: files, pasted text (characters), stdin and URLs.",
    )
    formats: tuple[Kind, ...] = Field(
        KINDS, min_length=1, description="Article formats accepted (sniffed from the bytes); others refused.")
    max_pages: int = Field(500, ge=1, le=100_000, description="Pages a PDF may have.")
    max_text_chars: int = Field(
        2_000_000, ge=1_000, le=100_000_000, description="Characters of text a PDF or .docx may extract to.")
    pdf_seconds: float = Field(60.0, gt=0, le=3600, description="Seconds reading one PDF may take.")
    pdf_memory_mb: int = Field(1024, ge=256, le=65_536, description="Memory (MB) reading one PDF may use.")
    def read_limits(self) -> ReadLimits:
        """What the format readers (:mod:`index.formats`) accept and may spend."""
        return ReadLimits(self.formats, self.max_pages, self.max_text_chars, self.pdf_seconds,
                          self.pdf_memory_mb)


class RetrievalSettings(_Section):
    """Hybrid retrieval: lexical and dense candidate lists, fused."""

    top_k: int = Field(8, ge=1, le=1000, description="Sentences a LangChain retriever returns.")
    candidates: int = Field(
        40, ge=1, le=1000, description="Sentences retrieved for the reranker and the answerer."
    )
    pool: int = Field(
        200,
        ge=1,
        le=100_000,
        description="Candidates each index (lexical, dense) returns before fusion.",
    )
    fusion: Literal["weighted", "rrf"] = Field(
        "weighted", description="'weighted' (min-max scores, summed) or 'rrf' (reciprocal rank)."
    )
    lexical_weight: float = Field(
        0.5, ge=0, le=1, description="Share of the lexical score in weighted fusion (dense: the rest)."
    )
    neighbour_weight: float = Field(
        0.3, ge=0, le=1, description="Weighted fusion adds this × the best adjacent sentence's score."
    )
    dense: str = Field(
        "exact", description="Dense index of one article's scope: 'exact' (numpy) or 'chroma' (HNSW)."
    )
    lexical: str = Field("bm25", description="Lexical index: 'bm25'.")
    library_dense: str = Field(
        "mapped",
        description=(
            "Dense index of library-wide questions once the library holds ann_min_passages: "
            "'mapped' (exact search over int8 vectors memory-mapped from a cache file, the best "
            "candidates rescored in float32; passage window 1, else 'chroma'), 'chroma' (the "
            "store's own HNSW index: loads it whole, ~600 MB at 290,000 passages) or 'exact' "
            "(float32 in memory)."
        ),
    )
    matrix_widen: int = Field(
        2,
        ge=1,
        le=100,
        description="'mapped': int8 candidates rescored in float32, as a multiple of those returned.",
    )
    matrix_stale: float = Field(
        0.1,
        gt=0,
        le=10,
        description="'mapped': rewrite the matrix file (in the background) once stale rows (of removed "
        "articles, or added since) reach this share of its rows.",
    )
    ann_min_passages: int = Field(
        20_000,
        ge=0,
        description="Library-wide questions use library_dense from this many stored passages (exact below).",
    )
    cached_articles: int = Field(
        256, ge=1, le=1_000_000, description="Full articles (text, sentences, vectors) kept in memory."
    )
    cached_scopes: int = Field(
        16,
        ge=1,
        le=10_000,
        description="Search indexes of article scopes (one or several articles) kept in memory; "
        "also how many recent adds' BM25 segments are kept for the library-wide index.",
    )
    cached_queries: int = Field(
        1024, ge=1, le=1_000_000, description="Query vectors kept in memory (chat turns and evals repeat)."
    )


class RerankSettings(_Section):
    """Bonuses the heuristic reranker adds to a fused score (which is about 0..1.3)."""

    reranker: str = Field("heuristic", description="Reranker: 'heuristic' or 'none'.")
    follow_on: tuple[float, ...] = Field(
        (0.3, 0.2, 0.1, 0.05),
        max_length=20,
        description="Bonus by offset from the previous turn's sentence: same, next, next but one, …",
    )
    before: float = Field(0.03, ge=0, le=2, description="Bonus for the sentence just before the last turn's.")
    elliptical: float = Field(
        2.0, ge=0, le=10, description="Conversation bonus × this for 'When?'-style questions (≤ 3 words)."
    )
    answer_type: float = Field(0.1, ge=0, le=2, description="Bonus when a sentence holds the answer type.")
    new_answer: float = Field(
        0.1, ge=0, le=2, description="Further bonus when that candidate is not named in the question."
    )
    phrase: float = Field(0.1, ge=0, le=2, description="Bonus × share of the question's term pairs found.")
    coverage: float = Field(0.2, ge=0, le=2, description="Bonus × IDF-weighted share of query terms found.")
    own_words: float = Field(
        0.3,
        ge=0,
        le=2,
        description=(
            "For a rewritten follow-up: bonus × share of the question's own terms found (the words the "
            "rewrite carried over from history match the sentence the last answer cited)."
        ),
    )


class AbstainSettings(_Section):
    """When the extractive answerer says the article doesn't say (see its ``abstain`` module).

    How each check and the calibrated decision were measured: ``evals/results/weights/abstention.md``.
    """

    min_window_coverage: float = Field(
        0.0,
        ge=0,
        le=1,
        description=(
            "Abstain below this share of question terms in two adjacent sentences (0: off; the "
            "calibrated decision, evidence_weights, replaces it)."
        ),
    )
    min_coverage: float = Field(
        0.05, ge=0, le=1, description="Off-topic: best sentence's term coverage below this (and dense below)."
    )
    min_dense: float = Field(0.12, ge=-1, le=1, description="Off-topic: best sentence's cosine below this.")
    new_answer_reach: int = Field(
        2, ge=1, le=40, description="Date/number questions: best sentences searched for a new date/number."
    )
    typed_check: tuple[str, ...] = Field(
        ("money", "percentage", "number"),
        description=(
            "Answer types whose best sentences must hold a spaCy span of that type (new to the "
            "question), else abstain (never for who-said questions: attribution names the speaker). "
            "'person' is left out: on dev half b it abstained on 4 answerable SQuAD questions "
            "(evals/results/issue21_modes.md, round 3)."
        ),
    )
    typed_reach: int = Field(3, ge=1, le=40, description="Best sentences searched by the typed check.")
    evidence_weights: dict[str, float] = Field(
        default_factory=lambda: fitted("abstention")["weights"],
        description=(
            "Calibrated abstention: feature → weight of the logistic probability that the article does "
            "not answer ('bias' is the intercept; features in assistant.answer.extractive.evidence; "
            "empty: off). Default: assistant/data/weights/abstention.json, fitted by "
            "`python -m evals.abstention`."
        ),
    )
    evidence_threshold: float = Field(
        default_factory=lambda: fitted("abstention")["threshold"],
        ge=0,
        le=1,
        description=(
            "Abstain when that probability is at or above this. Default: chosen with the weights "
            "(assistant/data/weights/abstention.json)."
        ),
    )
    absent_focus_threshold: float = Field(0.695, ge=0, le=1, description=(
        "Abstain at this lower probability when the question's focus noun ('toll') is in no cited "
        "sentence of a typed question, or nowhere in the scope."))


class ConfidenceSettings(_Section):
    """The calibrated confidence of extractive answers (a logistic over answer features).

    How the weights and ``low_support`` were measured: ``evals/results/weights/confidence.md``.
    """

    weights: dict[str, float] = Field(
        default_factory=lambda: fitted("confidence")["weights"],
        description=(
            "Feature → weight ('bias' is the intercept). Default: assistant/data/weights/confidence.json, "
            "fitted by `python -m evals.calibrate`."
        ),
    )
    low_support: float = Field(
        0.5, ge=0, le=1, description="Citations of answers below this confidence are flagged low support."
    )


class SupportSettings(_Section):
    """The support score of each citation: claim ↔ cited sentence (see :mod:`assistant.cite`).

    A logistic over two features: ``lexical``, the share of the claim's content terms found in
    the sentence, and ``dense``, the cosine of their embeddings. Extractive answers keep their
    own low-support flag (confidence); a generated answer's citations use this one. How it was
    measured: ``evals/results/weights/support.md``.
    """

    weights: dict[str, float] = Field(
        default_factory=lambda: fitted("support")["weights"],
        description=(
            "Feature → weight ('bias' is the intercept). Default: assistant/data/weights/support.json, "
            "fitted by `python -m evals.support`."
        ),
    )
    low_support: float = Field(
        default_factory=lambda: fitted("support")["threshold"],
        ge=0,
        le=1,
        description=(
            "A generated answer's citations scoring below this are flagged low support. Default: chosen "
            "with the weights (assistant/data/weights/support.json)."
        ),
    )


class AnswerSettings(_Section):
    """Which answerer writes the answer, and its knobs."""

    answerer: str = Field(
        "extractive",
        description="Answerer: 'extractive' (offline, the default) or 'llm' (a chat model, see llm.*).",
    )
    fallback: Literal["extractive", "abstain"] = Field(
        "extractive",
        description=(
            "When the chat model's answer cites no sentence it was shown, or the model fails: "
            "'extractive' answers extractively (labelled); 'abstain' abstains (a failure is an error)."
        ),
    )
    support: SupportSettings = Field(default_factory=SupportSettings, description="Citation support.")
    quote_margin: float = Field(
        0.5, ge=0, le=5, description="Who-said: how far below the best a quoted sentence may score and win."
    )
    quotes_shown: int = Field(
        3, ge=1, le=20,
        description="'What has X said?' from the quote index: how many of X's statements one answer cites.",
    )
    lead_threshold: float = Field(
        0.4,
        ge=0,
        le=1,
        description=(
            "Extractive: the first line is the typed short answer (or the phrase filling a 'what' "
            "question's gap) only at this confidence or above, and when it is the only span of its type "
            "in its sentence or tied to the question in the parse (else the answer leads with the cited "
            "sentence). Measured: evals/results/weights/confidence.md."
        ),
    )
    mode_weights: dict[str, float] = Field(
        default_factory=lambda: fitted("mode")["weights"],
        description=(
            "Extractive: feature → weight of the logistic probability that an answer is right (its first "
            "citation is evidence and its short answer matches), which chooses 'answer' mode over "
            "'evidence' ('bias' is the intercept; features in assistant.answer.extractive.modes). "
            "Default: assistant/data/weights/mode.json, fitted by `python -m evals.mode` on the tuning "
            "halves only (dev half a and trust_tune)."
        ),
    )
    mode_threshold: float = Field(
        default_factory=lambda: fitted("mode")["threshold"],
        ge=0,
        le=1,
        description=(
            "Extractive: the answer is given in 'answer' mode (sure: the short answer or the claim with "
            "its sentence) only when that probability reaches this, and when a short answer asked for "
            "fills the question's gap in its sentence or is the only span of its type there; below it, "
            "'evidence' mode shows the closest sentences (0: always sure, 1: never). Default: chosen "
            "with the weights (assistant/data/weights/mode.json)."
        ),
    )
    second_article_ratio: float = Field(
        0.95,
        ge=0,
        le=1,
        description=(
            "Extractive, over several articles: the answer also cites the best sentence of a second "
            "article when that sentence's score is at least this share of the best hit's score (a "
            "question whose evidence lies in two articles cites both). Tuned on trust_library_tune only "
            "(the diagnostics feature second.ratio): its two-article question that cited one article "
            "had 0.987, its one-article questions' other articles 0.916 and 0.745; 0.95 lies between."
        ),
    )
    max_question_chars: int = Field(
        2000, ge=10, le=100_000, description="Longest question accepted, in characters."
    )
    abstain: AbstainSettings = Field(default_factory=AbstainSettings, description="Abstention checks.")
    confidence: ConfidenceSettings = Field(default_factory=ConfidenceSettings, description="Confidence.")


class LLMSettings(_Section):
    """The chat model of the 'llm' answerer: any OpenAI-compatible server (vLLM, Ollama, llama.cpp…)."""

    base_url: str | None = Field(
        None,
        description="OpenAI-compatible API URL, e.g. http://127.0.0.1:8080/v1; unset = api.openai.com.",
    )
    model: str | None = Field(None, description="Model name the server knows (required for 'llm').")
    choices: list[str] = Field(default_factory=list, description="More models the web page offers, besides "
                               "llm.model and the offline one: 'MODEL' (on llm.base_url) or 'MODEL@URL'.")
    api_key_env: str | None = Field(
        None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description=(
            "Env var holding the API key; unset = ARTICLE_ASSISTANT_LLM_API_KEY, then OPENAI_API_KEY "
            "(a local server needs none)."
        ),
    )
    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature (0: most repeatable).")
    max_tokens: int = Field(400, ge=1, le=32_000, description="Most tokens the model may write per answer.")
    citations: Literal["inline", "structured"] = Field(
        "inline",
        description="How the model cites: 'inline' [s12] markers in its text, or 'structured' JSON through "
        "the server's response_format json_schema, citations limited to the IDs shown (llama.cpp, vLLM, "
        "OpenAI); a server that refuses it, or a reply that is not that JSON, gets inline (noted).",
    )
    max_answer_chars: int = Field(
        2000, ge=100, le=100_000, description="Longer answers are cut here, at a sentence end, and noted."
    )
    timeout_s: float = Field(
        30.0, gt=0, le=600, description="Seconds to wait for the server to connect or send the next token."
    )
    deadline_s: float = Field(
        90.0, gt=0, le=3600, description="Total seconds for one answer, retries included; then fall back."
    )
    retries: int = Field(2, ge=0, le=10, description="Retries after a retryable failure (429, 5xx, reset…).")
    backoff_s: float = Field(
        0.5, ge=0, le=60, description="First retry's wait, doubled each time (a 429's Retry-After wins)."
    )
    context_budget_tokens: int = Field(
        3000,
        ge=100,
        le=1_000_000,
        description=(
            "Article tokens (about 4 characters each) the prompt may hold: the whole article(s) when "
            "they fit, else the retrieved sentences with their neighbours."
        ),
    )
    neighbours: int = Field(
        1, ge=0, le=5, description="Excerpt mode: sentences shown on each side of a retrieved one."
    )
    history_turns: int = Field(4, ge=0, le=50, description="Earlier turns of the conversation in the prompt.")
    rewrite: bool = Field(
        True, description="Rewrite follow-up questions for retrieval with the model (names are kept)."
    )
    rewrite_deadline_s: float = Field(
        20.0, gt=0, le=600, description="Seconds a model rewrite of a follow-up may take (then: rule-based)."
    )


class WebSettings(_Section):
    """The web chat's page."""

    library_page: int = Field(
        50, ge=5, le=500, description="Library cards on one web page (search and paging reach the rest)."
    )
    suggestions: int = Field(4, ge=0, le=8, description="Suggested questions shown in an empty chat.")
    warm_up_delay_s: float = Field(
        5.0, ge=0, le=3600,
        description="`serve` loads the model once a first page has shown its library, or this many "
        "seconds after starting if none has (loading competes with the first page for the CPU).",
    )


class CliSettings(_Section):
    """The command line's own behaviour."""

    reuse_serve: bool = Field(
        True, description="`ask` sends its question to a running `serve` on the same store and settings "
        "when there is one (answered in ~0.1 s instead of loading the models); false: always answer itself.",
    )
    serve_wait_s: float = Field(
        120.0, gt=0, le=3600, description="Seconds `ask` waits for a running `serve`'s answer before "
        "answering itself.",
    )


class Settings(_Section):
    """Configuration of the whole package; see the module docstring for env names."""

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Folder of the embedded Chroma store (ignored with chroma_url).",
    )
    cache_dir: Path = Field(
        default_factory=default_cache_dir,
        description="Rebuildable files: the ONNX export, per-article BM25 postings (content-addressed).",
    )
    chroma_url: str | None = Field(
        None, description="URL of a Chroma server (e.g. http://127.0.0.1:8000); unset = embedded store."
    )
    store: StoreSettings = Field(default_factory=StoreSettings, description="Chroma namespace.")
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings, description="The embedding model.")
    index: IndexSettings = Field(default_factory=IndexSettings, description="Passages.")
    fetch: FetchSettings = Field(default_factory=FetchSettings, description="Fetching URLs.")
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings, description="Retrieval.")
    rerank: RerankSettings = Field(default_factory=RerankSettings, description="Reranking.")
    answer: AnswerSettings = Field(default_factory=AnswerSettings, description="Answering.")
    llm: LLMSettings = Field(default_factory=LLMSettings, description="The chat model ('llm' answerer).")
    web: WebSettings = Field(default_factory=WebSettings, description="The web chat.")
    cli: CliSettings = Field(default_factory=CliSettings, description="The command line.")

    @field_validator("data_dir", "cache_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("chroma_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as e:
            raise ConfigError(explain(e)) from None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``ARTICLE_ASSISTANT_*`` env vars, then ``overrides`` (None = unset).

        ``overrides`` take dotted or nested names: ``{"data_dir": p}``,
        ``{"retrieval.top_k": 4}`` or ``{"retrieval": {"top_k": 4}}``.
        """
        values: dict[str, Any] = {}
        for path, raw in env_values(os.environ if environ is None else environ, set(cls.model_fields)):
            put(values, path, raw)
        for key, value in overrides.items():
            if value is not None:
                put(values, key, value)
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        """A validated copy with some fields changed (dotted names for nested ones)."""
        values = self.model_dump()
        for key, value in changes.items():
            put(values, key, value)
        return type(self)(**values)
