"""Secrets never show: repr of clients, exception text, log records (forwarded to `logging`)."""

from __future__ import annotations

import json
import logging
import urllib.parse
import urllib.request
from typing import Iterator, List

import pytest

import qualys_cs
from conftest import on_demand
from qualys_cs import Emulator

PASSWORD = "Pa55-w0rd-Very-S3cret"


@pytest.fixture(scope="module")
def secret_emu() -> Iterator[Emulator]:
    with Emulator(users={"alice_user": PASSWORD}) as emu:
        yield emu


def fetch_token(emu: Emulator) -> str:
    body = urllib.parse.urlencode(
        {"username": "alice_user", "password": PASSWORD, "token": "true"}
    ).encode()
    with urllib.request.urlopen(urllib.request.Request(emu.url + "/auth", data=body)) as r:
        token: str = r.read().decode().strip()
    assert token.count(".") == 2, "a JWT"
    return token


def record_texts(records: List[logging.LogRecord]) -> str:
    return "\n".join(
        f"{r.name} {r.levelname} {r.getMessage()} {json.dumps(r.__dict__, default=str)}"
        for r in records
    )


def test_repr_never_shows_secrets(secret_emu: Emulator) -> None:
    token = fetch_token(secret_emu)
    by_password = secret_emu.client(username="alice_user", password=PASSWORD)
    by_token = secret_emu.client(token=token)
    for c in (by_password, by_token, by_password.to_async(), by_token.to_async()):
        text = repr(c) + str(c)
        assert PASSWORD not in text and token not in text
        assert secret_emu.url in text
    assert "alice_user" in repr(by_password)
    assert PASSWORD not in repr(secret_emu) and qualys_cs.DEMO_PASSWORD not in repr(secret_emu)


def test_exception_text_never_shows_secrets(secret_emu: Emulator) -> None:
    bad = secret_emu.client(username="alice_user", password=PASSWORD + "-wrong")
    with pytest.raises(qualys_cs.AuthError) as info:
        bad.get_registry(secret_emu.demo_registry_id)
    e = info.value
    dumped = str(e) + repr(e) + json.dumps(e.to_dict())
    assert PASSWORD not in dumped
    token = fetch_token(secret_emu)
    expired = secret_emu.client(token=token + "x", retry=qualys_cs.RetryPolicy.none())
    with pytest.raises(qualys_cs.AuthError) as info2:
        expired.get_registry(secret_emu.demo_registry_id)
    dumped = str(info2.value) + repr(info2.value) + json.dumps(info2.value.to_dict())
    assert token not in dumped


def test_log_records_are_forwarded_and_redacted(
    secret_emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    token = fetch_token(secret_emu)
    caplog.set_level(logging.DEBUG, logger="qualys_cs")
    by_password = secret_emu.client(username="alice_user", password=PASSWORD)
    by_token = secret_emu.client(token=token)
    rid = secret_emu.demo_registry_id
    by_password.create_schedule(rid, on_demand("logged"))
    by_token.get_registry(rid)
    req = (
        qualys_cs.ScheduleRequest.weekly("w", "MONDAY").at("01:00").repo("x")
        .created_within_days(90)
        .build()
    )
    by_password.create_schedule(rid, req)  # a validation warning (days 90) is logged
    with pytest.raises(qualys_cs.AuthError):
        secret_emu.client(username="alice_user", password=PASSWORD + "x").get_registry(rid)
    records = [r for r in caplog.records if r.name.startswith("qualys_cs.")]
    names = {r.name for r in records}
    assert "qualys_cs.client" in names, names
    assert any(r.levelno == logging.DEBUG for r in records)
    assert any(
        r.levelno == logging.WARNING and "days_undocumented" in r.getMessage() for r in records
    )
    assert any("/auth" in r.getMessage() for r in records)
    text = record_texts(records)
    assert PASSWORD not in text
    assert token not in text
    assert "Bearer " + token[:20] not in text


def test_no_records_when_logging_is_off(
    secret_emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="qualys_cs")
    secret_emu.client().get_registry(secret_emu.demo_registry_id)
    assert [r for r in caplog.records if r.name.startswith("qualys_cs.")] == []
