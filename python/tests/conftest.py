"""Shared fixtures: one in-process emulator per test module (port 0), reset between tests."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import qualys_cs

REPO_ROOT = Path(__file__).resolve().parents[2]
VECTORS = Path(os.environ.get("QUALYS_CS_VECTORS", REPO_ROOT / "tests" / "vectors"))


def load_vectors(name: str) -> Dict[str, Any]:
    """A vector file; a missing file fails the test run (never a silent skip)."""
    path = VECTORS / name
    if not path.is_file():
        raise FileNotFoundError(f"shared vector file {path} is missing (set QUALYS_CS_VECTORS)")
    data: Dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def vector_cases(name: str) -> List[Dict[str, Any]]:
    cases: List[Dict[str, Any]] = load_vectors(name)["cases"]
    if not cases:
        raise AssertionError(f"{name} holds no case")
    return cases


@pytest.fixture(scope="module")
def emu_module() -> Iterator[qualys_cs.Emulator]:
    with qualys_cs.Emulator(rate_limit=(100_000, 60.0)) as emu:
        yield emu


# The two shapes the emulator answers in: today's documentation, and Qualys's own 2021 OpenAPI
# file (sparse schedule list items, bare-string answers, no registryName, a gateway that
# answers 422 to a null in a typed field). End-to-end modules run against both by overriding
# `emu_module` with `wired_emu_module`.
WIRES = ["full", "oas2021"]

# The demo registry's URI: the way to name it where the server reports no registryName.
DEMO_REGISTRY_URI = "https://registry.demo.example"


@pytest.fixture(scope="module", params=WIRES)
def wired_emu_module(request: pytest.FixtureRequest) -> Iterator[qualys_cs.Emulator]:
    with qualys_cs.Emulator(rate_limit=(100_000, 60.0), wire=request.param) as emu:
        assert emu.wire == request.param
        yield emu


def _nulls(value: Any, path: str = "") -> List[str]:
    """JSON pointers of every null in a JSON value."""
    if value is None:
        return [path or "/"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nulls(v, f"{path}/{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nulls(v, f"{path}/{i}")]
    return []


def assert_no_null_sent(emu: qualys_cs.Emulator) -> None:
    """No create/update body the client sent holds a null, and the gateway refused none.

    The oas2021 gateway answers 422 to a null in a typed field (`days`, `tag`, ...); a client
    that sends them would fail there, so this holds on both profiles.
    """
    for r in emu.requests():
        if "/csapi/" not in r["path"] or r["method"] not in ("POST", "PUT"):
            continue
        assert r["status"] != 422, f"the gateway refused {r['method']} {r['path']}: {r}"
        if "bodyRedacted" not in r:  # cancel: no body
            continue
        body = r["bodyRedacted"]
        assert _nulls(body) == [], f"{r['method']} {r['path']} sent nulls: {body}"


@pytest.fixture()
def emu(emu_module: qualys_cs.Emulator) -> qualys_cs.Emulator:
    emu_module.reset()
    return emu_module


@pytest.fixture()
def client(emu: qualys_cs.Emulator) -> qualys_cs.Client:
    return emu.client()


@pytest.fixture()
def registry_id(emu: qualys_cs.Emulator) -> str:
    return emu.demo_registry_id


def weekly(name: str = "nightly", repo: str = "library/nginx") -> qualys_cs.ScheduleRequest:
    return qualys_cs.ScheduleRequest.weekly(name, "MONDAY").repo(repo).build()


def on_demand(name: str = "now", repo: str = "library/nginx") -> qualys_cs.ScheduleRequest:
    return qualys_cs.ScheduleRequest.on_demand(name).repo(repo).build()


# A skipped test is a failure here: the suite must not pass by not running things.
_SKIPPED: List[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _SKIPPED.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _SKIPPED and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int) -> None:
    if _SKIPPED:
        terminalreporter.write_line(
            f"FAILED: {len(_SKIPPED)} test(s) skipped (skips count as failures): "
            + ", ".join(_SKIPPED),
            red=True,
        )
