"""Models: the builder mirrors Rust's, dicts in wire format, typed results, repr/to_dict/pickle."""

from __future__ import annotations

import pickle
from datetime import datetime, timezone

import pytest

import qualys_cs
from qualys_cs import ScheduleRequest


def test_builder_of_each_kind() -> None:
    r = ScheduleRequest.on_demand("now").repo_tags("nginx", ["latest", "1.25"]).build()
    assert r.on_demand is True and r.schedule_interval_in_days is None
    assert r.filters[0].repo_tags[0].tag == "latest,1.25"

    d = ScheduleRequest.daily("d", "19:30").repo("app").created_within_days(7).build()
    assert (d.on_demand, d.schedule_interval_in_days, d.schedule) == (False, 1, "19:30")
    assert d.filters[0].days == 7

    w = (
        ScheduleRequest.weekly("w", qualys_cs.WeekDay.THURSDAY)
        .at("06:55")
        .repos(["a", "b"])
        .registry_type(qualys_cs.RegistryType.AZURE)
        .force_scan(True)
        .build()
    )
    assert (w.week_day, w.schedule, w.registry_type, w.force_scan) == (
        "THURSDAY",
        "06:55",
        "Azure",
        True,
    )
    assert [t.repo for t in w.filters[0].repo_tags] == ["a", "b"]

    e = ScheduleRequest.every_days("e", 10).repo("app").latest_tags(5).build()
    assert e.schedule_interval_in_days == 10
    assert e.additional_filters is not None
    assert (e.additional_filters.number_of_tags, e.additional_filters.sort_criteria) == (
        5,
        "createdDate",
    )
    assert e.is_automatic() and not r.is_automatic()


def test_builder_kinds_only_offer_their_options() -> None:
    # As in Rust: a daily schedule has no force_scan, only weekly has at().
    assert not hasattr(qualys_cs.DailyBuilder, "force_scan")
    assert not hasattr(qualys_cs.OnDemandBuilder, "at")
    assert not hasattr(qualys_cs.EveryDaysBuilder, "at")
    assert hasattr(qualys_cs.WeeklyBuilder, "at") and hasattr(qualys_cs.WeeklyBuilder, "force_scan")


def test_on_demand_is_constructor_on_class_and_flag_on_instance() -> None:
    builder = ScheduleRequest.on_demand("x")
    assert isinstance(builder, qualys_cs.OnDemandBuilder)
    req = builder.repo("r").build()
    assert req.on_demand is True
    auto = ScheduleRequest.daily("d", "01:00").repo("r").build()
    assert auto.on_demand is False


def test_build_unchecked_and_validate() -> None:
    r = ScheduleRequest.daily("", "25:00").build_unchecked()
    report = r.validate()
    assert not report.valid and not report
    assert [v.code for v in report.errors] == [
        "name_required",
        "invalid_schedule_time",
        "repo_tags_required",
    ]
    with pytest.raises(qualys_cs.ValidationError):
        report.raise_for_errors()
    ok = ScheduleRequest.on_demand("x").repo("r").build().validate()
    assert ok.valid and ok.raise_for_errors() == []


def test_dicts_in_wire_format_round_trip() -> None:
    wire = {
        "name": "Automatic Scan Schedule",
        "OnDemand": False,
        "scheduleScanIntervalInDays": 7,
        "weekDay": "THURSDAY",
        "filters": [{"days": None, "repoTags": [{"repo": "azuretest", "tag": None}]}],
        "futureField": {"a": 1},
    }
    r = ScheduleRequest.from_dict(wire)
    assert r.on_demand is False and r.schedule_interval_in_days == 7
    assert r.extra == {"futureField": {"a": 1}}
    out = r.to_dict()
    assert out["onDemand"] is False and "OnDemand" not in out  # canonical names
    assert out["futureField"] == {"a": 1}
    assert ScheduleRequest.from_dict(out) == r
    assert ScheduleRequest.from_json(r.to_json()) == r
    with pytest.raises(qualys_cs.ValidationError) as info:
        ScheduleRequest.from_dict({"name": 5, "filters": "no"})
    assert {v.path for v in info.value.violations} == {"/name", "/filters"}
    # A value that is not JSON is a validation error naming where it sits (issue 16).
    with pytest.raises(qualys_cs.ValidationError) as te:
        qualys_cs.validate({"name": object()})
    assert [(v.path, v.code) for v in te.value.violations] == [("/name", "wrong_type")]
    assert "object cannot be sent as JSON" in str(te.value)


