"""A catalogue of bad uploads through the real batch (the Prefect flow under its test
harness), one application each, in one inbox: every one gets a clear Chinese finding that
names the file and what is wrong, the rest of that application is still read and checked,
and so is the rest of the batch. The inbox is not changed and nothing is written outside
the output folder."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from model.report import Report
from tests.flows import bad_inputs as bad
from tests.flows.bad_inputs import LINK, Case, folder_with, named, one_file, zipped


def _empty_folder(inbox: Path, app_id: str) -> str:
    (inbox / app_id).mkdir()
    return "application.yaml"


def _no_manifest(inbox: Path, app_id: str) -> str:
    folder_with({}, with_manifest=False)(inbox, app_id)
    return "application.yaml"


def _link_out(inbox: Path, app_id: str) -> str:
    folder_with({})(inbox, app_id)
    outside = inbox.parent / "outside-secret.pdf"
    outside.write_bytes(bad.corpus_file("invoice"))
    os.symlink(outside, inbox / app_id / "发票.pdf")
    return "发票.pdf"


def _folder_link_out(inbox: Path, app_id: str) -> str:
    outside = inbox.parent / "outside-folder"
    folder_with({})(outside.parent, outside.name)
    os.symlink(outside, inbox / app_id)
    return app_id


def _bad_bytes_name(inbox: Path, app_id: str) -> str:
    folder_with({})(inbox, app_id)
    raw = "发票".encode("gbk") + b"\xff.pdf"  # GBK from Windows, one byte no encoding reads
    (inbox / app_id / os.fsdecode(raw)).write_bytes(bad.corpus_file("invoice"))
    return "发票\ufffd.pdf"  # shown as GBK, the bad byte as �


def _bomb_by_total(inbox: Path, app_id: str) -> str:
    bad.zip_bomb_by_total(inbox / f"{app_id}.zip")
    return f"{app_id}.zip"


def _gbk_zip(inbox: Path, app_id: str) -> str:
    files = {"application.yaml": bad.manifest(app_id).encode(), "算力合同.pdf": bad.corpus_file("contract")}
    (inbox / f"{app_id}.zip").write_bytes(bad.gbk_names(files))
    return "算力合同.pdf"


LONG = "发票-" + "a" * 196 + ".pdf"

CATALOGUE: list[Case] = [
    Case("zero-byte file", "APP-B-01", one_file("空文件.pdf", b""), "DOC_UNREADABLE", ("文件为空",)),
    Case("truncated PDF", "APP-B-02", one_file("结算单.pdf", bad.truncated_pdf), "DOC_UNREADABLE",
         ("PDF 文件损坏",)),
    Case("PDF with a wrong startxref", "APP-B-03", one_file("结算单.pdf", bad.wrong_startxref),
         "FILE_IRREGULAR", ("交叉引用表损坏", "已修复"), read_too=("contract", "settlement")),
    Case("PDF with a garbled xref table", "APP-B-04", one_file("结算单.pdf", bad.garbled_xref),
         "DOC_UNREADABLE", ("PDF 结构损坏",)),
    Case("encrypted PDF with a user password", "APP-B-05",
         one_file("加密.pdf", lambda: bad.pdf(encrypt=bad.StandardEncryption("secret", "owner"))),
         "DOC_UNREADABLE", ("打开密码",)),
    Case("encrypted PDF without a user password", "APP-B-06",
         one_file("权限.pdf", lambda: bad.pdf(encrypt=bad.StandardEncryption("", "owner", canPrint=0))),
         "FILE_IRREGULAR", ("权限密码", "已读取")),
    Case("2,000 pages", "APP-B-07", one_file("两千页.pdf", lambda: bad.pdf(pages=2000)), "DOC_UNREADABLE",
         ("页数 2000 超过上限",)),
    Case("a 20,000 x 20,000 pt page", "APP-B-08", one_file("巨幅.pdf", lambda: bad.pdf(size=(20000, 20000))),
         "DOC_UNREADABLE", ("第 1 页尺寸 20,000×20,000 点", "超过上限")),
    Case("a 30,000 x 30,000 px image", "APP-B-09",
         one_file("巨图.png", lambda: bad.png_claiming(30000, 30000)),
         "DOC_UNREADABLE", ("像素", "超过上限")),
    Case("a decompression bomb", "APP-B-10",
         one_file("炸弹.png", lambda: bad.png_claiming(12000, 10000, rows=10000)), "DOC_UNREADABLE",
         ("12,000×10,000 像素", "超过上限")),
    Case("a PNG named .pdf", "APP-B-11", one_file("结算确认单.pdf", bad.png_of_pdf_page), "FILE_IRREGULAR",
         ("扩展名为 .pdf", "内容实为 PNG"), read_too=("contract", "settlement")),
    Case("a PDF named .jpg", "APP-B-12", one_file("发票.jpg", lambda: bad.corpus_file("invoice")),
         "FILE_IRREGULAR", ("扩展名为 .jpg", "内容实为 PDF"), read_too=("contract", "invoice")),
    Case("an executable named .pdf", "APP-B-13", one_file("合同附件.pdf", bad.ELF), "DOC_UNREADABLE",
         ("可执行程序",)),
    Case("an HTML page named .pdf", "APP-B-14", one_file("发票查验.pdf", bad.HTML), "DOC_UNREADABLE",
         ("网页（HTML）",)),
    Case(".docx", "APP-B-15", one_file("使用说明.docx", lambda: bad.office("docx")), "DOC_UNREADABLE",
         ("Word 文档",)),
    Case(".xlsx", "APP-B-16", one_file("结算明细.xlsx", lambda: bad.office("xlsx")), "DOC_UNREADABLE",
         ("Excel 表格",)),
    Case("an empty application folder", "APP-B-17", _empty_folder, "MANIFEST_INVALID",
         ("application.yaml 缺失", "没有其他材料"), status="error", read_too=()),
    Case("a folder without application.yaml", "APP-B-18", _no_manifest, "MANIFEST_INVALID",
         ("application.yaml 缺失", "其余材料已读取"), status="error"),
    Case("a blank scan", "APP-B-19", one_file("扫描件.jpg", bad.blank_scan), "DOC_UNREADABLE",
         ("没有识别到任何文字",)),
    Case("an upside-down scan", "APP-B-20", one_file("结算确认单.jpg", bad.upside_down_scan),
         "FILE_IRREGULAR",
         ("上下颠倒", "已转正"), read_too=("contract", "settlement")),
    Case("a phone photo at an angle", "APP-B-21", one_file("手机拍照.jpg", bad.phone_photo), "FILE_IRREGULAR",
         ("背景", "拍照件", "已读取"), read_too=("contract", "settlement")),
    Case("a name with spaces", "APP-B-22", named("04 发票  扫描 件.pdf"), "", (),
         read_too=("contract", "invoice")),
    Case("a Chinese name", "APP-B-23", named("增值税专用发票（第一联）.pdf"), "", (),
         read_too=("contract", "invoice")),
    Case("a name with quotes", "APP-B-24", named("发票\"最终版\"'签章'.pdf"), "", (),
         read_too=("contract", "invoice")),
    Case("a name with a leading dash", "APP-B-25", named("-rf 发票.pdf"), "", (),
         read_too=("contract", "invoice")),
    Case("a 200-character name", "APP-B-26", named(LONG), "", (), read_too=("contract", "invoice")),
    Case("a name in invalid UTF-8", "APP-B-27", _bad_bytes_name, "", (), read_too=("contract", "invoice")),
    Case("a symlink out of the inbox", "APP-B-28", _link_out, "DOC_UNREADABLE", ("收件目录之外",)),
    Case("an application folder linked from outside", "APP-B-29", _folder_link_out, "DOC_UNREADABLE",
         ("收件目录之外",), status="error", read_too=()),
    Case("a zip entry climbing out (../)", "APP-B-30",
         zipped(lambda: [("../../逃逸.pdf", bad.corpus_file("invoice"))], "逃逸.pdf"), "DOC_UNREADABLE",
         ("指向压缩包之外",)),
    Case("a zip entry with an absolute path", "APP-B-31",
         zipped(lambda: [("/etc/发票.pdf", bad.corpus_file("invoice"))], "发票.pdf"), "DOC_UNREADABLE",
         ("指向压缩包之外",)),
    Case("a symlink entry in a zip", "APP-B-32",
         zipped(lambda: [(bad._info("链接.pdf", external_attr=LINK << 16), b"/etc/passwd")], "链接.pdf"),
         "DOC_UNREADABLE", ("符号链接",)),
    Case("a zip bomb by ratio", "APP-B-33",
         zipped(lambda: [("附件.pdf", b"%PDF-1.4\n" + b"\0" * 40_000_000)], "附件.pdf"), "DOC_UNREADABLE",
         ("压缩比", "压缩炸弹")),
    Case("a zip bomb by total size", "APP-B-34", _bomb_by_total, "DOC_UNREADABLE", ("超过上限", "压缩炸弹"),
         status="error", read_too=()),
    Case("a zip inside the zip", "APP-B-35",
         zipped(lambda: [("补充材料.zip", bad.zip_of([("发票.pdf", bad.corpus_file("invoice"))]))],
                "补充材料.zip"),
         "DOC_UNREADABLE", ("zip 压缩包", "不展开")),
    Case("two zip entries with one name", "APP-B-36",
         zipped(lambda: [("发票.pdf", bad.corpus_file("invoice")), ("发票.pdf", bad.corpus_file("invoice"))],
                "发票（2）.pdf"), "DUPLICATE_DOCUMENT", ("多个条目名为", "发票.pdf")),
    Case("an encrypted zip entry", "APP-B-37",
         zipped(lambda: [("发票.pdf", bad.corpus_file("invoice"))], "发票.pdf", locked="发票.pdf"),
         "DOC_UNREADABLE",
         ("已加密",)),
    Case("zip names in GBK", "APP-B-38", _gbk_zip, "FILE_IRREGULAR", ("GBK 编码", "已按 GBK 读出")),
]


def _hashes(root: Path) -> dict[str, str]:
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            if not path.is_symlink():
                out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _listing(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture(scope="module")
def catalogue_run(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from prefect.task_runners import ThreadPoolTaskRunner

    from tests.flows.test_flow import _run

    work = tmp_path_factory.mktemp("catalogue")
    inbox = work / "inbox"
    inbox.mkdir()
    shown = {case.app_id: case.build(inbox, case.app_id) for case in CATALOGUE}
    good = inbox / "APP-B-99"  # a clean application beside them all
    shutil.copytree(bad.clean_source()[0], good, ignore=shutil.ignore_patterns("*.jpg"))
    (good / "application.yaml").write_text(bad.manifest("APP-B-99"), encoding="utf-8")
    for path in [inbox, *inbox.rglob("*")]:  # the inbox read only
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~0o222)
    before, around = _hashes(inbox), _listing(work) - {"out"}
    out = work / "out"
    state = _run(inbox, out, ThreadPoolTaskRunner(max_workers=2))
    for path in [inbox, *inbox.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o200)
    reports = {p.parent.name: Report.model_validate_json(p.read_text(encoding="utf-8"))
               for p in out.glob("*/report.json")}
    return {"state": state, "out": out, "inbox": inbox, "work": work, "shown": shown, "reports": reports,
            "before": before, "after": _hashes(inbox), "around": around}


@pytest.mark.parametrize("case", CATALOGUE, ids=[c.kind for c in CATALOGUE])
def test_each_bad_input_is_told_and_the_rest_is_checked(catalogue_run: dict[str, Any], case: Case) -> None:
    report: Report = catalogue_run["reports"][case.app_id]
    shown: str = catalogue_run["shown"][case.app_id]
    if case.code:
        told = [f for f in report.findings if f.code.value == case.code and shown in f.message]
        assert told, [(f.code.value, f.message) for f in report.findings]
        messages = [f.message for f in told]
        assert any(all(word in m for word in case.says) for m in messages), messages
        assert not any(re.search(r"[A-Za-z]+(Error|Exception)\b|Traceback", m) for m in messages), messages
    else:  # an awkward name: the file is simply read, under the name it was given
        [doc] = [d for d in report.documents if d.file.startswith(shown)]
        assert doc.doc_type.value in case.read_too and not doc.errors
    if case.status:
        assert report.status.value == case.status
    else:
        assert report.status.value != "error" or any(d.not_processed for d in report.documents)
    types = {d.doc_type.value for d in report.documents if not d.errors}
    assert set(case.read_too) <= types, [(d.file, d.doc_type.value, d.errors) for d in report.documents]
    if "contract" in case.read_too:
        [contract] = [d for d in report.documents if d.doc_type.value == "contract"]
        assert contract.fields is not None and getattr(contract.fields, "contract_no", None) is not None


def test_the_batch_finishes_with_every_application(catalogue_run: dict[str, Any]) -> None:
    assert catalogue_run["state"].is_completed()
    assert set(catalogue_run["reports"]) == {c.app_id for c in CATALOGUE} | {"APP-B-99"}
    clean = catalogue_run["reports"]["APP-B-99"]
    assert clean.status.value != "error" and clean.subsidy is not None
    out: Path = catalogue_run["out"]
    summary = (out / "summary.csv").read_text(encoding="utf-8-sig")
    assert all(c.app_id in summary for c in CATALOGUE)
    assert not list(out.rglob(".tmp-*"))


def test_the_inbox_is_unchanged_and_nothing_is_written_outside_the_output(
        catalogue_run: dict[str, Any]) -> None:
    assert catalogue_run["after"] == catalogue_run["before"]
    work: Path = catalogue_run["work"]
    assert _listing(work) - {p for p in _listing(work) if p == "out" or p.startswith("out/")} \
        == catalogue_run["around"]


def test_reports_show_no_server_paths(catalogue_run: dict[str, Any]) -> None:
    out: Path = catalogue_run["out"]
    secret = str(catalogue_run["work"])
    for path in [*out.glob("*/report.*"), out / "index.html", out / "summary.csv", out / "findings.csv"]:
        assert secret not in path.read_text(encoding="utf-8", errors="replace"), path
