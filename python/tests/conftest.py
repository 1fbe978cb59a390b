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


@pytest.fixture()
def emu(emu_module: qualys_cs.Emulator) -> qualys_cs.Emulator:
    emu_module.reset()
    return emu_module


@pytest.fixture()
def client(emu: qualys_cs.Emulator) -> qualys_cs.Client:
    return emu.client()


@pytest.fixture()
def registry_id(emu: qualys_cs.Emulator) -> str:
    return emu.registry_id


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
