"""Plan / apply (schedules as code) with a progress callback, and waiters.

The plan/apply tests run against both wire profiles of the emulator (``full``, ``oas2021``; see
conftest). On oas2021 the server lists schedules without interval, weekday, forceScan,
registryType and additionalFilters, and registries without a name: the file names the
registry by URI there, and a re-plan shows ``update`` with *unknown* fields where full shows
``unchanged`` (an unreported field is never taken as equal).
"""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import Any, Dict, Iterator, List

import pytest

import qualys_cs
from conftest import DEMO_REGISTRY_URI, assert_no_null_sent, on_demand, weekly
from qualys_cs import ApplyProgress, Client, Emulator


@pytest.fixture(scope="module")
def emu_module(wired_emu_module: Emulator) -> Emulator:
    """This module's emulator: one per wire profile (the tests run once for each)."""
    return wired_emu_module


@pytest.fixture(autouse=True)
def nothing_null_was_sent(emu: Emulator) -> Iterator[None]:
    yield
    assert_no_null_sent(emu)


def registry_ref(emu: Emulator) -> str:
    """How the file names the demo registry: by name where the server reports names."""
    return "demo-registry" if emu.wire == "full" else DEMO_REGISTRY_URI


def desired(registry: str) -> Dict[str, Any]:
    return {
        "version": 1,
        "registries": [
            {
                "registry": registry,
                "schedules": [
                    {"name": "nightly", "daily": "02:00", "repos": ["library/nginx"]},
                    {
                        "name": "weekly",
                        "weekly": {"day": "MONDAY", "at": "03:00"},
                        "repos": ["app"],
                    },
                    {"name": "keep", "every": 14, "repos": ["base"]},
                ],
            }
        ],
    }


def assert_converged(emu: Emulator, plan: qualys_cs.Plan) -> None:
    """A re-plan after apply: nothing on full; on oas2021 never "unchanged" for a field the
    server does not report, only updates whose changes are all unknown fields."""
    if emu.wire == "full":
        assert plan.is_empty(), plan.render_text()
        assert {i.action for i in plan.items} == {"unchanged"}
        return
    assert not plan.is_empty()
    for item in plan.items:
        assert item.action == "update", plan.render_text()
        assert item.changes and all(c.unknown and c.from_ is None for c in item.changes)
        assert "server does not report" in (item.reason or "")
    weekly_item = next(i for i in plan.items if i.name == "weekly")
    assert "weekDay" in [c.field for c in weekly_item.changes]


def test_plan_apply_converge(client: Client, registry_id: str, emu: Emulator) -> None:
    doc = desired(registry_ref(emu))
    # "keep" exists already with another interval (an update); "old" is not in the file.
    keep = client.create_schedule(
        registry_id, qualys_cs.ScheduleRequest.every_days("keep", 10).repo("base").build()
    ).schedule_uuid
    client.create_schedule(registry_id, weekly("old"))
    plan = client.plan(doc, prune=True)
    actions = {i.name: i.action for i in plan.items}
    assert actions == {"nightly": "create", "weekly": "create", "keep": "update", "old": "delete"}
    keep_item = next(i for i in plan.items if i.name == "keep")
    interval = next(c for c in keep_item.changes if c.field == "scheduleIntervalInDays")
    if emu.wire == "full":
        assert (interval.from_, interval.to, interval.unknown) == (10, 14, False)
    else:
        assert (interval.from_, interval.to, interval.unknown) == (None, 14, True)

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
    assert {p.item for p in seen} == {f"{registry_ref(emu)}/{n}" for n in actions}
    names = sorted(s["name"] for s in emu.schedules())
    assert names == ["keep", "nightly", "weekly"]
    # What the server stores is what the file says, on both profiles.
    by_name = {s["name"]: s for s in emu.schedules()}
    assert by_name["keep"]["scheduleUuid"] == keep
    assert by_name["keep"]["scheduleIntervalInDays"] == 14
    assert (by_name["weekly"]["weekDay"], by_name["weekly"]["schedule"]) == ("MONDAY", "03:00")
    assert report.to_dict()["items"][0]["outcome"] == "applied"

    again = client.plan(doc, prune=True)
    assert_converged(emu, again)
    # Applying it again sends the same content (update answers 201 empty on oas2021) and
    # changes nothing: the state has converged.
    second = client.apply(again)
    assert second.is_success() and second.failed() == 0
    assert {s["name"]: (s["scheduleIntervalInDays"], s.get("weekDay"), s.get("schedule"))
            for s in emu.schedules()} == {
        "keep": (14, None, None),
        "nightly": (1, None, "02:00"),
        "weekly": (7, "MONDAY", "03:00"),
    }


