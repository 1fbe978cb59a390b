"""Errors: one class per core code, their attributes from real answers, pickling."""

from __future__ import annotations

import pickle
import socket

import pytest

import qualys_cs
from conftest import weekly
from qualys_cs import Client, Emulator, errors

UNKNOWN_ID = "889ea97d-5b9c-4e34-9783-a40eae8d8feb"


def test_one_class_per_core_code() -> None:
    assert sorted(errors.ERROR_CLASSES) == sorted(qualys_cs.ERROR_CODES)
    for code, cls in errors.ERROR_CLASSES.items():
        assert cls.code == code
        assert issubclass(cls, qualys_cs.QualysCsError)
        assert getattr(qualys_cs, cls.__name__) is cls
    assert issubclass(qualys_cs.ValidationError, ValueError)


def test_not_found_carries_http_details(client: Client, registry_id: str) -> None:
    with pytest.raises(qualys_cs.NotFoundError) as info:
        client.get_registry(UNKNOWN_ID)
    e = info.value
    assert e.code == "not_found" and e.status == 404
    assert e.request_id, "the emulator sends X-Request-Id"
    assert e.qualys_error_code is not None and "404" in e.qualys_error_code
    assert e.server_message
    assert str(e) == e.message and "404" in str(e)


def test_auth_error_on_bad_password(emu: Emulator, registry_id: str) -> None:
    c = emu.client(username=emu.demo_username, password="wrong-password")
    with pytest.raises(qualys_cs.AuthError) as info:
        c.get_registry(registry_id)
    assert info.value.status == 401 and info.value.code == "auth"
    assert "wrong-password" not in str(info.value) and "wrong-password" not in repr(info.value)


def test_permission_error() -> None:
    with Emulator(users_without_permission={"bob": "bob-pw"}) as emu:
        c = emu.client(username="bob", password="bob-pw")
        with pytest.raises(qualys_cs.PermissionDeniedError) as info:
            list(c.list_schedules_all(emu.demo_registry_id))
        assert info.value.status == 403
        assert info.value.qualys_error_code == "403 FORBIDDEN"


def test_conflict_when_deleting_a_running_schedule(
    client: Client, registry_id: str, emu: Emulator
) -> None:
    sid = client.create_schedule(registry_id, qualys_cs.ScheduleRequest.on_demand("r").repo("x").build()).schedule_uuid
    emu.advance_clock(2.5)  # Created -> Queued -> Running
    assert client.get_schedule(registry_id, sid).is_running()
    with pytest.raises(qualys_cs.ConflictError) as info:
        client.delete_schedule(registry_id, sid)
    assert info.value.status == 409


def test_rate_limited_and_server_errors(emu: Emulator, registry_id: str) -> None:
    c = emu.client(retry=qualys_cs.RetryPolicy.none())
    emu.add_fault("status", method="GET", status=429, retry_after_sec=7, count=1)
    with pytest.raises(qualys_cs.RateLimitedError) as info:
        c.get_registry(registry_id)
    assert info.value.status == 429 and info.value.retry_after == 7.0
    # (that client now pauses 7 s, as the server asked: use another one)
    c2 = emu.client(retry=qualys_cs.RetryPolicy.none())
    emu.add_fault("status", method="GET", status=500, count=1)
    with pytest.raises(qualys_cs.ServerError) as info2:
        c2.get_registry(registry_id)
    assert info2.value.status == 500


def test_retries_hide_transient_failures(emu: Emulator, registry_id: str) -> None:
    c = emu.client(retry=qualys_cs.RetryPolicy(max_attempts=3, base_delay=0.01))
    emu.add_fault("status", method="GET", status=502, count=2)
    assert c.get_registry(registry_id).registry_uuid == registry_id


def test_transport_error_when_nothing_listens() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = Client(gateway_url=f"http://127.0.0.1:{port}", token="t", retry=qualys_cs.RetryPolicy.none())
    with pytest.raises(qualys_cs.TransportError) as info:
        c.get_registry(UNKNOWN_ID)
    assert info.value.not_sent is True


