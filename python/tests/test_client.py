"""Every client operation against the in-process emulator (sync client).

Runs against both wire profiles of the emulator (``full`` and ``oas2021``, see conftest): every
test here gets ``[full]`` and ``[oas2021]`` variants. Where the shapes legitimately differ (a
listed schedule has no ``weekDay`` on oas2021, registries no ``registryName``) the assertions
branch on ``emu.wire``; everything else must hold on both.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Iterator

import pytest

import qualys_cs
from conftest import DEMO_REGISTRY_URI, assert_no_null_sent, on_demand, weekly
from qualys_cs import Client, Emulator

UNKNOWN_ID = "889ea97d-5b9c-4e34-9783-a40eae8d8feb"


@pytest.fixture(scope="module")
def emu_module(wired_emu_module: Emulator) -> Emulator:
    """This module's emulator: one per wire profile (the tests run once for each)."""
    return wired_emu_module


@pytest.fixture(autouse=True)
def nothing_null_was_sent(emu: Emulator) -> Iterator[None]:
    yield
    assert_no_null_sent(emu)


def writes(emu: Emulator, method: str) -> int:
    return sum(1 for r in emu.requests() if r["method"] == method and "/csapi/" in r["path"])


def stored(emu: Emulator, schedule_id: str) -> Dict[str, Any]:
    """The emulator's own record of a schedule (every field, whatever the wire profile)."""
    found = [s for s in emu.schedules() if s["scheduleUuid"] == schedule_id]
    assert len(found) == 1, found
    return found[0]


def test_create_typed_and_dict_then_get(client: Client, registry_id: str, emu: Emulator) -> None:
    typed = client.create_schedule(registry_id, weekly("typed"))
    assert isinstance(typed, qualys_cs.Created)
    assert len(typed.schedule_uuid) == 36 and not typed.recovered
    # The id returned is the one the server made (oas2021 answers a bare JSON string).
    assert stored(emu, typed.schedule_uuid)["name"] == "typed"
    as_dict = client.create_schedule(
        registry_id,
        {
            "name": "from-dict",
            "onDemand": False,
            "scheduleIntervalInDays": 1,
            "schedule": "19:30",
            "filters": [{"days": None, "repoTags": [{"repo": "app", "tag": "latest, 1.2"}]}],
        },
    )
    got = client.get_schedule(registry_id, as_dict.schedule_uuid)
    assert isinstance(got, qualys_cs.Schedule)
    assert got.name == "from-dict"
    assert got.schedule == "19:30" and got.on_demand is False
    if emu.wire == "full":
        assert got.schedule_interval_in_days == 1
    else:
        # The 2021 OpenAPI list item has no interval: unknown, not guessed.
        assert got.schedule_interval_in_days is None
        assert got.unreported_timing() == ["scheduleIntervalInDays", "weekDay"]
    assert stored(emu, as_dict.schedule_uuid)["scheduleIntervalInDays"] == 1
    assert got.filters[0].repo_tags[0].tags() == ["latest", "1.2"]
    assert got.to_dict()["scheduleUuid"] == as_dict.schedule_uuid
    assert got.created is not None and got.created.tzinfo is not None
    assert "from-dict" in repr(got) and as_dict.schedule_uuid in repr(got)
    assert len(emu.schedules()) == 2


def test_create_returns_warnings(client: Client, registry_id: str) -> None:
    # A weekly run time is no warning (both of Qualys's samples send one); days 90 is.
    req = qualys_cs.ScheduleRequest.weekly("w", "FRIDAY").at("06:55").repo("nginx").build()
    assert client.create_schedule(registry_id, req).warnings == []
    req = (
        qualys_cs.ScheduleRequest.weekly("w90", "FRIDAY")
        .at("06:55")
        .repo("nginx")
        .created_within_days(90)
        .build()
    )
    created = client.create_schedule(registry_id, req)
    assert [w.code for w in created.warnings] == ["days_undocumented"]
    assert len(created.schedule_uuid) == 36


def test_invalid_request_is_never_sent(client: Client, registry_id: str, emu: Emulator) -> None:
    emu.clear_requests()
    with pytest.raises(qualys_cs.ValidationError) as info:
        client.create_schedule(
            registry_id,
            {"name": "", "onDemand": False, "scheduleIntervalInDays": "7", "filters": []},
        )
    codes = {(v.path, v.code) for v in info.value.violations}
    assert ("/name", "name_required") in codes
    assert ("/scheduleIntervalInDays", "wrong_type") in codes
    assert ("/filters", "filters_required") in codes
    assert writes(emu, "POST") == 0


