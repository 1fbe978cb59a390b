"""Plan / apply (schedules as code) with a progress callback, and waiters."""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import Any, Dict, List

import pytest

import qualys_cs
from conftest import on_demand, weekly
from qualys_cs import ApplyProgress, Client, Emulator

DESIRED: Dict[str, Any] = {
    "version": 1,
    "registries": [
        {
            "registry": "demo-registry",
            "schedules": [
                {"name": "nightly", "daily": "02:00", "repos": ["library/nginx"]},
                {"name": "weekly", "weekly": {"day": "MONDAY", "at": "03:00"}, "repos": ["app"]},
                {"name": "keep", "every": 14, "repos": ["base"]},
            ],
        }
    ],
}


def test_plan_apply_converge(client: Client, registry_id: str, emu: Emulator) -> None:
    # "keep" exists already with another interval (an update); "old" is not in the file.
    client.create_schedule(
        registry_id, qualys_cs.ScheduleRequest.every_days("keep", 10).repo("base").build()
    )
    client.create_schedule(registry_id, weekly("old"))
    plan = client.plan(DESIRED, prune=True)
    actions = {i.name: i.action for i in plan.items}
    assert actions == {"nightly": "create", "weekly": "create", "keep": "update", "old": "delete"}

    dry = client.apply(plan, dry_run=True)
    assert [i.outcome for i in dry.items] == ["dry_run"] * 4
    assert len(emu.schedules()) == 2  # nothing sent
    create = next(i for i in dry.items if i.name == "nightly")
    assert create.requests[0]["method"] == "POST" and create.requests[0]["body"]["schedule"] == "02:00"

    seen: List[ApplyProgress] = []
    threads = set()

    def progress(p: ApplyProgress) -> None:
        seen.append(p)
        threads.add(threading.get_ident())

    report = client.apply(plan, concurrency=2, progress=progress)
    assert report.is_success() and report and report.applied() == 4 and report.failed() == 0
    assert sorted(p.done for p in seen) == [1, 2, 3, 4]
    assert all(p.total == 4 and p.ok for p in seen)
    assert {p.item for p in seen} == {f"demo-registry/{n}" for n in actions}
    names = sorted(s["name"] for s in emu.schedules())
    assert names == ["keep", "nightly", "weekly"]
    assert client.plan(DESIRED, prune=True).is_empty()
    assert report.to_dict()["items"][0]["outcome"] == "applied"


def test_apply_reports_failed_items_and_goes_on(
    client: Client, registry_id: str, emu: Emulator
) -> None:
    plan = client.plan(DESIRED)
    emu.add_fault("status", method="POST", path="/csapi/v1.3/registry/*/schedule", status=500,
                  count=100)
    failing = emu.client(retry=qualys_cs.RetryPolicy.none())
    report = failing.apply(plan)
    assert report.failed() == 3 and not report
    for item in report.items:
        assert item.outcome == "failed"
        assert isinstance(item.error, qualys_cs.ServerError) and item.error.status == 500


def test_raising_progress_callback_does_not_stop_apply(
    client: Client, emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = client.plan(DESIRED)
    reported: List[BaseException] = []
    monkeypatch.setattr(
        sys, "unraisablehook", lambda u: reported.append(u.exc_value) if u.exc_value else None
    )

    def boom(p: ApplyProgress) -> None:
        raise RuntimeError("callback failed")

    report = client.apply(plan, progress=boom)
    assert report.applied() == 3
    assert [str(e) for e in reported] == ["callback failed"] * 3


def test_async_plan_apply_progress_on_the_loop_thread(emu: Emulator) -> None:
    async def main() -> None:
        c = emu.async_client()
        plan = await c.plan(DESIRED)
        loop_thread = threading.get_ident()
        threads: List[int] = []
        report = await c.apply(plan, progress=lambda p: threads.append(threading.get_ident()))
        await asyncio.sleep(0)  # let scheduled callbacks run
        assert report.applied() == 3
        assert threads == [loop_thread] * 3
        assert (await c.plan(DESIRED)).is_empty()

    asyncio.run(main())


def test_wait_for_schedule() -> None:
    with Emulator(realtime_clock=True, job_step=0.05) as emu:
        c = emu.client()
        sid = c.create_schedule(emu.registry_id, on_demand("job")).schedule_uuid
        done = c.wait_for_schedule(emu.registry_id, sid, timeout=10, interval=0.05)
        assert done.status == "Completed" and done.is_terminal()

        async def wait_running() -> str:
            ac = emu.async_client()
            sid2 = (await ac.create_schedule(emu.registry_id, on_demand("job2"))).schedule_uuid
            s = await ac.wait_for_schedule(
                emu.registry_id, sid2, until=["Running", "Completed"], timeout=10, interval=0.02
            )
            return s.status or ""

        assert asyncio.run(wait_running()) in ("Running", "Completed")


def test_wait_times_out_naming_the_status(client: Client, registry_id: str) -> None:
    sid = client.create_schedule(registry_id, weekly("never")).schedule_uuid
    with pytest.raises(qualys_cs.RequestTimeoutError) as info:
        client.wait_for_schedule(registry_id, sid, timeout=0.2, interval=0.05)
    assert "Created" in str(info.value)
