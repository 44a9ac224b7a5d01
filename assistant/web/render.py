"""Pure HTML rendering for the web chat: articles, conversations, the library.

Every piece of text that comes from an article or a user goes through
:func:`esc` before it reaches the page, so a ``<script>``, an
``<img onerror=…>`` or a markdown image in an article shows as literal text.
Nothing here is passed through a markdown renderer.

A conversation turn is stored in the browser as a plain dict,
``{"question": str, "answer": Answer.to_dict()}``; the functions here render
those dicts, so a refreshed page looks exactly like the one before it.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlparse

from assistant.types import numbered
from assistant.web.render_llm import RAW_MARKER, answered_by, generating
from index.models import Article, ArticleSummary

#: The scope value of the "All articles" choice in the library.
ALL = "__all__"

_MARKER_IN_TEXT = re.compile(r"\[(\d{1,2})\]")
#: Terminal escape sequences (CSI, OSC, two-byte) and the control characters that would show
#: as "[31m" or boxes; tabs and newlines stay. Only what is shown changes: stored text and
#: sentence offsets are never touched.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
#: Makes each status line differ from the one before, so the page script can hide a stale one.
_STATUS_SERIAL = itertools.count(1)


def display_text(text: str) -> str:
    """``text`` as shown in the page: terminal codes removed, other control characters dropped."""
    return _CONTROL.sub("", _ANSI.sub("", text))


def esc(text: object) -> str:
    """HTML-escape anything shown in the page (quotes included), cleaned by :func:`display_text`."""
    return html.escape(display_text(str(text)), quote=True)


def sentence_anchor(article_id: str, sentence_id: str) -> str:
    """The element id of a sentence in the article view, e.g. ``sent-bc1f0c83ff1e-s4``."""
    return f"sent-{article_id}-{sentence_id}"


# -- library --------------------------------------------------------------------


def source_label(article: Article | ArticleSummary) -> str:
    """Where an article came from, shortly: a site, a file name or "pasted text"."""
    url = article.url or (article.source if article.source and "://" in article.source else None)
    if url:
        return urlparse(url).netloc or url
    source = article.source or "pasted text"
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def date_label(article: Article | ArticleSummary) -> str:
    """The article's own date, else the day it was added."""
    if article.date:
        return article.date
    if article.added_at:
        return f"added {article.added_at[:10]}"
    return ""


def add_status(message: str, ok: bool) -> str:
    """The line under the "Add an article" panel: what was added, or what went wrong."""
    kind, role, serial = ("ok" if ok else "error"), ("status" if ok else "alert"), next(_STATUS_SERIAL)
    return f'<div class="add-status {kind}" role="{role}" data-serial="{serial}">{esc(message)}</div>'


def confirm_remove(article: Article) -> str:
    """The question asked before an article is removed."""
    return (
        f'<div class="confirm-text">Remove <strong>{esc(article.label)}</strong> '
        f"and its {len(article.sentences)} sentences from the library?</div>"
    )


# -- article view -------------------------------------------------------------------


def render_articles(articles: Sequence[Article], cited: Mapping[tuple[str, str], bool]) -> str:
    """The article view: each article sentence by sentence, grouped by paragraph.

    ``cited`` maps ``(article_id, sentence_id)`` of the latest answer's
    citations to their ``low_support`` flag; those sentences are highlighted.
    """
    if not articles:
        return _article_placeholder()
    first = next((sentence_anchor(a, s) for a, s in cited), "")
    body = "".join(_render_article(a, cited) for a in articles)
    return f'<div class="article-view" data-focus="{esc(first)}">{body}</div>'


def _render_article(article: Article, cited: Mapping[tuple[str, str], bool]) -> str:
    paragraphs: list[list[str]] = []
    last: int | None = None
    end = 0
    for s in article.sentences:
        if s.paragraph != last:
            paragraphs.append([])
            last = s.paragraph
        elif s.start > end:  # the text between two sentences of a paragraph, as given
            paragraphs[-1].append(esc(article.text[end : s.start]))
        end = s.end
        classes = "sentence"
        if (article.id, s.id) in cited:
            classes += " cited low" if cited[(article.id, s.id)] else " cited"
        paragraphs[-1].append(
            f'<span class="{classes}" id="{esc(sentence_anchor(article.id, s.id))}" '
            f'data-sid="{esc(s.id)}" title="{esc(s.id)}">{esc(s.text)}</span>'
        )
    text = "".join(f'<p class="para">{"".join(p)}</p>' for p in paragraphs)
    return (
        f'<article class="article" data-article-id="{esc(article.id)}">'
        f"{_article_header(article)}<div class=\"article-body\">{text}</div></article>"
    )


