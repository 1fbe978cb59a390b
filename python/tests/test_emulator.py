"""The Emulator class: lifecycle, clock, faults, journal, clients pointed at it."""

from __future__ import annotations

import pytest

import qualys_cs
from conftest import on_demand
from qualys_cs import Emulator


def test_context_manager_starts_and_stops() -> None:
    with Emulator() as emu:
        assert emu.running and emu.port > 0
        assert emu.url == f"http://127.0.0.1:{emu.port}"
        assert emu.demo_username == qualys_cs.DEMO_USER and emu.demo_password == qualys_cs.DEMO_PASSWORD
        assert emu.demo_registry_id == qualys_cs.DEMO_REGISTRY_ID
        c = emu.client(retry=qualys_cs.RetryPolicy.none())
        assert c.get_registry(emu.demo_registry_id).registry_uuid == emu.demo_registry_id
        assert "running=True" in repr(emu)
    assert not emu.running
    with pytest.raises(qualys_cs.TransportError):
        c.get_registry(emu.demo_registry_id)
    with pytest.raises(RuntimeError):
        emu.now()
    emu.stop()  # idempotent


def _url_of_a_fresh_emulator() -> str:
    # `return` inside `with Emulator()`: mypy --strict (run on this file by python/test.sh)
    # must not report "Missing return statement" — __exit__ returns None, exceptions propagate.
    with Emulator() as emu:
        return emu.url


def _registry_through_a_client() -> str:
    with Emulator() as emu, emu.client() as c:
        return c.get_registry(emu.demo_registry_id).registry_uuid


def test_return_inside_with_and_exceptions_propagate() -> None:
    assert _url_of_a_fresh_emulator().startswith("http://127.0.0.1:")
    assert _registry_through_a_client() == qualys_cs.DEMO_REGISTRY_ID
    with pytest.raises(ZeroDivisionError):
        with Emulator() as emu:
            assert emu.running
            1 / 0
    assert not emu.running


def test_two_emulators_get_different_ports() -> None:
    with Emulator() as a, Emulator() as b:
        assert a.port != b.port


def test_clock_moves_jobs(emu: Emulator, registry_id: str) -> None:
    c = emu.client()
    sid = c.create_schedule(registry_id, on_demand("job")).schedule_uuid
    before = emu.now()
    after = emu.advance_clock(10)
    assert (after - before).total_seconds() == pytest.approx(10, abs=0.01)
    s = c.get_schedule(registry_id, sid)
    assert s.status == "Completed" and s.is_terminal()
    assert s.job_completion_date is not None


def test_automatic_schedules_fire(emu: Emulator, registry_id: str) -> None:
    c = emu.client()
    req = qualys_cs.ScheduleRequest.every_days("e", 2).repo("app").build()
    sid = c.create_schedule(registry_id, req).schedule_uuid
    assert c.get_schedule(registry_id, sid).job_start_date is None
    emu.advance_clock(2 * 86400 + 60)
    assert c.get_schedule(registry_id, sid).job_start_date is not None


def test_faults_and_journal(emu: Emulator, registry_id: str) -> None:
    c = emu.client(retry=qualys_cs.RetryPolicy.none())
    fid = emu.add_fault("status", method="GET", path="/csapi/v1.3/registry/*", status=503, count=2)
    assert fid and [f for f in emu.faults() if fid in str(f)]
    with pytest.raises(qualys_cs.ServerError):
        c.get_registry(registry_id)
    emu.clear_faults()
    assert emu.faults() == []
    assert c.get_registry(registry_id).registry_uuid == registry_id
    journal = emu.requests()
    assert [r["status"] for r in journal if r["path"].startswith("/csapi")] == [503, 200]
    auth = [r for r in journal if r["path"] == "/auth"]
    assert auth and auth[0]["bodyRedacted"]["password"] == "***"
    emu.clear_requests()
    assert emu.requests() == []
    with pytest.raises(qualys_cs.ConfigError):
        emu.add_fault("status", status=418)
    with pytest.raises(qualys_cs.ConfigError):
        emu.add_fault("explode")  # type: ignore[arg-type]


def test_reset_clears_schedules(emu: Emulator, registry_id: str) -> None:
    c = emu.client()
    c.create_schedule(registry_id, on_demand())
    assert len(emu.schedules()) == 1
    emu.reset()
    assert emu.schedules() == []
    assert list(c.list_schedules_all(registry_id)) == []


def test_rate_limit_and_token_ttl_settings() -> None:
    with Emulator(rate_limit=(2, 60.0), token_ttl=3600) as emu:
        # (the client's own limiter would wait for the window: turn it off to see the 429)
        c = emu.client(
            retry=qualys_cs.RetryPolicy.none(), rate_limit=qualys_cs.RateLimitPolicy.disabled()
        )
        c.get_registry(emu.demo_registry_id)
        c.get_registry(emu.demo_registry_id)
        with pytest.raises(qualys_cs.RateLimitedError) as info:
            c.get_registry(emu.demo_registry_id)
        assert info.value.retry_after is not None and info.value.retry_after >= 1


def test_bad_settings() -> None:
    with pytest.raises(qualys_cs.ConfigError):
        Emulator(token_ttl=0)
    with pytest.raises(ValueError):
        Emulator(job_step=-1)


def test_wire_profile_option() -> None:
    with Emulator() as emu:
        assert emu.wire == "full" and "wire='full'" in repr(emu)
    with Emulator(wire="oas2021") as emu:
        assert emu.wire == "oas2021"
        # The 2021 OpenAPI shape: no registryName, a bare-string create answer.
        assert emu.client().get_registry(emu.demo_registry_id).registry_name is None
    with pytest.raises(qualys_cs.ConfigError) as info:
        Emulator(wire="oas2022")  # type: ignore[arg-type]
    assert info.value.field == "wire"
    assert "full" in str(info.value) and "oas2021" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_options_are_read_by_the_emulator_crate() -> None:
    from datetime import datetime, timezone

    start = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)
    with Emulator(clock_start=start) as emu:
        assert emu.now() == start
    with Emulator(clock_start="2026-01-05T10:00:00Z") as emu:
        assert emu.now() == start
    with pytest.raises(qualys_cs.ConfigError) as info:
        Emulator(tokn_ttl=5)  # type: ignore[call-arg]
    assert info.value.field == "tokn_ttl" and "token_ttl" in str(info.value)
    with pytest.raises(qualys_cs.ValidationError):
        Emulator(clock_start=datetime(2026, 1, 5, 10, 0))