def test_registry_named_by_name_where_names_are_not_reported(
    client: Client, emu: Emulator
) -> None:
    plan = client.plan(desired("demo-registry"))
    if emu.wire == "full":
        assert [i.action for i in plan.items] == ["create"] * 3
    else:
        assert [i.action for i in plan.items] == ["skip"] * 3
        assert all("registryName" in (i.reason or "") for i in plan.items), plan.render_text()


def test_apply_reports_failed_items_and_goes_on(
    client: Client, registry_id: str, emu: Emulator
) -> None:
    plan = client.plan(desired(registry_ref(emu)))
    emu.add_fault("status", method="POST", path="/csapi/v1.3/registry/*/schedule", status=500,
                  count=100)
    # A 500 to a create is ambiguous: the client looks for the schedule for the settle window
    # before it gives up (default up to 60 s; short here).
    failing = emu.client(retry=qualys_cs.RetryPolicy.none(), create_settle_window=0.3)
    report = failing.apply(plan)
    assert report.failed() == 3 and not report
    for item in report.items:
        assert item.outcome == "failed"
        assert isinstance(item.error, qualys_cs.ServerError) and item.error.status == 500


def test_raising_progress_callback_does_not_stop_apply(
    client: Client, emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    reported: List[BaseException] = []
    monkeypatch.setattr(
        sys, "unraisablehook", lambda u: reported.append(u.exc_value) if u.exc_value else None
    )

    def boom(p: ApplyProgress) -> None:
        raise RuntimeError("callback failed")

    plan = client.plan(desired(registry_ref(emu)))
    report = client.apply(plan, progress=boom)
    assert report.applied() == 3
    assert [str(e) for e in reported] == ["callback failed"] * 3


def test_async_plan_apply_progress_on_the_loop_thread(emu: Emulator) -> None:
    doc = desired(registry_ref(emu))

    async def main() -> None:
        c = emu.async_client()
        plan = await c.plan(doc)
        loop_thread = threading.get_ident()
        threads: List[int] = []
        report = await c.apply(plan, progress=lambda p: threads.append(threading.get_ident()))
        await asyncio.sleep(0)  # let scheduled callbacks run
        assert report.applied() == 3
        assert threads == [loop_thread] * 3
        assert_converged(emu, await c.plan(doc))

    asyncio.run(main())


def test_wait_for_schedule(emu_module: Emulator) -> None:
    # (its own emulator, with a real-time clock, in this module's wire profile)
    with Emulator(realtime_clock=True, job_step=0.05, wire=emu_module.wire) as emu:
        c = emu.client()
        sid = c.create_schedule(emu.demo_registry_id, on_demand("job")).schedule_uuid
        done = c.wait_for_schedule(emu.demo_registry_id, sid, timeout=10, interval=0.05)
        assert done.status == "Completed" and done.is_terminal()

        async def wait_running() -> str:
            ac = emu.async_client()
            sid2 = (await ac.create_schedule(emu.demo_registry_id, on_demand("job2"))).schedule_uuid
            s = await ac.wait_for_schedule(
                emu.demo_registry_id, sid2, until=["Running", "Completed"], timeout=10, interval=0.02
            )
            return s.status or ""

        assert asyncio.run(wait_running()) in ("Running", "Completed")


def test_wait_times_out_naming_the_status(client: Client, registry_id: str) -> None:
    sid = client.create_schedule(registry_id, weekly("never")).schedule_uuid
    with pytest.raises(qualys_cs.RequestTimeoutError) as info:
        client.wait_for_schedule(registry_id, sid, timeout=0.2, interval=0.05)
    assert "Created" in str(info.value)
