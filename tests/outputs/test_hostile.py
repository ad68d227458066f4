"""Text from an application that looks like markup or script (in its file names, its
manifest and its documents) reaches report.html and index.html as text, through the real
batch, and a real browser (Debian's Chromium under Playwright) shows it without running
any of it or sending any request; the pages carry a Content-Security-Policy that lets only
their own script run."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from checking.batch import check_inbox
from policy.rules import load_rules
from reading.session import Reader
from tests.flows import bad_inputs as bad
from tools.screenshots import CHROMIUM, FLAGS

SCRIPT = "<script>window.__pwned = 1</script>"
IMG = '"><img src=x onerror="window.__pwned = 2">'
LINK = "javascript:window.__pwned = 3"
SVG = "<svg onload=window.__pwned=4>"  # a file name cannot hold the / of </script>
HOSTILE = (SCRIPT, IMG, LINK, SVG)


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "inbox" / "APP-H-0001"
    folder.mkdir(parents=True)
    source, truth = bad.clean_source()
    text = bad.manifest("APP-H-0001")
    files: dict[str, dict[str, object]] = truth["files"]  # type: ignore[assignment]
    applicant = re.search(r"^  name: (.+)$", text, re.MULTILINE)
    assert applicant is not None
    text = text.replace(applicant[1], f"'{SCRIPT}{applicant[1]}'")
    text = re.sub(r"^(\s*supplier:) (.+)$", rf"\1 '\2{IMG.replace(chr(39), chr(39) * 2)}'", text, count=1,
                  flags=re.MULTILINE)
    (folder / "application.yaml").write_text(text, encoding="utf-8")
    for name, f in files.items():
        if f["scan"] is None:
            shutil.copy(source / name, folder / name)
    invoice = next(n for n, f in files.items() if f["doc_type"] == "invoice" and f["scan"] is None)
    (folder / invoice).rename(folder / f"{IMG}.pdf")
    (folder / f"{LINK}.pdf").write_bytes(bad.HTML)
    (folder / f"{SVG}.pdf").write_bytes(b"")
    out = root / "out"
    rules = load_rules()
    check_inbox(root / "inbox", out, date(2025, 7, 31), rules, Reader(rules))
    return out


def test_the_pages_hold_the_text_escaped_and_a_policy(hostile_out: Path) -> None:
    for page in (hostile_out / "index.html", hostile_out / "APP-H-0001" / "report.html"):
        html = page.read_text(encoding="utf-8")
        assert SCRIPT not in html and IMG not in html, page
        assert '<meta http-equiv="Content-Security-Policy"' in html
        policy = re.search(r'Content-Security-Policy" content="([^"]+)"', html)
        assert policy is not None and "default-src 'none'" in policy[1]
        assert "'unsafe-inline'" not in policy[1].split("script-src")[1].split(";")[0]


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is installed by make")
def test_no_script_runs_and_no_request_leaves_the_page(hostile_out: Path) -> None:
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto((hostile_out / "index.html").as_uri())
        body = page.locator("body").inner_text()
        assert SCRIPT in body  # the applicant's name, as text
        page.select_option("#filter", "reject")  # the page's own script still runs
        page.select_option("#filter", "")
        page.click("text=APP-H-0001")
        page.wait_for_load_state()
        body = page.locator("body").inner_text()
        for text in HOSTILE:
            assert text in body, text
        for link in page.locator("a").all():
            href = link.get_attribute("href") or ""
            assert not href.lower().startswith("javascript:"), href
        assert page.evaluate("window.__pwned") is None
        browser.close()
    assert dialogs == []
    allowed = hostile_out.resolve().as_uri()
    assert requests and all(url.startswith(allowed) for url in requests), requests


def test_no_code_runs_a_shell() -> None:
    """Nothing from a document (or anywhere) reaches a shell: no shell is ever started."""
    import ast

    from tests.conftest import ROOT
    from tests.test_architecture import LAYERS

    offenders = []
    for package in LAYERS:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                        and node.value.id in ("os", "subprocess")
                        and node.attr in ("system", "popen", "getoutput", "getstatusoutput")):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.attr}")
                if isinstance(node, ast.keyword) and node.arg == "shell":
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} shell=")
    assert offenders == []
