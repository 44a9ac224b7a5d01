"""`add report.pdf`, `add notes.md`, `add memo.docx` and a PDF link, then ask: the answers cite the
right sentences, with the page for a PDF, in the API, the CLI (text and JSON) and the web page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.build import add_article
from index.models import RawArticle
from index.sentences import split_sentences
from tests import formats_support as fs
from tests.integration.test_cli import run
from tests.support import Page, static_site

QUESTION = "How much will the state pay?"
ARTICLES = Path(__file__).resolve().parent.parent / "data" / "articles"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    path = folder / "report.pdf"
    path.write_bytes(fs.print_pdf(fs.article_html(columns=True), folder, "printed"))
    return path


def _cited(answer, text: str):  # type: ignore[no-untyped-def]
    return next(c for c in answer.citations if c.text == text)


def test_a_pdf_answer_cites_the_sentence_and_its_page(assistant, report):
    article = assistant.add(report).article
    assert article.pages and article.title == fs.HEADLINE
    answer = assistant.ask(QUESTION, article=article.id)
    cited = _cited(answer, fs.PAGE_2B)
    assert cited.page == 2 and cited.to_dict()["page"] == 2
    assert article.text[cited.start : cited.end] == cited.text
    # Reopened from the store, the sentences still know their pages.
    stored = assistant.store.get_article(article.id)
    assert stored.sentences == article.sentences and stored.pages == article.pages


def test_markdown_and_word_answers_cite_clean_sentences(assistant, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text(f"# Bridge notes\n\n*By Lee Park*\n\n{fs.PAGE_1}\n\n- {fs.PAGE_2B}\n", encoding="utf-8")
    memo = tmp_path / "memo.docx"
    memo.write_bytes(fs.docx_bytes([fs.PAGE_1, fs.PAGE_2B], title="Bridge memo"))
    for path in (notes, memo):
        article = assistant.add(path).article
        answer = assistant.ask(QUESTION, article=article.id)
        cited = _cited(answer, fs.PAGE_2B)
        assert cited.page is None and article.text[cited.start : cited.end] == fs.PAGE_2B


@pytest.fixture
def pdf_site(report: Path) -> Iterator[str]:
    body = report.read_bytes()
    # The second is served as a download: the bytes, not the header, say it is a PDF.
    with static_site({"/files/report.pdf": Page(body, "application/pdf"),
                      "/download?id=raw": Page(body, "application/octet-stream")}) as url:
        yield url


def test_a_pdf_link_is_read_like_the_file(settings, embedder, pdf_site):
    from assistant.api import Assistant

    assistant = Assistant(settings.with_(**{"fetch.allow_private": True}), embedder=embedder)
    article = assistant.add_url(pdf_site + "/files/report.pdf").article
    assert article.pages and article.url == pdf_site + "/files/report.pdf"
    # The same bytes as a download (application/octet-stream): sniffed as the same PDF.
    assert assistant.add_url(pdf_site + "/download?id=raw").article.id == article.id
    answer = assistant.ask(QUESTION, article=article.id)
    assert _cited(answer, fs.PAGE_2B).page == 2


def test_the_cli_shows_the_page_in_text_and_json(tmp_path, report):
    data_dir = tmp_path / "cli-data"
    added = json.loads(run(data_dir, "add", str(report), "--json").stdout)[0]
    assert added["created"] and added["notes"] == []
    answer = json.loads(run(data_dir, "ask", QUESTION, "--json").stdout)
    assert {"text": fs.PAGE_2B, "page": 2}.items() <= next(
        c for c in answer["citations"] if c["text"] == fs.PAGE_2B
    ).items()
    assert "(p. 2)" in run(data_dir, "ask", QUESTION).stdout


def test_the_web_page_shows_the_page_of_a_citation():
    from assistant.web.render import render_chat

    citation = {"article_id": "a1", "sentence_id": "s7", "start": 0, "end": 5, "text": fs.PAGE_2B,
                "low_support": False, "support": None, "page": 2}
    answer = {"text": "$180 million.", "mode": "extractive", "abstained": False, "confidence": 0.9,
              "citations": [citation], "claims": []}
    turn = {"question": QUESTION, "answer": answer}
    assert '<span class="citation-page">p. 2</span>' in render_chat([turn], "all", {"a1": "Report"})


def test_an_article_stored_before_markdown_was_rendered_opens_unchanged(settings, embedder):
    """New rules apply to new adds: the markdown article as the old reader stored it (text as given)
    keeps its text and sentence table, byte for byte, when the new code opens the store."""
    from assistant.api import Assistant

    path = ARTICLES / "bridge-vote.md"
    text = path.read_bytes().decode("utf-8")
    old = [[s.id, s.start, s.end, s.paragraph, s.quote_close] for s in split_sentences(text)]
    first = Assistant(settings, embedder=embedder)
    stored = add_article(RawArticle(text=text, source=str(path)), first.store, first.embedder).article
    reopened = Assistant(settings, embedder=embedder).get(stored.id)
    assert reopened.text == text
    assert [[s.id, s.start, s.end, s.paragraph, s.quote_close] for s in reopened.sentences] == old
    assert reopened.sentence("s1").text == "# Council Approves $300 Million Elm Street Bridge Replacement"
    # Adding the file now renders it: a new article; the stored one is untouched.
    new = Assistant(settings, embedder=embedder).add(path).article
    assert new.id != stored.id and not new.text.startswith("#")
    assert Assistant(settings, embedder=embedder).get(stored.id).text == text


def test_a_web_upload_of_a_docx_is_read_and_its_note_shown(assistant, tmp_path):
    from gradio.utils import get_upload_folder  # type: ignore[import-untyped,unused-ignore]

    from assistant.web.handlers import ChatHandlers

    folder = Path(get_upload_folder()) / f"formats-{tmp_path.name}"
    folder.mkdir(parents=True, exist_ok=True)
    memo = folder / "memo.docx"
    memo.write_bytes(fs.docx_bytes([fs.PAGE_1, fs.PAGE_2B], title="Bridge memo", table=[["Year"], ["2026"]]))
    try:
        status, *_ = ChatHandlers(assistant).add_file(str(memo), {}, progress=lambda *a, **k: None)
    finally:
        memo.unlink()
        folder.rmdir()
    assert "Added “Bridge memo”" in status and "1 table was flattened" in status
    assert [a.title for a in assistant.articles()] == ["Bridge memo"]
