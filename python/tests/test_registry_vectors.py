"""tests/vectors/registries.json (issue 17) through the installed package: the same checks as
the Rust runner (crates/core/tests/vectors.rs): errors and warnings as (path, code) multisets
with the severity the case gives them, a message on each, no secret in any message or path or
repr, and the canonical wire form of the valid cases."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

import qualys_cs
from conftest import vector_cases

CASES = vector_cases("registries.json")
KEYS = {"name", "description", "input", "errors", "warnings", "canonical"}
# (code, severity, source, description) of every registry rule, from the core.
SEVERITY = {code: sev for code, sev, _, _ in qualys_cs.REGISTRY_RULES}


def pairs(violations: List[qualys_cs.Violation]) -> List[Tuple[str, str]]:
    return sorted((v.path, v.code) for v in violations)


def expected(items: List[Dict[str, str]]) -> List[Tuple[str, str]]:
    return sorted((v["path"], v["code"]) for v in items)


def secrets_in(value: Any) -> List[str]:
    """Every string under a secret key (any depth), and the user-info of a `registryUri`."""
    out: List[str] = []
    if isinstance(value, dict):
        for k, x in value.items():
            if k in ("password", "accessToken", "token") and isinstance(x, str) and x:
                out.append(x)
            elif k == "registryUri" and isinstance(x, str):
                authority = x.split("://", 1)[-1].split("/", 1)[0]
                if "@" in authority:
                    out.append(authority.rsplit("@", 1)[0])
            else:
                out.extend(secrets_in(x))
    elif isinstance(value, list):
        for x in value:
            out.extend(secrets_in(x))
    return out


def test_the_file_has_enough_cases() -> None:
    assert len(CASES) >= 40
    assert len({c["name"] for c in CASES}) == len(CASES), "case names are unique"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_registry_vector(case: Dict[str, Any]) -> None:
    assert set(case) <= KEYS, f"unknown keys {set(case) - KEYS}"
    report = qualys_cs.validate_registry(case["input"])
    assert pairs(report.errors) == expected(case["errors"])
    assert pairs(report.warnings) == expected(case["warnings"])
    assert report.valid == (not case["errors"])
    secrets = secrets_in(case["input"])
    for v in report.errors + report.warnings:
        assert v.message, f"{v.path} {v.code} has no message"
        for s in secrets:
            assert s not in v.message and s not in v.path, f"{v.path} {v.code} repeats a secret"
    if "canonical" in case:
        assert not case["errors"], "canonical is only for valid cases"
        request = qualys_cs.RegistryRequest(case["input"])
        assert request.to_dict() == case["canonical"]
        # The canonical form validates the same, and so does the typed request.
        assert qualys_cs.validate_registry(request.to_dict()) == report
        assert qualys_cs.validate_registry(request) == report
        shown = repr(request) + repr(request.redacted())
        for s in secrets:
            assert s not in shown, "repr shows a secret"


def test_severities_and_coverage_are_those_of_the_core() -> None:
    """Each code a case lists is a registry rule, listed with the core's severity; every rule
    is expected by some case; each rule's source is doc, oas or ours."""
    used: Dict[str, set[str]] = {}
    for case in CASES:
        for key, sev in (("errors", "error"), ("warnings", "warning")):
            for v in case[key]:
                used.setdefault(v["code"], set()).add(sev)
    problems = [f"{c} is not a registry rule" for c in used if c not in SEVERITY]
    problems += [f"{c} listed as {sorted(s)}, the core says {SEVERITY[c]}"
                 for c, s in used.items() if c in SEVERITY and s != {SEVERITY[c]}]
    problems += [f"no case expects {c}" for c in SEVERITY if c not in used]
    problems += [f"{c} has source {src}" for c, _, src, _ in qualys_cs.REGISTRY_RULES
                 if src not in ("doc", "oas", "ours")]
    assert not problems, "\n".join(problems)
