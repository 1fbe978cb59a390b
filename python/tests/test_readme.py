"""The README's examples run (those that start an Emulator) against the installed package.

`python/test.sh` also type-checks every README block with `mypy --strict`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def blocks() -> List[str]:
    found = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    if len(found) < 5:
        raise AssertionError(f"expected the README's python examples, found {len(found)}")
    return found


RUNNABLE = [b for b in blocks() if "with Emulator() as emu:" in b]


def test_readme_has_runnable_examples() -> None:
    assert len(RUNNABLE) >= 3


@pytest.mark.parametrize("code", RUNNABLE, ids=[f"block{i}" for i in range(len(RUNNABLE))])
def test_readme_example_runs(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    namespace: Dict[str, Any] = {"__name__": "readme_example"}
    exec(compile(code, str(README), "exec"), namespace)
    assert capsys.readouterr().out.strip(), "the example prints its results"
