"""Screenshots of a batch's pages for the documentation: the index and the reports named,
each as a reviewer first sees it (the top of the page in a 1400 × 1000 window, in Debian's
Chromium), written as PNG files.

    python -m tools.screenshots out/demo --write docs/img APP-2025-0010 APP-2025-0003#contract-1
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
"""Debian's Chromium, which make installs."""
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
"""Headless as root, offline: nothing is fetched, nothing is updated."""
VIEWPORT = {"width": 1400, "height": 1000}


def take(out: Path, target: Path, applications: list[str], full: bool = False,
         browser: Any = None) -> list[Path]:
    """The index of ``out`` and each application's report, as ``index.png`` and
    ``report-<id>.png`` under ``target``; ``APP-2025-0003#contract-1`` takes only the element
    of that id, as ``report-APP-2025-0003-contract-1.png``. ``browser``: a Playwright browser
    already running (else Chromium is started for the purpose)."""
    out = out.resolve()
    pages = [("index", out / "index.html", "")]
    for a in applications:
        app, _, part = a.partition("#")
        pages.append((f"report-{app}" + (f"-{part}" if part else ""), out / app / "report.html", part))
    missing = [str(p) for _, p, _ in pages if not p.is_file()]
    if missing:
        raise FileNotFoundError("找不到页面：" + "、".join(missing))
    target.mkdir(parents=True, exist_ok=True)
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            started = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            try:
                return _shoot(started, pages, target, full)
            finally:
                started.close()
    return _shoot(browser, pages, target, full)


def _shoot(browser: Any, pages: list[tuple[str, Path, str]], target: Path, full: bool) -> list[Path]:
    written = []
    page = browser.new_page(viewport=VIEWPORT)
    try:
        for name, html, part in pages:
            page.goto(html.as_uri())
            page.wait_for_load_state("load")
            png = target / f"{name}.png"
            if part:
                page.locator(f"#{part}").screenshot(path=str(png))
            else:
                page.screenshot(path=str(png), full_page=full)
            written.append(png)
    finally:
        page.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.screenshots", description=__doc__)
    parser.add_argument("out", type=Path, help="a batch's output folder (holds index.html)")
    parser.add_argument("applications", nargs="*",
                        help="the applications whose reports to take (APP#id: only that element)")
    parser.add_argument("--write", type=Path, required=True, help="where the PNG files go")
    parser.add_argument("--full", action="store_true", help="the whole page, not the first screen")
    args = parser.parse_intermixed_args(argv)
    try:
        for png in take(args.out, args.write, args.applications, args.full):
            print(png)
    except FileNotFoundError as e:
        print(e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
