"""Headless Chromium (Debian's package) driven by Playwright, against pytest-django's live server."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the background-networking switches Chromium keeps calling home, which on a
# closed network means a flood of refused connections.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Screenshots go here; `make screenshots` points it at docs/.
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR", "test-results"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to
    # run beside one unless told that nothing here is actually asynchronous. Per module:
    # the loop must be gone before a later test on this worker runs one of its own (the
    # MCP tests' anyio.run).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def new_page(
    browser: Browser,
    *,
    locale: str = "ru-RU",
    width: int = 1100,
    javascript: bool = True,
    timezone_id: str = "Europe/Moscow",  # not the machine's: sign-up reads the browser's
) -> Page:
    context = browser.new_context(
        locale=locale,
        viewport={"width": width, "height": 900},
        java_script_enabled=javascript,
        timezone_id=timezone_id,
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2 A/AA violations on the page as it is now."""
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
    results = Axe().run(page, options={"resultTypes": ["violations"], **options})
    return list(results.response["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in violations
    )


# A word broken inside itself ("Пла / нир / оват / ь"): each word of every rendered text
# node must sit on one line box, and a column's name drawn from data-label (::before,
# which no Range reaches) must be wider than its longest word. Machine strings (code,
# pre) may break anywhere, as a token must on a narrow screen.
BROKEN_WORDS = """
() => {
  const problems = [];
  const lang = document.documentElement.lang || undefined;
  const words = new Intl.Segmenter(lang, {granularity: 'word'});
  const skip = 'pre, code, kbd, samp, script, style, svg, select, option, textarea, .visually-hidden';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !node.data.trim() || parent.closest(skip)) continue;
    if (parent.getClientRects().length === 0) continue;
    for (const s of words.segment(node.data)) {
      if (!s.isWordLike || s.segment.length < 2) continue;
      const range = document.createRange();
      range.setStart(node, s.index);
      range.setEnd(node, s.index + s.segment.length);
      const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top);
      if (tops.length > 1 && Math.max(...tops) - Math.min(...tops) > 2)
        problems.push('broken word: ' + s.segment + ' in ' + parent.outerHTML.slice(0, 80));
    }
  }
  const canvas = document.createElement('canvas').getContext('2d');
  for (const e of document.querySelectorAll('[data-label]')) {
    const label = getComputedStyle(e, '::before');
    if (!label.content.startsWith('"') || e.getClientRects().length === 0) continue;
    canvas.font = `${label.fontStyle} ${label.fontWeight} ${label.fontSize} ${label.fontFamily}`;
    const width = parseFloat(label.width);
    for (const word of e.dataset.label.split(/\\s+/))
      if (canvas.measureText(word).width > width + 1)
        problems.push('broken label: ' + word + ' in ' + width.toFixed(0) + ' px');
  }
  return problems;
}
"""


def broken_words(page: Page) -> list[str]:
    return list(page.evaluate(BROKEN_WORDS))