def test_list_walks_every_page(client: Client, registry_id: str, emu: Emulator) -> None:
    made = {client.create_schedule(registry_id, on_demand(f"s{i}")).schedule_uuid for i in range(7)}
    emu.clear_requests()
    listed = list(client.list_schedules_all(registry_id, page_size=3))
    assert {s.schedule_uuid for s in listed} == made
    pages = [r for r in emu.requests() if r["method"] == "GET" and r["path"].endswith("/schedule")]
    assert len(pages) == 3  # 3 + 3 + 1
    page = client.list_schedules(registry_id, page_size=3, page_number=3)
    assert page.count == 7 and len(page) == 1 and len(page.data) == 1
    assert page.to_dict()["count"] == 7
    filtered = list(client.list_schedules_all(registry_id, filter='name:"s4"'))
    assert [s.name for s in filtered] == ["s4"]


def test_update_changes_allowed_fields(client: Client, registry_id: str, emu: Emulator) -> None:
    sid = client.create_schedule(registry_id, weekly("up")).schedule_uuid
    nxt = qualys_cs.ScheduleRequest.weekly("up", "FRIDAY").at("03:00").repo("library/nginx").build()
    # oas2021 answers the update 201 with an empty body: a success, not a decode error.
    assert client.update_schedule(registry_id, sid, nxt) == []
    got = client.get_schedule(registry_id, sid)
    assert got.schedule == "03:00"
    assert got.week_day == ("FRIDAY" if emu.wire == "full" else None)
    assert stored(emu, sid)["weekDay"] == "FRIDAY"
    # A dict works as well.
    d = nxt.to_dict()
    d["weekDay"] = "SUNDAY"
    client.update_schedule(registry_id, sid, d)
    assert client.get_schedule(registry_id, sid).week_day == (
        "SUNDAY" if emu.wire == "full" else None
    )
    assert stored(emu, sid)["weekDay"] == "SUNDAY"
    assert writes(emu, "PUT") == 2


def test_listed_schedule_timing_is_reported_or_said_unknown(
    client: Client, registry_id: str, emu: Emulator
) -> None:
    req = qualys_cs.ScheduleRequest.weekly("wk", "THURSDAY").at("06:55").repo("app").build()
    sid = client.create_schedule(registry_id, req).schedule_uuid
    listed = next(iter(client.list_schedules_all(registry_id)))
    assert listed.schedule_uuid == sid and listed.schedule == "06:55"
    after = datetime(2026, 1, 1, tzinfo=timezone.utc)
    if emu.wire == "full":
        assert listed.week_day == "THURSDAY" and listed.schedule_interval_in_days == 7
        assert listed.unreported_timing() == []
        runs = listed.next_runs(after, 2)
        assert [r.weekday() for r in runs] == [3, 3]  # Thursdays
        assert qualys_cs.explain(listed).startswith("Runs every Thursday at 06:55 UTC")
    else:
        # The sparse shape: the run times cannot be computed, and the SDK says why instead
        # of guessing (or of raising a validation error about a request nobody wrote).
        assert listed.week_day is None and listed.schedule_interval_in_days is None
        assert listed.unreported_timing() == ["scheduleIntervalInDays", "weekDay"]
        with pytest.raises(qualys_cs.NotReportedError) as info:
            listed.next_runs(after, 2)
        assert info.value.code == "not_reported"
        assert info.value.fields == ["scheduleIntervalInDays", "weekDay"]
        assert "does not report" in qualys_cs.explain(listed)


def test_update_refused_before_sending(client: Client, registry_id: str, emu: Emulator) -> None:
    sid = client.create_schedule(registry_id, weekly("imm")).schedule_uuid
    emu.clear_requests()
    other_repo = qualys_cs.ScheduleRequest.weekly("imm", "MONDAY").repo("other").build()
    with pytest.raises(qualys_cs.ValidationError) as info:
        client.update_schedule(registry_id, sid, other_repo)
    assert [v.code for v in info.value.violations] == ["immutable_repo"]
    assert writes(emu, "PUT") == 0


def test_delete_and_cancel(client: Client, registry_id: str) -> None:
    sid = client.create_schedule(registry_id, on_demand("c")).schedule_uuid
    client.cancel_schedule(registry_id, sid)
    assert client.get_schedule(registry_id, sid).status == "Canceled"
    client.delete_schedule(registry_id, sid)
    with pytest.raises(qualys_cs.NotFoundError):
        client.get_schedule(registry_id, sid)


