"""A PDF uploaded in the real page: its answer's citation shows the page; a scanned PDF is explained."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import formats_support as fs
from tests.e2e.conftest import SLOW_MS, Served, ask, new_context, start_serve
from tests.support import free_port, stop

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def own_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A server of its own: the shared one's library must not gain this test's articles."""
    served = start_serve(tmp_path_factory.mktemp("web-formats"), free_port())
    try:
        yield served
    finally:
        stop(served.proc)


def test_an_uploaded_pdf_is_cited_with_its_page(
    browser: Any, own_web: Served, tmp_path: Path, shot: Any
) -> None:
    from playwright.sync_api import expect

    report = tmp_path / "report.pdf"
    report.write_bytes(fs.print_pdf(fs.article_html(), tmp_path, "printed"))
    scanned = tmp_path / "scan.pdf"
    image = f'<body><img src="data:image/png;base64,{_b64(fs.png())}"></body>'
    scanned.write_bytes(fs.print_pdf(image, tmp_path, "scan", header_footer=False))
    context = new_context(browser, own_web.url)
    page = context.new_page()
    page.set_default_timeout(SLOW_MS)
    expect.set_options(timeout=SLOW_MS)
    try:
        page.goto(own_web.url)
        expect(page.locator(".lib-card").first).to_be_visible()
        page.get_by_role("tab", name="File").click()
        page.locator("#add-file input[type=file]").set_input_files(str(report))
        expect(page.locator("#add-status .add-status.ok")).to_contain_text(fs.HEADLINE)
        answer = ask(page, "How much will the state pay?")
        cited = answer.locator(".citation", has_text=fs.PAGE_2B)
        expect(cited.locator(".citation-page")).to_have_text("p. 2")
        shot(page, "formats-pdf-page")
        page.locator("#add-file input[type=file]").set_input_files(str(scanned))
        expect(page.locator("#add-status .add-status.error")).to_contain_text("no text layer (a scanned")
    finally:
        context.close()


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()
