"""Issue 16 at the Python boundary: results pickle, dates are datetimes with the raw value kept,
wrong Python types and enum values are our `ValidationError` (path, fix, did-you-mean), and no
message speaks Rust."""

from __future__ import annotations

import pickle
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, List

import pytest

import qualys_cs
from conftest import on_demand, weekly
from qualys_cs import Client, Emulator, ScheduleRequest

UNKNOWN_ID = "889ea97d-5b9c-4e34-9783-a40eae8d8feb"

# What a message must never hold: Rust types, Rust call syntax, Rust-only setting names.
RUST = re.compile(
    r"rust type|\bString\b|\b[ui](8|16|32|64|size)\b|Vec<|Option<|\w::\w|PyString|PyAny|"
    r"request_timeout_ms|allow_insecure_http\(true\)|credentials\(|serde"
)


def test_created_and_policies_pickle(client: Client, registry_id: str) -> None:
    created = client.create_schedule(registry_id, weekly("p"))
    back = pickle.loads(pickle.dumps(created))
    assert isinstance(back, qualys_cs.Created) and back == created
    assert (back.schedule_uuid, back.recovered, back.warnings) == (
        created.schedule_uuid, False, [])
    for policy in (
        qualys_cs.RetryPolicy(max_attempts=3, base_delay=0.25),
        qualys_cs.RetryPolicy.none(),
        qualys_cs.RateLimitPolicy(max_concurrency=2, initial_window=1.5),
    ):
        again = pickle.loads(pickle.dumps(policy))
        assert type(again) is type(policy) and again == policy and repr(again) == repr(policy)
    # A pickled policy still configures a client.
    retry = pickle.loads(pickle.dumps(qualys_cs.RetryPolicy(max_attempts=1)))
    c = Client(gateway_url="http://127.0.0.1:9", token="t", retry=retry)
    assert c.gateway_url == "http://127.0.0.1:9"


def test_dates_are_aware_datetimes_with_the_raw_value_kept(
    client: Client, registry_id: str, emu: Emulator
) -> None:
    before = emu.now()
    sid = client.create_schedule(registry_id, on_demand("dated")).schedule_uuid
    emu.advance_clock(10)  # the job runs and completes
    s = client.get_schedule(registry_id, sid)
    assert isinstance(s.created, datetime) and s.created.tzinfo is not None
    assert s.created.utcoffset() == timedelta(0)
    assert abs(s.created - before) < timedelta(seconds=5)
    # The raw epoch-millisecond string stays in `<name>_raw` and `raw` (and `to_dict()`).
    assert s.created_raw is not None and s.created_raw.isdigit()
    assert s.created_raw == s.raw["created"]
    raw_ms = int(s.raw["created"])
    assert s.created == datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=raw_ms)
    assert s.to_dict()["created"] == s.raw["created"]
    assert isinstance(s.job_completion_date, datetime)
    assert s.job_completion_date >= s.created
    # Registries too.
    reg = next(iter(client.list_registries_all()))
    assert reg.created is None or reg.created.tzinfo is not None
    # next_runs are datetimes in UTC on every path.
    daily = ScheduleRequest.daily("d", "19:30").repo("x").build()
    runs = daily.next_runs(s.created, s.created, 2)
    assert all(isinstance(r, datetime) and r.utcoffset() == timedelta(0) for r in runs)
    assert runs[1] - runs[0] == timedelta(days=1)
    assert qualys_cs.next_runs(daily.to_dict(), s.created, s.created, 2) == runs
    # The core reads an unreadable date as absent (the answer is still decoded).
    odd = qualys_cs.Schedule.from_dict({"scheduleUuid": sid, "name": "n", "created": "soon"})
    assert odd.created is None and odd.created_raw is None
    # RFC 3339 text is read too; the canonical raw value is epoch ms as text.
    iso = qualys_cs.Schedule.from_dict(
        {"scheduleUuid": sid, "name": "n", "created": "2022-06-02T11:39:09.515Z"})
    assert iso.created == datetime(2022, 6, 2, 11, 39, 9, 515000, tzinfo=timezone.utc)
    assert iso.created_raw == "1654169949515"


def violation(call: Callable[[], Any]) -> qualys_cs.Violation:
    with pytest.raises(qualys_cs.ValidationError) as info:
        call()
    assert len(info.value.violations) == 1, info.value.violations
    v = info.value.violations[0]
    assert not RUST.search(str(info.value)), str(info.value)
    return v


