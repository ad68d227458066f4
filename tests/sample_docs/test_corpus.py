"""The committed corpus holds up: shape, coverage, ground truth consistent with itself."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from stdnum.cn import uscc

from extractors.cnnum import words_to_amount
from intake.manifest import ManifestError, parse_manifest
from model.base import Direction, DocType, FindingCode
from policy.rules import load_rules
from tests.sample_docs.corpus import INBOX, TRUTH, inbox_files, truths

ALL = truths()
D = Decimal


def parties(fields: dict[str, Any]) -> list[dict[str, Any]]:
    return [v for v in fields.values() if isinstance(v, dict) and "name" in v]


def test_truth_lives_outside_the_inbox() -> None:
    assert not TRUTH.is_relative_to(INBOX)
    names = [p.name for p in INBOX.rglob("*")]
    assert not [n for n in names if n.endswith(".json")]
    assert all(not n.lower().startswith("truth") for n in names)


def test_corpus_shape() -> None:
    assert len(ALL) >= 12
    assert {t["direction"] for t in ALL} == {d.value for d in Direction}
    assert sum(t["clean"] for t in ALL) >= 3
    files = [f for t in ALL for f in t["files"].values()]
    assert {f["doc_type"] for f in files} == {d.value for d in DocType}
    scans = Counter(f["scan"] for f in files if f["scan"])
    assert sum(scans.values()) * 3 >= len(files), "at least a third of the files are scans"
    assert set(scans) == {"pdf", "jpg", "png", "tif", "mixed"}
    assert any(t["zipped"] for t in ALL)
    size = sum(p.stat().st_size for p in INBOX.rglob("*") if p.is_file())
    assert size < 40 * 1024 * 1024


def test_every_finding_code_is_planted() -> None:
    planted = {c for t in ALL for c in t["expected_codes"]}
    assert planted == {c.value for c in FindingCode}


def test_expected_forbidden_and_tolerated_partition_the_codes() -> None:
    every = {c.value for c in FindingCode}
    for t in ALL:
        sets = [set(t["expected_codes"]), set(t["forbidden_codes"]), set(t["tolerated_codes"])]
        assert sets[0] | sets[1] | sets[2] == every, t["application_id"]
        assert not (sets[0] & sets[1]) and not (sets[0] & sets[2]) and not (sets[1] & sets[2])


def test_inbox_files_are_the_truth_files() -> None:
    for t in ALL:
        seen = dict(inbox_files(t["application_id"]))
        manifest = seen.pop("application.yaml")
        assert set(seen) == set(t["files"]), t["application_id"]
        for name, data in seen.items():
            assert hashlib.sha256(data).hexdigest() == t["files"][name]["sha256"], name
        if "MANIFEST_INVALID" in t["expected_codes"]:
            with pytest.raises(ManifestError):
                parse_manifest(manifest.decode(), t["application_id"])
        else:
            m = parse_manifest(manifest.decode(), t["application_id"])
            assert m.direction.value == t["direction"]
            contract_nos = {f["fields"]["contract_no"] for f in t["files"].values()
                            if f["doc_type"] == "contract"}
            assert {c.contract_no for c in m.contracts} == contract_nos


def test_file_names_do_not_give_the_type_away() -> None:
    """Names are what applicants type; a few say nothing of the content at all."""
    names = [n for t in ALL for n in t["files"]]
    assert any(re.match(r"IMG_\d{8}_\d+", n) for n in names)
    assert any(" " in n for n in names)


def _codes(t: dict[str, Any]) -> set[str]:
    return set(t["expected_codes"])


@pytest.mark.parametrize("truth", ALL, ids=[t["application_id"] for t in ALL])
def test_ground_truth_agrees_with_itself(truth: dict[str, Any]) -> None:
    codes = _codes(truth)
    broken: Counter[str] = Counter()
    for name, f in truth["files"].items():
        fields, kind = f["fields"], f["doc_type"]
        for party in parties(fields):
            if party["uscc"] and not uscc.is_valid(party["uscc"]):
                broken["uscc"] += 1
        if kind == "invoice":
            items = sum(D(i["amount"]) for i in fields["items"])
            assert items == D(fields["amount_ex_tax"]), name
            tolerance = D("0.01") * len(fields["items"])
            if D(fields["amount_ex_tax"]) + D(fields["tax_amount"]) != D(fields["total_amount"]) \
                    or abs(D(fields["amount_ex_tax"]) * D(fields["tax_rate"])
                           - D(fields["tax_amount"])) > tolerance:
                broken["tax"] += 1
            if words_to_amount(fields["total_in_words"]) != D(fields["total_amount"]):
                broken["words"] += 1
            if fields["invoice_code"] is None:
                assert re.fullmatch(r"\d{20}", fields["invoice_no"]), name
            else:
                assert re.fullmatch(r"\d{10}|\d{12}", fields["invoice_code"]), name
                assert re.fullmatch(r"\d{8}", fields["invoice_no"]), name
        elif kind == "settlement":
            assert sum(D(i["amount"]) for i in fields["items"]) == D(fields["total_amount"]), name
            assert fields["period_start"] <= fields["period_end"]
        elif kind == "contract" and \
                D(fields["unit_price"]) * D(fields["quantity"]) != D(fields["total_amount"]):
            broken["price"] += 1
    assert bool(broken["uscc"]) == ("USCC_INVALID" in codes)
    assert bool(broken["tax"]) == ("TAX_ARITHMETIC" in codes)
    assert bool(broken["words"]) == ("AMOUNT_WORDS_MISMATCH" in codes)
    assert bool(broken["price"]) == ("PRICE_ARITHMETIC" in codes)


@pytest.mark.parametrize("truth", [t for t in ALL if t["subsidy"]],
                         ids=[t["application_id"] for t in ALL if t["subsidy"]])
def test_expected_subsidy_follows_the_policy(truth: dict[str, Any]) -> None:
    rules = load_rules()
    sub = truth["subsidy"]
    rows = sub["per_contract"]
    for r in rows:
        assert D(r["eligible_cost"]) == min(D(r["contract_amount"]), D(r["delivered_in_window"]),
                                            D(r["paid_in_window"]))
        assert D(r["subsidy"]) <= rules.subsidy.rate * D(r["eligible_cost"]) + D("0.01")
        assert D(r["subsidy"]) + D(r["other_subsidies"]) <= \
            rules.subsidy.total_support_share * D(r["eligible_cost"]) + D("0.01") \
            or D(r["subsidy"]) == 0
    assert D(sub["eligible_cost"]) == sum(D(r["eligible_cost"]) for r in rows)
    assert D(sub["subsidy"]) <= rules.subsidy.company_cap
    assert abs(D(sub["subsidy"]) - sum(D(r["subsidy"]) for r in rows)) <= D("0.01") * len(rows)
    assert (sub["capped_by"] is not None) == ("SUBSIDY_CAPPED" in truth["expected_codes"])


def test_declared_amounts_meet_or_miss_the_minimum_as_planted() -> None:
    rules = load_rules()
    for t in ALL:
        if t["subsidy"] is None:
            continue
        total = sum(D(f["fields"]["total_amount"]) for f in t["files"].values()
                    if f["doc_type"] == "contract")
        below = total < rules.min_total.for_direction(Direction(t["direction"]))
        assert below == ("THRESHOLD_NOT_MET" in t["expected_codes"]), t["application_id"]