def test_timeout(emu: Emulator, registry_id: str) -> None:
    c = emu.client(request_timeout=0.2, retry=qualys_cs.RetryPolicy.none())
    list(c.list_registries_all())  # logged in
    emu.add_fault("latency", method="GET", latency_ms=1500, count=1)
    with pytest.raises(qualys_cs.RequestTimeoutError) as info:
        c.get_registry(registry_id)
    assert info.value.code == "timeout"


def test_config_errors_name_the_field() -> None:
    with pytest.raises(qualys_cs.ConfigError) as info:
        Client(token="t")
    assert info.value.field == "gateway_url"
    with pytest.raises(qualys_cs.ConfigError) as info:
        Client(gateway_url="http://example.invalid", token="t")
    assert info.value.field == "gateway_url" and "http://" in str(info.value)
    with pytest.raises(qualys_cs.ConfigError) as info:
        Client(platform="MARS1", token="t")
    assert info.value.field == "platform"
    with pytest.raises(qualys_cs.ConfigError) as info:
        Client(gateway_url="http://127.0.0.1:9", username="u")
    assert info.value.field == "credentials"
    with pytest.raises(qualys_cs.ConfigError) as info:
        Client(gateway_url="http://127.0.0.1:9", token="t", create_recovery="never")  # type: ignore[arg-type]
    assert info.value.field == "create_recovery"
    with pytest.raises(TypeError) as te:
        Client(gateway_url="http://127.0.0.1:9", token="t", pasword="x")  # type: ignore[call-arg]
    assert "pasword" in str(te.value)


def test_bad_ids_are_validation_errors(client: Client, registry_id: str) -> None:
    with pytest.raises(qualys_cs.ValidationError) as info:
        client.get_schedule("../etc", UNKNOWN_ID)
    assert info.value.violations[0].path == "/registryId"
    assert info.value.violations[0].code == "invalid_id"
    with pytest.raises(qualys_cs.ValidationError) as info:
        client.delete_schedule(registry_id, "x?y=1")
    assert info.value.violations[0].path == "/scheduleId"


def test_errors_pickle_with_their_attributes(client: Client, registry_id: str) -> None:
    samples: list[qualys_cs.QualysCsError] = []
    try:
        client.get_registry(UNKNOWN_ID)
    except qualys_cs.QualysCsError as e:
        samples.append(e)
    try:
        qualys_cs.ScheduleRequest.daily("", "25:00").build()
    except qualys_cs.QualysCsError as e:
        samples.append(e)
    samples.append(qualys_cs.http_error(429, "{}", "rid", 3.0))
    samples.append(qualys_cs.http_error(502, "<html>bad gateway</html>"))
    assert len(samples) == 4
    for sample in samples:
        back = pickle.loads(pickle.dumps(sample))
        assert type(back) is type(sample)
        assert back.to_dict() == sample.to_dict()
        assert str(back) == str(sample)
        assert back.violations == sample.violations
    v = samples[1]
    assert isinstance(v, qualys_cs.ValidationError)
    assert [x.code for x in v.violations] == [
        "name_required",
        "invalid_schedule_time",
        "repo_tags_required",
    ]
    first = v.violations[0]
    assert isinstance(first, qualys_cs.Violation)
    assert (first.path, first.code) == ("/name", "name_required") and first.message
    assert pickle.loads(pickle.dumps(first)) == first
    assert samples[2].retry_after == 3.0 and samples[2].request_id == "rid"
    assert samples[3].body == "<html>bad gateway</html>"


def test_error_repr_and_dict() -> None:
    e = qualys_cs.http_error(404, '{"errorCode": "404 NOT_FOUND", "message": "gone"}', "r-9")
    assert repr(e).startswith("NotFoundError(")
    assert "status=404" in repr(e) and "request_id='r-9'" in repr(e)
    assert e.to_dict() == {
        "code": "not_found",
        "message": str(e),
        "status": 404,
        "request_id": "r-9",
        "qualys_error_code": "404 NOT_FOUND",
        "server_message": "gone",
    }


def test_schedule_request_build_error_lists_everything() -> None:
    with pytest.raises(qualys_cs.ValidationError) as info:
        qualys_cs.ScheduleRequest.every_days("e", 3).repo("app").force_scan(True).build()
    assert [v.code for v in info.value.violations] == ["force_scan_interval_too_short"]
    unchecked = weekly().to_dict()
    assert unchecked["weekDay"] == "MONDAY"
