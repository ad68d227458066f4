"""The reviewer's pages of the demo batch in a real browser (Debian's Chromium driven by
Playwright): the verdict of every sample application, the arithmetic and reconciliation of
a multi-contract application, the 未核实 panel, a related party's withheld subsidy, one
finding for a shared set of files, the A4 print layout, contrast and keyboard sorting, and
no English code or exception text outside code tags, file names, credit codes and text
quoted from the documents."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from policy.words import say
from reading.pdfium import pdfium_calls
from tests.sample_docs.corpus import truths
from tools.screenshots import CHROMIUM, FLAGS

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                                   reason="Debian's chromium is installed by make")]

Demo = tuple[Path, subprocess.CompletedProcess[str]]

OUR_TEXT = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll("code, script, style, svg, bdi.doc").forEach(e => e.remove());
  return copy.innerText;
}"""
"""The page's own words: without code tags, the timeline and text quoted from documents."""

CONTRAST = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const f = c => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  const lum = ([r, g, b]) => 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const worst = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const what = el.textContent.trim().slice(0, 20);
    if (ratio < 4.5) worst.push(`${el.tagName}.${el.className} ${ratio.toFixed(2)} ${what}`);
  }
  return worst;
}"""
"""Every element with text of its own whose colour against its background is under 4.5:1."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


def _report(out: Path, app_id: str) -> dict[str, Any]:
    return json.loads((out / app_id / "report.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_every_sample_application_opens_with_the_verdict_its_truth_calls_for(
        demo_batch: Demo, browser: Any) -> None:
    out, _ = demo_batch
    page = browser.new_page()
    wrong = []
    for truth in truths():
        page.goto((out / truth["application_id"] / "report.html").as_uri())
        shown = page.locator("#verdict").inner_text()
        allowed = [say("verdicts", v) for v in (truth["verdict"], *truth["verdicts_tolerated"])]
        if shown not in allowed:
            wrong.append(f"{truth['application_id']}: {shown} ∉ {allowed}")
        assert page.locator("#verdict-reasons li").count() >= 1
    assert not wrong, "\n".join(wrong)
    page.goto((out / "index.html").as_uri())
    assert page.locator("#applications tbody tr").count() == len(truths())


def test_a_multi_contract_application_shows_each_contracts_arithmetic_reconciliation_and_timeline(
        demo_batch: Demo, browser: Any) -> None:
    out, _ = demo_batch
    app_id, report = next((t["application_id"], _report(out, t["application_id"])) for t in truths()
                          if len(t["subsidy"]["per_contract"] if t["subsidy"] else []) >= 3)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto((out / app_id / "report.html").as_uri())
    for i, (contract, recon) in enumerate(zip(report["subsidy"]["per_contract"], report["reconciliation"],
                                              strict=True), 1):
        steps = page.locator(f"#steps-{i}").inner_text()
        assert f"{float(contract['eligible_cost']):,.2f} 元" in steps and "20%" in steps
        statements = [e for row in recon["rows"] for e in row["settlements"]]
        invoices = [e for row in recon["rows"] for e in row["invoices"]]
        rows = page.locator(f"#recon-{i} tbody tr")
        assert rows.count() == 1 + len(recon["rows"])  # the contract, then one row per period
        for e in statements + invoices:
            assert f"{float(e['amount']):,.2f} 元" in page.locator(f"#recon-{i}").inner_text()
        svg = page.locator(f"#timeline-{i} svg")
        assert svg.locator("rect.settlement").count() == len([e for e in statements if e["start"]])
        assert svg.locator("path.invoice").count() == len([e for e in invoices if e["day"]])
        assert svg.locator("rect.window").count() == 1
        lines = page.locator(f"#lines-{i} tbody tr:not(.why)")
        assert lines.count() == len(contract["lines"])


def test_the_unverified_panel_lists_every_unsure_field_with_its_crop(demo_batch: Demo, browser: Any) -> None:
    out, _ = demo_batch
    reports = [(t["application_id"], _report(out, t["application_id"])) for t in truths()]
    unsure = [(app_id, r) for app_id, r in reports if r["unverified"]]
    assert unsure, "the demo has no application with a field to verify by hand"
    page = browser.new_page()
    for app_id, report in unsure:
        page.goto((out / app_id / "report.html").as_uri())
        rows = page.locator("#unverified tbody tr")
        assert rows.count() == len(report["unverified"])
        for k, u in enumerate(report["unverified"]):
            assert u["file"] in rows.nth(k).inner_text()
        for img in page.locator("#unverified img").all():
            assert img.evaluate("i => i.complete && i.naturalWidth > 0")
        assert page.locator("#verdict").inner_text() != say("verdicts", "approve")


def test_a_related_party_application_shows_no_payable_subsidy(demo_batch: Demo, browser: Any) -> None:
    out, _ = demo_batch
    app_id = next(t["application_id"] for t in truths() if "RELATED_PARTY" in t["expected_codes"])
    page = browser.new_page()
    page.goto((out / app_id / "report.html").as_uri())
    assert page.locator("#verdict").inner_text() == say("verdicts", "reject")
    payable = page.locator("#payable").inner_text()
    assert "0.00 元" in payable and "不予支持" in payable
    assert page.locator(".finding.veto").first.get_attribute("data-code") == "RELATED_PARTY"
    page.goto((out / "index.html").as_uri())
    assert page.locator(f'tr[data-id="{app_id}"] td').last.inner_text() == "0.00"
    subsidies = [r["subsidy"] for t in truths() if (r := _report(out, t["application_id"]))["subsidy"]]
    payable_total = sum(Decimal(s["payable"]) for s in subsidies if s["state"] == "final")
    assert f"{payable_total:,.2f}" in page.locator("#totals").inner_text()


def test_two_applications_sharing_files_get_one_finding_each_linked_to_the_other(
        demo_batch: Demo, browser: Any) -> None:
    out, _ = demo_batch
    pair = next(t for t in truths() if t["description"].startswith("the company of"))
    other = next(t for t in truths() if t["application_id"] in pair["description"])
    page = browser.new_page()
    for me, them in ((pair, other), (other, pair)):
        report = _report(out, me["application_id"])
        shared = [f for f in report["findings"] if f["code"] == "DUPLICATE_DOCUMENT"
                  and them["application_id"] in f["related_applications"]]
        assert len(shared) == 1 and shared[0]["kind"] == "veto"
        assert len(shared[0]["documents"]) >= 10
        page.goto((out / me["application_id"] / "report.html").as_uri())
        assert page.locator(f"#{shared[0]['finding_id']}").is_visible()
        page.click(f"#{shared[0]['finding_id']} a.related")
        page.wait_for_load_state()
        assert page.url.endswith(f"{them['application_id']}/report.html")
        assert page.locator("#verdict").inner_text() == say("verdicts", "reject")


def test_the_report_prints_on_a4_without_clipped_tables_or_controls(demo_batch: Demo, browser: Any,
                                                                    tmp_path: Path) -> None:
    out, _ = demo_batch
    app_id = max((t["application_id"] for t in truths()), key=lambda a: len(_report(out, a)["documents"]))
    page = browser.new_page()
    page.goto((out / app_id / "report.html").as_uri())
    page.emulate_media(media="print")
    clipped = page.evaluate("""() => [...document.querySelectorAll("table, figure, svg")]
        .filter(t => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                     || t.scrollWidth > t.clientWidth + 1).map(t => t.id || t.className)""")
    assert clipped == []
    assert not page.locator("nav").is_visible() and not page.locator("#back").is_visible()
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    with pdfium_calls() as pdfium:  # PDFium only under the project's lock
        doc = pdfium.PdfDocument(str(pdf))
        try:
            width, height = doc[0].get_size()
            pages = len(doc)
            text = "".join(doc[i].get_textpage().get_text_range() for i in range(pages))
        finally:
            doc.close()
    assert abs(width - 595) < 2 and abs(height - 842) < 2  # A4 in points
    assert pages >= 3
    assert "file://" not in text and "/tmp/" not in text and str(out) not in text
    assert "返回批次汇总" not in text


def test_no_english_code_or_exception_text_reaches_the_reviewer(demo_batch: Demo, browser: Any) -> None:
    out, _ = demo_batch
    page = browser.new_page()
    names: set[str] = set()
    for t in truths():
        report = _report(out, t["application_id"])
        names |= {d["file"] for d in report["documents"]}
        names |= {f for x in report["findings"] for f in x["documents"]}
    leaks = []
    for html in [out / "index.html", *sorted(out.glob("*/report.html"))]:
        page.goto(html.as_uri())
        text = page.evaluate(OUR_TEXT)
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name, " ")
        text = re.sub(r"[0-9A-Z]{18}", " ", text)  # credit codes
        if found := sorted(set(re.findall(r"[A-Za-z_]{6,}", text))):
            leaks.append(f"{html.parent.name}: {found}")
    assert not leaks, "\n".join(leaks)