def test_wrong_types_and_enum_values_are_validation_errors(
    client: Client, registry_id: str
) -> None:
    v = violation(lambda: ScheduleRequest.weekly("w", "thursdy").repo("x").build())
    assert v.path == "/weekDay" and "did you mean THURSDAY" in v.message
    v = violation(lambda: ScheduleRequest.every_days("e", "10").repo("x").build())  # type: ignore[arg-type]
    assert (v.path, v.code) == ("/scheduleIntervalInDays", "wrong_type")
    assert '"10"' in v.message and "whole number" in v.message
    v = violation(lambda: ScheduleRequest.on_demand("o").repo(5).build())  # type: ignore[arg-type]
    assert (v.path, v.code) == ("/filters/0/repoTags", "wrong_type")
    v = violation(lambda: ScheduleRequest.daily("d", "01:00").repo("x").created_within_days("7").build())  # type: ignore[arg-type]
    assert v.path == "/filters/0/days"
    v = violation(lambda: ScheduleRequest.weekly(7, "MONDAY").repo("x").build())  # type: ignore[arg-type]
    assert v.path == "/name"
    v = violation(lambda: client.get_schedule(42, UNKNOWN_ID))  # type: ignore[arg-type]
    assert (v.path, v.code) == ("/registryId", "wrong_type")
    v = violation(lambda: client.delete_schedule(registry_id, None))  # type: ignore[arg-type]
    assert v.path == "/scheduleId"
    v = violation(lambda: client.create_schedule(registry_id, {"name": {1, 2}}))
    assert (v.path, v.code) == ("/name", "wrong_type") and "set" in v.message
    v = violation(lambda: client.list_schedules(registry_id, page_size="3"))  # type: ignore[arg-type]
    assert (v.path, v.code) == ("/page_size", "wrong_type") and "whole number" in v.message
    with pytest.raises(qualys_cs.DecodeError) as decode:
        qualys_cs.Schedule.from_dict({"scheduleUuid": "x", "name": 5})
    assert "expected a string" in str(decode.value) and not RUST.search(str(decode.value))
    v = violation(lambda: qualys_cs.next_runs(weekly(), datetime(2026, 1, 1), "2026-01-02T00:00:00Z"))
    assert v.path == "/created" and "timezone-aware" in v.message
    v = violation(lambda: qualys_cs.local_to_utc("02:00", 1))  # type: ignore[arg-type]
    assert (v.path, v.code) == ("/zone", "wrong_type") and "Europe/Berlin" in v.message
    v = violation(lambda: ScheduleRequest.daily_in_zone("d", 2, "UTC"))  # type: ignore[arg-type]
    assert v.path == "/local_time"
    v = violation(lambda: qualys_cs.validate_json(b"{}"))  # type: ignore[arg-type]
    assert v.path == "/text"
    v = violation(lambda: qualys_cs.next_runs(weekly(), "yesterday", "2026-01-02T00:00:00Z"))
    assert v.path == "/created" and "2026-01-05T10:00:00Z" in v.message


def test_settings_errors_name_the_setting_and_the_fix() -> None:
    messages: List[str] = []
    with pytest.raises(qualys_cs.ConfigError) as info:
        Client(gateway_url="http://127.0.0.1:9", token="t", request_timeout="fast")  # type: ignore[arg-type]
    assert info.value.field == "request_timeout" and "seconds" in str(info.value)
    messages.append(str(info.value))
    with pytest.raises(qualys_cs.ConfigError) as info:
        qualys_cs.RetryPolicy(base_delay=-1)
    assert info.value.field == "retry.base_delay"
    messages.append(str(info.value))
    with pytest.raises(qualys_cs.ConfigError) as info:
        Client.from_env({}, gateway_url="http://127.0.0.1:9", token="t", retyr=3)
    assert info.value.field == "retyr" and "did you mean retry" in str(info.value)
    messages.append(str(info.value))
    bad_settings: List[Callable[[], Any]] = [
        lambda: Client(gateway_url="http://example.invalid", token="t"),
        lambda: Client(gateway_url="http://127.0.0.1:9", username="u"),
        lambda: Client(token="t"),
    ]
    for bad in bad_settings:
        with pytest.raises(qualys_cs.ConfigError) as info:
            bad()
        messages.append(str(info.value))
    for m in messages:
        assert not RUST.search(m), m