def test_models_repr_eq_pickle() -> None:
    r = ScheduleRequest.weekly("nightly", "MONDAY").repo("nginx").build()
    assert repr(r).startswith("ScheduleRequest(name='nightly', on_demand=False")
    assert pickle.loads(pickle.dumps(r)) == r
    assert r != ScheduleRequest.weekly("other", "MONDAY").repo("nginx").build()
    s = qualys_cs.Schedule.from_dict(
        {"scheduleUuid": "5f0c7b8e-1d2a-4b3c-9e4f-0a1b2c3d4e5f", "name": "n", "status": "Running",
         "created": "1654169949515", "mystery": [1]}
    )
    assert s.is_running() and not s.can_cancel() is False
    assert s.created == datetime(2022, 6, 2, 11, 39, 9, 515000, tzinfo=timezone.utc)
    assert s.extra == {"mystery": [1]}
    assert "status='Running'" in repr(s)
    assert pickle.loads(pickle.dumps(s)) == s
    assert s.to_request().name == "n"
    v = qualys_cs.Violation("/a", "b", "c")
    assert repr(v) == "Violation(path='/a', code='b', message='c')"
    assert str(v) == "/a: c (b)" and v.to_dict() == {"path": "/a", "code": "b", "message": "c"}
    assert hash(v) == hash(qualys_cs.Violation("/a", "b", "c"))


def test_page_is_generic_and_iterable() -> None:
    page: qualys_cs.Page[qualys_cs.Schedule] = qualys_cs.decode_response(
        "schedule_page", '{"count": 3, "data": [{"scheduleUuid": "x", "name": "a"}]}'
    )
    assert page.count == 3 and [s.name for s in page] == ["a"]
    assert qualys_cs.Page[qualys_cs.Schedule] is qualys_cs.Page
    assert pickle.loads(pickle.dumps(page)).to_dict() == page.to_dict()


def test_enums_match_the_core() -> None:
    assert [d.value for d in qualys_cs.WeekDay] == qualys_cs.WEEK_DAYS
    assert [t.value for t in qualys_cs.RegistryType] == qualys_cs.REGISTRY_TYPES
    assert [s.value for s in qualys_cs.ScheduleStatus] == qualys_cs.SCHEDULE_STATUSES
    assert {c for c, _, _ in qualys_cs.RULES} >= {"name_required", "unknown_field"}
    assert ("US2", "https://gateway.qg2.apps.qualys.com") in qualys_cs.PLATFORMS


def test_explain_next_runs_zones() -> None:
    r = ScheduleRequest.daily("d", "19:30").repo("nginx").build()
    assert "19:30 UTC" in r.explain() and qualys_cs.explain(r.to_dict()) == r.explain()
    runs = r.next_runs("2026-01-01T00:00:00Z", "2026-01-05T10:00:00Z", 2)
    assert [t.isoformat() for t in runs] == [
        "2026-01-05T19:30:00+00:00",
        "2026-01-06T19:30:00+00:00",
    ]
    with pytest.raises(ValueError, match="timezone-aware"):
        r.next_runs(datetime(2026, 1, 1), datetime(2026, 1, 2))
    zoned = qualys_cs.next_runs_in_zone(r, "2026-01-01T00:00:00Z", "2026-01-05T10:00:00Z", 1,
                                        "Europe/Berlin")
    assert zoned == ["2026-01-05T20:30:00+01:00[Europe/Berlin]"]
    builder, conv = ScheduleRequest.weekly_in_zone(
        "w", "MONDAY", "00:30", "Europe/Berlin", "2026-01-10T00:00:00Z"
    )
    w = builder.repo("x").build()
    assert (w.week_day, w.schedule, conv.day_shift) == ("SUNDAY", "23:30", -1)
    daily, c2 = ScheduleRequest.daily_in_zone("d", "02:00", "UTC")
    assert daily.repo("x").build().schedule == "02:00" and c2.offset_minutes == 0


def test_desired_state_and_plan() -> None:
    text = """
version: 1
registries:
  - registry: demo-registry
    schedules:
      - name: nightly
        daily: "02:00"
        repos: [library/nginx]
"""
    state = qualys_cs.load_desired_state(text, "desired.yaml", "2026-06-01T00:00:00Z")
    assert [r.registry for r in state.registries] == ["demo-registry"]
    sched = state.registries[0].schedules[0]
    assert sched.name == "nightly" and sched.request.schedule == "02:00" and sched.line == 6
    registry = {"registryUuid": qualys_cs.DEMO_REGISTRY_ID, "registryName": "demo-registry"}
    p = qualys_cs.plan(state, [{"registry": registry, "schedules": []}])
    assert [(i.name, i.action, i.is_change()) for i in p.items] == [("nightly", "create", True)]
    assert p.summary().create == 1 and not p.is_empty()
    with pytest.raises(qualys_cs.ValidationError) as info:
        qualys_cs.load_desired_state("registries:\n  - registry: r\n    schedules:\n      - name: x\n")
    assert info.value.violations


def test_policies() -> None:
    r = qualys_cs.RetryPolicy(max_attempts=3, base_delay=0.01)
    assert (r.max_attempts, r.base_delay) == (3, 0.01)
    assert r.max_delay == 20.0 and r.max_elapsed == 60.0
    assert qualys_cs.RetryPolicy.none().max_attempts == 1
    assert r == qualys_cs.RetryPolicy(max_attempts=3, base_delay=0.01)
    p = qualys_cs.RateLimitPolicy(max_concurrency=4)
    assert (p.max_concurrency, p.initial_limit, p.enabled) == (4, 1000, True)
    assert not qualys_cs.RateLimitPolicy.disabled().enabled
    assert "max_attempts=3" in repr(r)
    with pytest.raises(ValueError):
        qualys_cs.RetryPolicy(base_delay=-1)
