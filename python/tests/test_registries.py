"""Registries as code through the Python client (issue 17), on both wire shapes: create,
update, remote validate, connectors, delete, bulk delete; a password never appears in a repr,
an exception's text, a log record or the emulator's journal."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Dict

import pytest

import qualys_cs
from qualys_cs import Emulator

PASSWORD = "Regi5try-Pa55-9f2c41"
NEW_PASSWORD = "Rotated-Pa55-77ab10"
URI = "https://registry.acme.example"


@pytest.fixture(scope="module")
def emu_module(wired_emu_module: Emulator) -> Emulator:
    return wired_emu_module


def private(password: str = PASSWORD, uri: str = URI) -> Dict[str, Any]:
    return {"registryType": "V2_PRIVATE", "registryUri": uri,
            "credential": {"username": "ci-bot", "password": password}}


def test_registry_lifecycle_keeps_the_password_secret(
    emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="qualys_cs")
    client = emu.client()
    request = qualys_cs.RegistryRequest(private())
    assert request.to_dict()["credential"]["password"] == PASSWORD
    created = client.create_registry(request)
    assert not created.recovered
    rid = created.registry_uuid
    details = client.get_registry(rid)
    assert details.registry_uri == URI
    # The service now knows it: a second create is refused, a remote validate says no.
    with pytest.raises(qualys_cs.QualysCsError) as dup:
        client.create_registry(private())
    assert not client.validate_registry(private()).valid
    assert client.validate_registry(private(uri="https://fresh.acme.example")).valid
    assert client.update_registry(rid, private(NEW_PASSWORD)) == []
    # Local rules first: nothing is sent for a request with errors.
    emu.clear_requests()
    with pytest.raises(qualys_cs.ValidationError) as bad:
        client.create_registry({"registryType": "V2_PRIVATE", "registryUri": "ftp://x",
                                "credential": {"password": PASSWORD}})
    assert {v.path for v in bad.value.violations} >= {"/registryUri"}
    assert [r for r in emu.requests() if r["method"] == "POST" and "/registry" in r["path"]] == []
    client.delete_registry(rid)
    with pytest.raises(qualys_cs.NotFoundError):
        client.get_registry(rid)
    with pytest.raises(qualys_cs.NotFoundError):
        client.delete_registry(rid)

    shown = " ".join([
        repr(request), str(request.redacted()), repr(created), repr(client), repr(details),
        str(dup.value), repr(dup.value), json.dumps(dup.value.to_dict()),
        str(bad.value), repr(bad.value), json.dumps(bad.value.to_dict()),
        "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records),
    ])
    assert "***" in repr(request)
    journal = json.dumps(emu.requests())
    for secret in (PASSWORD, NEW_PASSWORD):
        assert secret not in shown
        assert secret not in journal


def test_bulk_delete_and_connectors(emu: Emulator) -> None:
    client = emu.client()
    ids = [client.create_registry({"registryType": "DockerHub",
                                   "registryUri": f"https://hub{i}.acme.example",
                                   "credential": {"username": "u", "password": PASSWORD}}
                                  ).registry_uuid for i in range(2)]
    job = client.bulk_delete_registries(ids)
    assert job.deletion_job_id
    listed = {r.registry_uuid for r in client.list_registries_all()}
    assert not listed & set(ids)
    with pytest.raises(qualys_cs.ValidationError) as none:
        client.bulk_delete_registries([])
    assert none.value.violations[0].path == "/registryIds"
    for kind in ("acr", "aws", "gcp"):
        connectors = client.list_connectors(kind)
        assert connectors and all(isinstance(c, qualys_cs.Connector) for c in connectors)
    assert client.list_connectors("aws")[0].arn
    with pytest.raises(qualys_cs.ValidationError) as wrong:
        client.list_connectors("azure-ish")  # type: ignore[arg-type]
    assert wrong.value.violations[0].path == "/kind"
    assert PASSWORD not in json.dumps(emu.requests())


def test_async_client_registry_operations(emu: Emulator) -> None:
    async def run() -> None:
        client = emu.async_client()
        created = await client.create_registry(private())
        assert (await client.validate_registry(private())).valid is False
        assert await client.update_registry(created.registry_uuid, private(NEW_PASSWORD)) == []
        await client.delete_registry(created.registry_uuid)
        with pytest.raises(qualys_cs.ValidationError):
            client.create_registry({"registryType": 7})  # raises at the call
        assert len(await client.list_connectors("gcp")) >= 1

    asyncio.run(run())
    assert PASSWORD not in json.dumps(emu.requests())