def test_bulk_delete_and_cancel(client: Client, registry_id: str, emu: Emulator) -> None:
    ids = [client.create_schedule(registry_id, weekly(f"b{i}")).schedule_uuid for i in range(3)]
    cancelled = client.bulk_cancel_schedules(registry_id, schedule_ids=ids[:1])
    assert isinstance(cancelled, qualys_cs.BulkCancelResponse) and len(cancelled.cancel_job_id) == 36
    deleted = client.bulk_delete_schedules(registry_id, schedule_ids=ids[:2])
    assert isinstance(deleted, qualys_cs.BulkDeleteResponse) and len(deleted.deletion_job_id) == 36
    assert {s.schedule_uuid for s in client.list_schedules_all(registry_id)} == {ids[2]}
    client.bulk_delete_schedules(registry_id, filter="scheduleUuid:*")
    assert list(client.list_schedules_all(registry_id)) == []
    with pytest.raises(qualys_cs.ValidationError) as info:
        client.bulk_delete_schedules(registry_id)
    assert info.value.violations[0].code == "selector_required"


def test_registries_and_repositories(client: Client, registry_id: str, emu: Emulator) -> None:
    registries = list(client.list_registries_all())
    assert registry_id in {r.registry_uuid for r in registries}
    page = client.list_registries(page_size=1)
    assert page.count == len(registries) and len(page) == 1
    details = client.get_registry(registry_id)
    assert isinstance(details, qualys_cs.RegistryDetails)
    assert details.registry_uuid == registry_id
    if emu.wire == "full":
        assert details.registry_name == "demo-registry"
        assert client.find_registry("demo-registry").registry_uuid == registry_id
    else:
        # No registryName in the 2021 shape: a name cannot match, and the error says so.
        assert details.registry_name is None
        with pytest.raises(qualys_cs.NotFoundError) as info:
            client.find_registry("demo-registry")
        assert "registryName" in str(info.value)
    assert client.find_registry(DEMO_REGISTRY_URI).registry_uuid == registry_id
    assert client.find_registry(registry_id.upper()).registry_uuid == registry_id
    repos = list(client.list_repositories_all(registry_id, page_size=2))
    assert repos and all(isinstance(r, qualys_cs.Repository) and r.repo_name for r in repos)
    assert client.list_repositories(registry_id).count == len(repos)
    with pytest.raises(qualys_cs.NotFoundError):
        client.find_registry("no-such-registry")


def test_properties_and_context_manager(emu: Emulator) -> None:
    with emu.client() as c:
        assert c.gateway_url == emu.url
        assert c.username == emu.demo_username
        assert c.token_fetches == 0
        list(c.list_registries_all())
        assert c.token_fetches == 1
        a = c.to_async()
        assert isinstance(a, qualys_cs.AsyncClient) and a.gateway_url == emu.url


def test_from_env(emu: Emulator, registry_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "QUALYS_GATEWAY_URL": emu.url,
        "QUALYS_USERNAME": emu.demo_username,
        "QUALYS_PASSWORD": emu.demo_password,
    }
    c = Client.from_env(env)
    assert c.get_registry(registry_id).registry_uuid == registry_id
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("QUALYS_TOKEN", raising=False)
    monkeypatch.delenv("QUALYS_PLATFORM", raising=False)
    c2 = Client.from_env(retry=qualys_cs.RetryPolicy.none())
    assert c2.gateway_url == emu.url
    with pytest.raises(qualys_cs.ConfigError) as info:
        Client.from_env({"QUALYS_PLATFORM": "MARS1", "QUALYS_TOKEN": "t"})
    assert info.value.field == "QUALYS_PLATFORM"


def test_retried_create_does_not_duplicate(client: Client, registry_id: str, emu: Emulator) -> None:
    # The first POST is processed, then its answer is replaced by a 503.
    emu.add_fault("status", method="POST", path="/csapi/v1.3/registry/*/schedule", status=503,
                  stage="after", count=1)
    created = client.create_schedule(registry_id, weekly("once"))
    assert created.recovered
    names = [s["name"] for s in emu.schedules()]
    assert names.count("once") == 1



def test_lenient_listing_reports_an_unreadable_item(
    client: Client, registry_id: str, emu: Emulator
) -> None:
    sid = client.create_schedule(registry_id, on_demand("fine")).schedule_uuid
    page = client.list_schedules(registry_id, lenient=True)
    assert [s.schedule_uuid for s in page] == [sid] and page.skipped == []
    assert [s.schedule_uuid for s in client.list_schedules_all(registry_id, lenient=True)] == [sid]
    # An answer with one unreadable item (a name that is a number): strict decoding names it,
    # lenient decoding skips and reports it.
    bad = '{"count": 2, "data": [{"scheduleUuid": "%s", "name": "ok"}, {"name": 42}]}' % sid
    with pytest.raises(qualys_cs.DecodeError) as info:
        qualys_cs.decode_response("schedule_page", bad)
    assert "1" in str(info.value)
    lenient = qualys_cs.decode_response("schedule_page_lenient", bad)
    assert [s.schedule_uuid for s in lenient] == [sid]
    assert [(s["index"], s["raw"]) for s in lenient.skipped] == [(1, {"name": 42})]
