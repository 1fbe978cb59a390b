"""Every shared vector of tests/vectors/*.json, through the installed package."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Dict, List, Tuple

import pytest

import qualys_cs
from conftest import load_vectors, vector_cases

REQUESTS = vector_cases("requests.json")
UPDATES = vector_cases("updates.json")
RESPONSES = vector_cases("responses.json")
NEXT_RUNS = vector_cases("next_runs.json")
TIMEZONES = vector_cases("timezones.json")
PLANS_DOC = load_vectors("plans.json")
PLANS: List[Dict[str, Any]] = PLANS_DOC["cases"]


def ids(cases: List[Dict[str, Any]]) -> List[str]:
    return [str(c["name"]) for c in cases]


def pairs(violations: List[qualys_cs.Violation]) -> List[Tuple[str, str]]:
    """(path, code) pairs, sorted: the vectors compare multisets."""
    return sorted((v.path, v.code) for v in violations)


def expected_pairs(items: List[Dict[str, str]]) -> List[Tuple[str, str]]:
    return sorted((v["path"], v["code"]) for v in items)


def test_every_vector_file_has_cases() -> None:
    counts = {
        "requests": len(REQUESTS),
        "updates": len(UPDATES),
        "responses": len(RESPONSES),
        "next_runs": len(NEXT_RUNS),
        "timezones": len(TIMEZONES),
        "plans": len(PLANS),
    }
    assert all(n > 0 for n in counts.values()), counts


@pytest.mark.parametrize("case", REQUESTS, ids=ids(REQUESTS))
def test_request_vector(case: Dict[str, Any]) -> None:
    if "input_text" in case:
        report = qualys_cs.validate_json(case["input_text"])
    else:
        report = qualys_cs.validate(case["input"])
    assert pairs(report.errors) == expected_pairs(case["errors"])
    assert pairs(report.warnings) == expected_pairs(case["warnings"])
    assert report.valid == (not case["errors"])
    for v in report.errors + report.warnings:
        assert v.message, "every violation carries a message"
    if "canonical" in case:
        request = qualys_cs.ScheduleRequest.from_dict(case["input"])
        assert request.to_dict() == case["canonical"]
        assert qualys_cs.ScheduleRequest.from_json(json.dumps(case["input"])) == request
        # The typed request validates the same as the dict.
        assert pairs(qualys_cs.validate(request).errors) == expected_pairs(case["errors"])


@pytest.mark.parametrize("case", UPDATES, ids=ids(UPDATES))
def test_update_vector(case: Dict[str, Any]) -> None:
    report = qualys_cs.validate_update(case["current"], case["next"])
    assert pairs(report.errors) == expected_pairs(case["errors"])
    assert pairs(report.warnings) == expected_pairs(case["warnings"])
    # Same verdict with typed objects.
    current = qualys_cs.Schedule.from_dict(case["current"])
    typed = qualys_cs.validate_update(current, qualys_cs.ScheduleRequest.from_dict(case["next"]))
    assert typed == report


@pytest.mark.parametrize("case", RESPONSES, ids=ids(RESPONSES))
def test_response_vector(case: Dict[str, Any]) -> None:
    kind = case["kind"]
    if kind == "http_error":
        err = qualys_cs.http_error(case["status"], case["body"], "req-1")
        want = case["expect_error"]
        assert isinstance(err, qualys_cs.QualysCsError)
        assert type(err) is qualys_cs.errors.ERROR_CLASSES[want["code"]]
        assert err.code == want["code"]
        assert err.status == want["status"]
        assert err.qualys_error_code == want["qualys_error_code"]
        assert err.server_message == want["message"]
        assert err.body == want["body"]
        assert err.request_id == "req-1"
        return
    if "expect_error" in case:
        with pytest.raises(qualys_cs.QualysCsError) as info:
            qualys_cs.decode_response(kind, case["body"])
        assert info.value.code == case["expect_error"]["code"]
        assert isinstance(info.value, qualys_cs.DecodeError)
        if "body" in case["expect_error"]:  # only the keys given are checked
            assert info.value.body == case["expect_error"]["body"]
        return
    decoded = qualys_cs.decode_response(kind, case["body"])
    assert decoded.to_dict() == case["expect"]


def test_response_objects_have_typed_attributes() -> None:
    body = next(c for c in RESPONSES if c["name"] == "schedule_page_documented_fields")["body"]
    page = qualys_cs.decode_response("schedule_page", body)
    assert page.count == 1 and len(page) == 1
    s = page[0]
    assert isinstance(s, qualys_cs.Schedule)
    assert s.name == "Automatic Scan Schedule"
    assert s.status == "Completed" and s.is_terminal() and not s.is_running()
    assert s.created == datetime(2022, 6, 2, 11, 39, 9, 515000, tzinfo=timezone.utc)
    assert s.errors[0].error_code == "REG_101"
    assert s.filters[0].repo_tags[0].repo == "azuretest"


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("case", NEXT_RUNS, ids=ids(NEXT_RUNS))
def test_next_runs_vector(case: Dict[str, Any]) -> None:
    if "expect_error" in case:
        with pytest.raises(qualys_cs.QualysCsError) as info:
            qualys_cs.next_runs(case["request"], case["created"], case["after"], case["n"])
        assert info.value.code == case["expect_error"]
        return
    got = qualys_cs.next_runs(case["request"], case["created"], case["after"], case["n"])
    assert got == [_instant(t) for t in case["expect"]]
    assert all(t.tzinfo is not None for t in got)
    # datetimes work as well as text.
    again = qualys_cs.next_runs(
        case["request"], _instant(case["created"]), _instant(case["after"]), case["n"]
    )
    assert again == got


@pytest.mark.parametrize("case", TIMEZONES, ids=ids(TIMEZONES))
def test_timezone_vector(case: Dict[str, Any]) -> None:
    args = (case["local_time"], case["zone"], case.get("week_day"), case["reference"])
    if "expect_error" in case:
        with pytest.raises(qualys_cs.ValidationError) as info:
            qualys_cs.local_to_utc(*args)
        assert info.value.violations[0].code == case["expect_error"]
        return
    conv = qualys_cs.local_to_utc(*args)
    e = case["expect"]
    assert conv.utc_time == e["utc_time"]
    assert conv.utc_week_day == e["utc_week_day"]
    assert conv.day_shift == e["day_shift"]
    assert conv.offset_minutes == e["offset_minutes"]
    assert [w.code for w in conv.warnings] == [w["code"] for w in e["warnings"]]
    for w, got in zip(e["warnings"], conv.warnings):
        assert w.get("contains", "") in got.message


@pytest.mark.parametrize("case", PLANS, ids=ids(PLANS))
def test_plan_vector(case: Dict[str, Any]) -> None:
    actual = [
        {"registry": PLANS_DOC["registry"], "schedules": a["schedules"]} for a in case["actual"]
    ]
    p = qualys_cs.plan(
        case["desired"],
        actual,
        prune=bool(case.get("prune", False)),
        reference="2026-06-01T00:00:00Z",
    )
    want = case["expect"]
    assert [(i.registry, i.name, i.action) for i in p.items] == [
        (w["registry"], w["name"], w["action"]) for w in want
    ], p.render_text()
    for w, item in zip(want, p.items):
        if "fields" in w:
            assert [c.field for c in item.changes] == w["fields"]
        if "unknown" in w:
            # Fields the answer did not report: unknown, never equal (spec §6b).
            assert [c.field for c in item.changes if c.unknown] == w["unknown"]
            assert all(c.from_ is None for c in item.changes if c.unknown)
        if "reason_contains" in w:
            assert w["reason_contains"] in (item.reason or "")
    assert p.unmanaged == case.get("expect_unmanaged", 0)
    assert "Plan: " in p.render_text()
    assert qualys_cs.Plan.from_dict(p.to_dict()) == p