def test_the_index_sorts_by_keyboard_and_every_text_has_contrast(demo_batch: Demo, browser: Any) -> None:
    out, _ = demo_batch
    page = browser.new_page(viewport={"width": 800, "height": 900})
    page.goto((out / "index.html").as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    page.locator('th[data-key="payable"] button').focus()
    page.keyboard.press("Enter")
    assert page.locator('th[data-key="payable"]').get_attribute("aria-sort") == "ascending"
    values = page.eval_on_selector_all("#applications tbody tr", "rs => rs.map(r => r.dataset.payable)")
    shown = [Decimal(v) for v in values]
    assert shown == sorted(shown)
    page.keyboard.press("Enter")
    assert page.locator('th[data-key="payable"]').get_attribute("aria-sort") == "descending"
    assert page.evaluate(CONTRAST) == []
    for t in truths()[:6]:
        page.goto((out / t["application_id"] / "report.html").as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 800, t["application_id"]
        assert page.evaluate(CONTRAST) == [], t["application_id"]
        page.click("#back")
        page.wait_for_load_state()
        assert page.url.endswith("index.html")


def test_the_documentation_screenshots_are_taken_from_the_pages_and_elements_named(
        demo_batch: Demo, browser: Any, tmp_path: Path) -> None:
    from PIL import Image

    from tools.screenshots import VIEWPORT, main, take

    out, _ = demo_batch
    multi = next(t["application_id"] for t in truths()
                 if t["subsidy"] and len(t["subsidy"]["per_contract"]) >= 2)
    written = take(out, tmp_path, ["APP-2025-0010", f"{multi}#contract-1"], browser=browser)
    assert len(written) == 3
    shots = {p.name: Image.open(p).size for p in tmp_path.glob("*.png")}
    assert shots["index.png"] == (VIEWPORT["width"], VIEWPORT["height"])
    assert shots["report-APP-2025-0010.png"] == (VIEWPORT["width"], VIEWPORT["height"])
    width, height = shots[f"report-{multi}-contract-1.png"]
    assert width < VIEWPORT["width"] and height > 200  # the contract's section only, whole
    assert main([str(out), "APP-2099-0001", "--write", str(tmp_path / "none")]) == 2
