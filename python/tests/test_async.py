"""AsyncClient: the same operations as awaitables, listing as an async iterator."""

from __future__ import annotations

import asyncio
from typing import List

import pytest

import qualys_cs
from conftest import on_demand, weekly
from qualys_cs import AsyncClient, Emulator

UNKNOWN_ID = "889ea97d-5b9c-4e34-9783-a40eae8d8feb"


def test_every_operation(emu: Emulator, registry_id: str) -> None:
    async def main() -> None:
        c: AsyncClient = emu.async_client()
        created = await c.create_schedule(registry_id, weekly("a1"))
        assert isinstance(created, qualys_cs.Created)
        from_dict = await c.create_schedule(registry_id, on_demand("a2").to_dict())
        got = await c.get_schedule(registry_id, created.schedule_uuid)
        assert got.name == "a1"
        nxt = qualys_cs.ScheduleRequest.weekly("a1", "TUESDAY").repo("library/nginx").build()
        assert await c.update_schedule(registry_id, created.schedule_uuid, nxt) == []
        assert (await c.get_schedule(registry_id, created.schedule_uuid)).week_day == "TUESDAY"
        names: List[str] = [s.name async for s in c.list_schedules_all(registry_id, page_size=1)]
        assert sorted(names) == ["a1", "a2"]
        page = await c.list_schedules(registry_id, page_size=1)
        assert page.count == 2 and len(page) == 1
        await c.cancel_schedule(registry_id, from_dict.schedule_uuid)
        await c.delete_schedule(registry_id, from_dict.schedule_uuid)
        with pytest.raises(qualys_cs.NotFoundError):
            await c.get_schedule(registry_id, from_dict.schedule_uuid)
        bc = await c.bulk_cancel_schedules(registry_id, filter="scheduleUuid:*")
        assert len(bc.cancel_job_id) == 36
        bd = await c.bulk_delete_schedules(registry_id, schedule_ids=[created.schedule_uuid])
        assert len(bd.deletion_job_id) == 36
        assert [s async for s in c.list_schedules_all(registry_id)] == []
        regs = [r async for r in c.list_registries_all()]
        assert registry_id in {r.registry_uuid for r in regs}
        assert (await c.list_registries()).count == len(regs)
        assert (await c.get_registry(registry_id)).registry_name == "demo-registry"
        assert (await c.find_registry("demo-registry")).registry_uuid == registry_id
        repos = [r async for r in c.list_repositories_all(registry_id)]
        assert repos and (await c.list_repositories(registry_id)).count == len(repos)
        assert c.token_fetches == 1 and c.username == emu.demo_username
        assert isinstance(c.to_sync(), qualys_cs.Client)

    asyncio.run(main())


def test_errors_raise_from_await(emu: Emulator, registry_id: str) -> None:
    async def main() -> None:
        c = emu.async_client()
        with pytest.raises(qualys_cs.NotFoundError) as info:
            await c.get_registry(UNKNOWN_ID)
        assert info.value.status == 404 and info.value.request_id
        with pytest.raises(qualys_cs.ValidationError):
            await c.create_schedule(registry_id, {"name": "x"})
        bad = emu.async_client(password="nope")
        with pytest.raises(qualys_cs.AuthError):
            async for _ in bad.list_schedules_all(registry_id):
                pass
        # Argument errors surface at the call, before any awaitable exists.
        with pytest.raises(qualys_cs.ValidationError):
            c.get_schedule("not-a-uuid", UNKNOWN_ID)

    asyncio.run(main())


def test_concurrent_creates_with_gather(emu: Emulator, registry_id: str) -> None:
    async def main() -> List[str]:
        c = emu.async_client(rate_limit=qualys_cs.RateLimitPolicy(max_concurrency=32))
        results = await asyncio.gather(
            *(c.create_schedule(registry_id, on_demand(f"g{i}")) for i in range(40))
        )
        return [r.schedule_uuid for r in results]

    ids = asyncio.run(main())
    assert len(set(ids)) == 40
    assert len(emu.schedules()) == 40


def test_cancelling_an_awaitable(emu: Emulator, registry_id: str) -> None:
    async def main() -> None:
        c = emu.async_client()
        await c.get_registry(registry_id)
        emu.add_fault("latency", method="GET", latency_ms=2000, count=1)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(c.get_registry(registry_id), 0.2)
        # The client still works afterwards.
        assert (await c.get_registry(registry_id)).registry_uuid == registry_id

    asyncio.run(main())


def test_needs_a_running_loop(emu: Emulator, registry_id: str) -> None:
    c = emu.async_client()
    with pytest.raises(RuntimeError):
        c.get_registry(registry_id)
