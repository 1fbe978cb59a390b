"""Threads sharing one client, the GIL released while a call waits, and fork()."""

from __future__ import annotations

import asyncio
import os
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import List

from conftest import on_demand
from qualys_cs import Client, Emulator


def test_eight_threads_share_one_client(client: Client, registry_id: str, emu: Emulator) -> None:
    def work(t: int) -> List[str]:
        out = []
        for i in range(10):
            out.append(client.create_schedule(registry_id, on_demand(f"t{t}-{i}")).schedule_uuid)
            client.get_schedule(registry_id, out[-1])
        return out

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    ids = [i for r in results for i in r]
    assert len(ids) == 80 and len(set(ids)) == 80
    assert len(emu.schedules()) == 80
    assert len(list(client.list_schedules_all(registry_id))) == 80
    assert client.token_fetches == 1  # one token shared by every thread


def test_gil_is_released_while_waiting(client: Client, registry_id: str, emu: Emulator) -> None:
    client.get_registry(registry_id)  # logged in, connection open
    emu.add_fault("latency", method="GET", latency_ms=600, count=1)
    done = threading.Event()

    def slow() -> None:
        client.get_registry(registry_id)
        done.set()

    t = threading.Thread(target=slow)
    t.start()
    ticks = 0
    start = time.perf_counter()
    while not done.is_set() and time.perf_counter() - start < 5:
        ticks += 1  # pure Python work: only runs while the other thread has let the GIL go
    t.join()
    elapsed = time.perf_counter() - start
    assert elapsed >= 0.5
    # With the GIL held by the waiting call this loop would barely run (a few switch
    # intervals); released, it spins freely for the whole wait.
    assert ticks > 100_000, ticks


def test_client_works_in_a_forked_child(client: Client, registry_id: str, emu: Emulator) -> None:
    # The parent has a runtime, a token and pooled connections before the fork.
    client.create_schedule(registry_id, on_demand("parent"))
    async_client = emu.async_client()
    read, write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork with threads
        pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            os.close(read)
            made = client.create_schedule(registry_id, on_demand("child")).schedule_uuid
            names = sorted(s.name for s in client.list_schedules_all(registry_id))

            async def via_async() -> int:
                return (await async_client.list_schedules(registry_id)).count

            count = asyncio.run(via_async())
            os.write(write, f"{made} {','.join(names)} {count}".encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read) as f:
        report = f.read()
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, report
    made, child_names, child_count = report.split(" ")
    assert child_names == "child,parent" and child_count == "2"
    # The parent still works and sees the child's schedule.
    assert client.get_schedule(registry_id, made).name == "child"