def _article_header(article: Article) -> str:
    meta = [esc(p) for p in (article.byline, date_label(article)) if p]
    meta.append(f"{len(article.sentences)} sentences")
    source = esc(source_label(article))
    url = article.url or ""
    if urlparse(url).scheme in {"http", "https"}:
        meta.append(f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer nofollow">{source}</a>')
    else:
        meta.append(source)
    return (
        f'<header class="article-header"><h2 class="article-title">{esc(article.label)}</h2>'
        f'<div class="article-meta">{" · ".join(meta)}</div></header>'
    )


def _article_placeholder() -> str:
    return (
        '<div class="placeholder"><div class="placeholder-title">The article appears here</div>'
        "<p>Choose an article in the library, or ask across all of them: the articles an "
        "answer cites are shown here with the cited sentences highlighted.</p></div>"
    )


# -- conversation -----------------------------------------------------------------------


def render_chat(
    turns: Sequence[Mapping[str, Any]],
    scope_label: str,
    titles: Mapping[str, str],
    pending: Mapping[str, Any] | None = None,
    suggestions: Sequence[str] = (),
    sources: Mapping[str, str] | None = None,
) -> str:
    """The conversation; ``pending`` is the turn being streamed (``reveal`` characters shown),
    or, with ``interrupted``, one whose answer never arrived (offered again).

    An empty conversation shows a hint and the ``suggestions`` as clickable questions.
    ``sources`` (article ID → link or file name) goes into each answer's copied Markdown.
    """
    if shows_placeholder(turns, pending):
        return _chat_placeholder(scope_label, suggestions)
    parts = [_render_turn(t, titles, sources or {}) for t in turns]
    if pending is not None:
        parts.append(_render_pending(pending))
    return f'<div class="chat">{"".join(parts)}</div>'


def shows_placeholder(turns: Sequence[Mapping[str, Any]], pending: Mapping[str, Any] | None) -> bool:
    """Whether the chat is empty, so that it shows the hint and the suggested questions."""
    return not turns and pending is None


def _chat_placeholder(scope_label: str, suggestions: Sequence[str]) -> str:
    chips = "".join(
        f'<button type="button" class="suggestion" data-question="{esc(q)}">{esc(q)}</button>'
        for q in suggestions
    )
    if chips:
        chips = f'<div class="suggestions-label">Try asking</div><div class="suggestions">{chips}</div>'
    return (
        '<div class="placeholder chat-empty"><div class="placeholder-title">Ask about '
        f"<em>{esc(scope_label)}</em></div><p>Every answer cites the sentences it comes from. "
        f"Click a citation number to see the sentence in the article.</p>{chips}</div>"
    )


def _user_message(question: str) -> str:
    return f'<div class="msg user"><div class="bubble">{esc(question)}</div></div>'


def _render_turn(turn: Mapping[str, Any], titles: Mapping[str, str], sources: Mapping[str, str]) -> str:
    answer = turn["answer"]
    citations = answer.get("citations", [])
    if answer.get("abstained"):
        body = f'<p class="answer-text abstain-text">{esc(answer["text"])}</p>'
        if citations:
            body += _citation_list(citations, titles, heading="Closest sentences")
        kind = "bot abstained"
    elif answer.get("mode") == "evidence":
        # Not sure: say so, and show the closest sentences as the citations, not as an answer.
        body = '<p class="answer-text evidence-text">Not sure — closest sentences:</p>'
        body += _citation_list(citations, titles, heading="Closest sentences")
        kind = "bot evidence"
    else:
        claims = answer.get("claims") or []
        text = (_claims_text if claims else _answer_text)(answer["text"], claims, citations)
        body = f'<p class="answer-text">{text}</p>'
        body += _citation_list(citations, titles, heading="Sources")
        kind = "bot"
    body = answered_by(answer) + body
    copy = answer_markdown(turn, titles, sources)
    body += (
        '<div class="answer-actions"><button type="button" class="copy-answer" '
        f'data-copy="{esc(copy)}" title="Copy the answer and its quotations as Markdown">Copy</button></div>'
    )
    return f'{_user_message(turn["question"])}<div class="msg {kind}"><div class="bubble">{body}</div></div>'


def answer_markdown(turn: Mapping[str, Any], titles: Mapping[str, str], sources: Mapping[str, str]) -> str:
    """One turn as Markdown: the question, the answer, its cited sentences quoted, and where from."""
    answer = turn["answer"]
    citations = answer.get("citations", [])
    evidence = answer.get("mode") == "evidence"
    text = "Not sure — closest sentences:"
    if not evidence:
        text = display_text(numbered(answer["text"], answer.get("claims") or []))
    lines = [f"**{_md_line(turn['question'])}**", "", text.strip()]
    for n, c in enumerate(citations, start=1):
        page = f", p. {c['page']}" if c.get("page") else ""
        lines += ["", f"> [{n}] {_md_line(c['text'])} ({c['sentence_id']}{page})"]
    articles = list(dict.fromkeys(c["article_id"] for c in citations))
    if articles:
        lines.append("")
    for article_id in articles:
        title = _md_line(titles.get(article_id, article_id))
        source = sources.get(article_id)
        lines.append(f"Source: *{title}*" + (f", {_md_line(source)}" if source else ""))
    return "\n".join(lines)


def _md_line(text: str) -> str:
    """Text on one Markdown line: cleaned for display, whitespace runs collapsed."""
    return " ".join(display_text(str(text)).split())


def _render_pending(pending: Mapping[str, Any]) -> str:
    text = pending.get("text")
    if pending.get("interrupted"):
        question = esc(pending["question"])
        inner = (
            '<p class="answer-text interrupted-text">This question was interrupted before its answer '
            "arrived (the page was reloaded or the connection was lost).</p>"
            f'<div class="answer-actions"><button type="button" class="retry" data-question="{question}">'
            "Ask again</button></div>"
        )
        bot = f'<div class="msg bot interrupted" role="status"><div class="bubble">{inner}</div></div>'
        return _user_message(pending["question"]) + bot
    if text is None:
        inner = '<p class="answer-text thinking"><span></span><span></span><span></span></p>'
    else:
        shown = esc(RAW_MARKER.sub("", text[: pending.get("reveal", len(text))]))
        inner = f'<p class="answer-text">{shown}<span class="caret"></span></p>'
    bot = f'<div class="msg bot streaming"><div class="bubble">{generating(pending)}{inner}</div></div>'
    return _user_message(pending["question"]) + bot


def _marker(n: int, citation: Mapping[str, Any]) -> str:
    low = " low" if citation.get("low_support") else ""
    target = sentence_anchor(citation["article_id"], citation["sentence_id"])
    tip = f"{citation['sentence_id']}: {citation['text']}"
    return (
        f'<button type="button" class="cite-marker{low}" data-target="{esc(target)}" '
        f'title="{esc(tip)}" aria-label="citation {n}">{n}</button>'
    )


def _answer_text(text: str, _claims: Sequence[Any], citations: Sequence[Mapping[str, Any]]) -> str:
    """Escaped answer text with clickable markers: in place of ``[n]`` if it has them, else at the end."""
    body = esc(text)
    numbers = {int(m) for m in _MARKER_IN_TEXT.findall(body)}
    if numbers and numbers <= set(range(1, len(citations) + 1)):
        return _MARKER_IN_TEXT.sub(lambda m: _marker(int(m[1]), citations[int(m[1]) - 1]), body)
    markers = "".join(_marker(n, c) for n, c in enumerate(citations, start=1))
    return f'{body}<span class="markers">{markers}</span>' if markers else body


def _claims_text(text: str, claims: Sequence[Mapping[str, Any]], cites: Sequence[Mapping[str, Any]]) -> str:
    """Escaped answer text, each claim followed by its citation chips; an unsupported claim is marked."""
    out, end = [], 0
    for claim in claims:
        start, stop = int(claim["start"]), int(claim["end"])
        if start < end or stop > len(text):
            continue
        out.append(esc(text[end:start]))
        supported = claim.get("supported", True)
        css = "claim" if supported else 'claim unsupported" title="None of the sentences cited supports it'
        out.append(f'<span class="{css}">{esc(text[start:stop])}</span>')
        chips = [_marker(i + 1, cites[i]) for i in claim.get("citations", []) if 0 <= i < len(cites)]
        if chips:
            out.append(f'<span class="markers">{"".join(chips)}</span>')
        if not supported:
            out.append('<span class="unsupported-badge">unsupported</span>')
        end = stop
    out.append(esc(text[end:]))
    return "".join(out)


def _citation_list(citations: Sequence[Mapping[str, Any]], titles: Mapping[str, str], heading: str) -> str:
    if not citations:
        return ""
    show_title = len({c["article_id"] for c in citations}) > 1 or len(titles) > 1
    items = []
    for n, c in enumerate(citations, start=1):
        target = esc(sentence_anchor(c["article_id"], c["sentence_id"]))
        low = (
            '<span class="low-badge" title="The answerer could not confirm this sentence supports '
            'the answer">low support</span>'
            if c.get("low_support")
            else ""
        )
        where = f'<code class="sid">{esc(c["sentence_id"])}</code>'
        where += f' · <span class="citation-page">p. {int(c["page"])}</span>' if c.get("page") else ""
        if show_title and c["article_id"] in titles:
            where = f'<span class="citation-article">{esc(_short(titles[c["article_id"]]))}</span> · {where}'
        items.append(
            f'<li class="citation{" low" if c.get("low_support") else ""}" data-target="{target}">'
            f'{_marker(n, c)}<div class="citation-body"><span class="citation-text">{esc(c["text"])}</span>'
            f'<span class="citation-id">{where}</span>{low}</div></li>'
        )
    return f'<div class="citations-heading">{esc(heading)}</div><ol class="citations">{"".join(items)}</ol>'


def _short(title: str, limit: int = 40) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def cited_pairs(turn: Mapping[str, Any] | None) -> dict[tuple[str, str], bool]:
    """``(article_id, sentence_id) -> low_support`` for one stored turn's citations."""
    if not turn:
        return {}
    return {
        (c["article_id"], c["sentence_id"]): bool(c.get("low_support"))
        for c in turn["answer"].get("citations", [])
    }


def cited_articles(turns: Iterable[Mapping[str, Any]]) -> list[str]:
    """Article IDs cited in a conversation, most recently cited first."""
    seen: dict[str, None] = {}
    for turn in reversed(list(turns)):
        for c in turn["answer"].get("citations", []):
            seen.setdefault(c["article_id"], None)
    return list(seen)
