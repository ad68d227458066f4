"""The reviewer's pages in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.outputs.test_outputs import _write
from tools.screenshots import CHROMIUM, FLAGS


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is installed by make")
def test_index_links_to_a_report_that_shows_findings_evidence_and_subsidy(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    index = _write(tmp_path / "out")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1400})
        page.goto(index.as_uri())
        assert page.locator("#applications tbody tr").count() == 1
        assert "北京星河智算科技有限公司" in page.locator("#applications tbody").inner_text()
        assert "2.00（暂定）" in page.locator("#applications tbody").inner_text()
        assert "0.00" in page.locator("#totals").inner_text()  # nothing payable until resubmitted
        page.select_option("#filter", "approve")
        assert page.locator("#applications tbody tr:visible").count() == 0
        page.select_option("#filter", "")
        page.click("text=APP-X")
        page.wait_for_load_state()
        assert page.url.endswith("APP-X/report.html")
        assert page.locator("#verdict").inner_text() == "补正后复核"
        applicant = page.locator("#applicant").inner_text()
        assert "北京星河智算科技有限公司" in applicant and "大模型训练应用" in applicant
        assert "96,000,000.00" in applicant
        assert page.locator("#subsidy").is_visible()
        assert page.locator("#findings .finding").count() == 1
        image = page.locator("img.evidence").first
        assert image.is_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        # document text arrives as text, never as markup
        assert "<script>" in page.locator("body").inner_text()
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    assert (tmp_path / "report.png").stat().st_size > 10_000
