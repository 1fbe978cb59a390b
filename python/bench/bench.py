"""Benchmarks of the Python package, as ratios measured in one run.

1. Bulk create at concurrency 64 against one emulator (a separate process, loopback):
   `qualys_cs.AsyncClient` vs a plain `httpx.AsyncClient` script doing the same calls (one
   `/auth`, then one POST per schedule), and vs the Rust client (`--rust-bin`, optional).
2. `qualys_cs.validate(dict)` vs an equivalent pydantic v2 model (same rules, same dicts).
3. `import qualys_cs` time (fresh interpreters), next to `import httpx` / `import pydantic`.

Run it through `python/bench/run.sh` (builds a release wheel, a venv with httpx and pydantic).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from typing import Any, Callable, Dict, List, Literal, Optional, Tuple

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

import qualys_cs

REGISTRY = qualys_cs.DEMO_REGISTRY_ID

EMULATOR_CODE = """
import sys
from qualys_cs import Emulator
emu = Emulator(rate_limit=(10**9, 60.0))
print(emu.url, flush=True)
sys.stdin.read()
emu.stop()
"""


def start_emulator() -> Tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", EMULATOR_CODE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        proc.kill()
        raise RuntimeError(f"emulator did not start: {url!r}")
    return proc, url


def reset(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(url + "/_emulator/reset", method="POST")).read()


def count_schedules(url: str) -> int:
    with urllib.request.urlopen(url + "/_emulator/schedules") as r:
        return len(json.loads(r.read()))


def bodies(tag: str, n: int) -> List[Dict[str, Any]]:
    return [
        {
            "name": f"bench-{tag}-{i:05d}",
            "onDemand": True,
            "filters": [{"days": None, "repoTags": [{"repo": "library/nginx", "tag": None}]}],
        }
        for i in range(n)
    ]


async def run_qualys_cs(url: str, reqs: List[Dict[str, Any]], concurrency: int) -> float:
    client = qualys_cs.AsyncClient(
        gateway_url=url,
        username=qualys_cs.DEMO_USER,
        password=qualys_cs.DEMO_PASSWORD,
        create_recovery="assume_unique_names",
        rate_limit=qualys_cs.RateLimitPolicy(max_concurrency=concurrency),
    )
    sem = asyncio.Semaphore(concurrency)

    async def one(body: Dict[str, Any]) -> str:
        async with sem:
            return (await client.create_schedule(REGISTRY, body)).schedule_uuid

    start = time.perf_counter()
    ids = await asyncio.gather(*(one(b) for b in reqs))
    elapsed = time.perf_counter() - start
    assert len(set(ids)) == len(reqs)
    return elapsed


async def run_httpx(url: str, reqs: List[Dict[str, Any]], concurrency: int) -> float:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, trust_env=False) as http:
        sem = asyncio.Semaphore(concurrency)
        start = time.perf_counter()
        auth = await http.post(
            "/auth",
            data={
                "username": qualys_cs.DEMO_USER,
                "password": qualys_cs.DEMO_PASSWORD,
                "token": "true",
            },
        )
        auth.raise_for_status()
        headers = {"Authorization": f"Bearer {auth.text.strip()}"}
        path = f"/csapi/v1.3/registry/{REGISTRY}/schedule"

        async def one(body: Dict[str, Any]) -> str:
            async with sem:
                r = await http.post(path, json=body, headers=headers)
                r.raise_for_status()
                uuid: str = r.json()["scheduleUuid"]
                return uuid

        ids = await asyncio.gather(*(one(b) for b in reqs))
        elapsed = time.perf_counter() - start
    assert len(set(ids)) == len(reqs)
    return elapsed


def run_rust(rust_bin: str, url: str, n: int, concurrency: int) -> float:
    out = subprocess.run(
        [rust_bin, url, str(n), str(concurrency)], check=True, capture_output=True, text=True
    ).stdout
    m = re.search(r"elapsed_s=([0-9.]+)", out)
    if not m:
        raise RuntimeError(f"unexpected output of {rust_bin}: {out!r}")
    return float(m.group(1))


# ---- pydantic model with the same rules as the core's validation (the common ones) ---------

WeekDayLit = Literal["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]


class RepoTagModel(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    repo: str
    tag: Optional[str] = None

    @field_validator("repo")
    @classmethod
    def repo_ok(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("repo is required")
        if any(c.isspace() for c in v):
            raise ValueError("repo contains whitespace")
        return v

    @field_validator("tag")
    @classmethod
    def tag_ok(cls, v: Optional[str]) -> Optional[str]:
        if v is not None and any(not t.strip() for t in v.split(",")):
            raise ValueError("tag holds an empty entry")
        return v


class FilterModel(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    days: Optional[int] = Field(default=None, gt=0)
    repoTags: List[RepoTagModel] = Field(min_length=1)


class AdditionalFiltersModel(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    numberOfTags: int = Field(ge=1)
    sortCriteria: Optional[str] = None


class ScheduleRequestModel(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    name: str
    onDemand: bool = True
    scheduleIntervalInDays: Optional[int] = Field(default=None, ge=1, le=365)
    weekDay: Optional[WeekDayLit] = None
    schedule: Optional[str] = Field(default=None, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    forceScan: Optional[bool] = None
    registryType: Optional[str] = None
    filters: List[FilterModel] = Field(min_length=1)
    additionalFilters: Optional[AdditionalFiltersModel] = None

    @field_validator("name")
    @classmethod
    def name_ok(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("name is required")
        if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in v):
            raise ValueError("name holds control characters")
        return v

    @model_validator(mode="after")
    def modes(self) -> "ScheduleRequestModel":
        errors = []
        i = self.scheduleIntervalInDays
        if self.onDemand:
            if i is not None:
                errors.append("interval_not_allowed")
        else:
            if i is None:
                errors.append("interval_required")
            if i == 7 and self.weekDay is None:
                errors.append("week_day_required")
            if i == 1 and self.schedule is None:
                errors.append("schedule_required")
            if self.forceScan and i is not None and i < 7:
                errors.append("force_scan_interval_too_short")
        if self.weekDay is not None and (self.onDemand or i != 7):
            errors.append("week_day_not_allowed")
        if errors:
            raise ValueError(", ".join(errors))
        return self


VALID = {
    "name": "Automatic Scan Schedule",
    "onDemand": False,
    "scheduleIntervalInDays": 7,
    "weekDay": "THURSDAY",
    "forceScan": True,
    "registryType": "Azure",
    "filters": [
        {"days": 7, "repoTags": [{"repo": "azuretest", "tag": None}, {"repo": "app", "tag": "latest,1.2"}]}
    ],
    "additionalFilters": {"numberOfTags": 5, "sortCriteria": "createdDate"},
}
INVALID = {
    "name": " ",
    "onDemand": False,
    "scheduleIntervalInDays": 400,
    "weekDay": "FUNDAY",
    "schedule": "25:00",
    "filters": [{"days": 0, "repoTags": []}],
}


def per_call_us(fn: Callable[[], object], iterations: int) -> float:
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(iterations):
            fn()
        best = min(best, (time.perf_counter() - start) / iterations)
    return best * 1e6


def pydantic_validate(d: Dict[str, Any]) -> bool:
    try:
        ScheduleRequestModel.model_validate(d)
        return True
    except ValidationError:
        return False


def import_time(module: str, runs: int = 7) -> float:
    code = f"import time; t=time.perf_counter(); import {module}; print(time.perf_counter()-t)"
    samples = [
        float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                             text=True).stdout)
        for _ in range(runs)
    ]
    return statistics.median(samples) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--creates", type=int, default=3000)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--validate-iterations", type=int, default=20000)
    ap.add_argument("--rust-bin", help="the Rust comparator (bench_rust_create), optional")
    args = ap.parse_args()
    results: Dict[str, Any] = {"python": sys.version.split()[0], "cpus": os.cpu_count()}

    # 1. bulk create
    proc, url = start_emulator()
    try:
        modes: Dict[str, Callable[[List[Dict[str, Any]]], float]] = {
            "qualys_cs.AsyncClient": lambda r: asyncio.run(run_qualys_cs(url, r, args.concurrency)),
            "httpx.AsyncClient": lambda r: asyncio.run(run_httpx(url, r, args.concurrency)),
        }
        if args.rust_bin:
            modes["rust client"] = lambda r: run_rust(args.rust_bin, url, len(r), args.concurrency)
        best: Dict[str, float] = {}
        for rnd in range(args.rounds):
            order = list(modes.items())
            if rnd % 2:
                order.reverse()
            for name, fn in order:
                reset(url)
                elapsed = fn(bodies(f"{rnd}", args.creates))
                assert count_schedules(url) == args.creates, name
                rate = args.creates / elapsed
                best[name] = max(best.get(name, 0.0), rate)
                print(f"  round {rnd + 1} {name:<22} {rate:8.0f} creates/s", flush=True)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)
    results["creates"] = args.creates
    results["concurrency"] = args.concurrency
    results["creates_per_s"] = {k: round(v) for k, v in best.items()}
    results["ratio_qualys_cs_vs_httpx"] = round(
        best["qualys_cs.AsyncClient"] / best["httpx.AsyncClient"], 2
    )
    if "rust client" in best:
        results["ratio_qualys_cs_vs_rust"] = round(
            best["qualys_cs.AsyncClient"] / best["rust client"], 2
        )

    # 2. validate
    assert qualys_cs.validate(VALID).valid and pydantic_validate(VALID)
    assert not qualys_cs.validate(INVALID).valid and not pydantic_validate(INVALID)
    typed = qualys_cs.ScheduleRequest.from_dict(VALID)
    n = args.validate_iterations
    v = {
        "qualys_cs.validate(dict) valid": per_call_us(lambda: qualys_cs.validate(VALID), n),
        "pydantic valid": per_call_us(lambda: pydantic_validate(VALID), n),
        "qualys_cs.validate(dict) invalid": per_call_us(lambda: qualys_cs.validate(INVALID), n),
        "pydantic invalid": per_call_us(lambda: pydantic_validate(INVALID), n),
        "ScheduleRequest.validate() typed": per_call_us(typed.validate, n),
    }
    results["validate_us"] = {k: round(x, 2) for k, x in v.items()}
    results["ratio_validate_pydantic_over_qualys_cs_valid"] = round(
        v["pydantic valid"] / v["qualys_cs.validate(dict) valid"], 2
    )
    results["ratio_validate_pydantic_over_qualys_cs_invalid"] = round(
        v["pydantic invalid"] / v["qualys_cs.validate(dict) invalid"], 2
    )

    # 3. import time
    results["import_ms"] = {
        m: round(import_time(m), 1) for m in ("qualys_cs", "httpx", "pydantic")
    }

    print()
    print(f"bulk create, {args.creates} creates at concurrency {args.concurrency} (best of "
          f"{args.rounds}):")
    for k, x in results["creates_per_s"].items():
        print(f"  {k:<24} {x:8d} creates/s")
    print(f"  ratio qualys_cs / httpx  {results['ratio_qualys_cs_vs_httpx']:.2f}x")
    if "ratio_qualys_cs_vs_rust" in results:
        print(f"  ratio qualys_cs / rust   {results['ratio_qualys_cs_vs_rust']:.2f}x")
    print("validate, per call (best of 5):")
    for k, x in results["validate_us"].items():
        print(f"  {k:<34} {x:8.2f} us")
    print(f"  pydantic / qualys_cs: valid {results['ratio_validate_pydantic_over_qualys_cs_valid']}x,"
          f" invalid {results['ratio_validate_pydantic_over_qualys_cs_invalid']}x")
    print("import time (median of 7 fresh interpreters):")
    for k, x in results["import_ms"].items():
        print(f"  import {k:<10} {x:6.1f} ms")
    print("JSON " + json.dumps(results))


if __name__ == "__main__":
    main()
