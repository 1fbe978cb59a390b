"""One vocabulary (issue 16): the same scenario, with the same assertions, as
node/test/vocabulary.test.mjs and the Kotlin `vocabulary` tests (bindings/uniffi/kotlin).
The names of every language are listed in docs/vocabulary.md."""

from __future__ import annotations

import copy
from typing import Any, Dict

import pytest

import qualys_cs
from qualys_cs import Client, Emulator

# The second sample body of Qualys's "Create a Registry Schedule" page (valid, no warning).
SEED_SAMPLE: Dict[str, Any] = {
    "filters": [{"days": None, "repoTags": [{"repo": "azuretest", "tag": None}]}],
    "name": "Automatic Scan Schedule",
    "onDemand": False,
    "schedule": "09:30",
    "forceScan": True,
    "registryType": "Azure",
    "scheduleIntervalInDays": 7,
    "additionalFilters": {"numberOfTags": 5, "sortCriteria": "createdDate"},
    "weekDay": "THURSDAY",
}

MISSING_SCHEDULE = "00000000-0000-4000-8000-000000000000"


def sample(**changes: Any) -> Dict[str, Any]:
    body = copy.deepcopy(SEED_SAMPLE)
    body.update(changes)
    return body


def test_vocabulary_create_and_list(emu: Emulator, client: Client) -> None:
    reg = emu.demo_registry_id
    first = client.create_schedule(reg, sample())
    second = client.create_schedule(reg, sample(name="Automatic Scan Schedule 2"))
    assert first.schedule_uuid and second.schedule_uuid != first.schedule_uuid
    assert first.warnings == []

    # list_schedules: ONE page, with the paging info
    page = client.list_schedules(reg, page_size=1)
    assert len(page.data) == 1
    assert page.count == 2
    assert page.skipped == []

    # list_schedules_all: every item, page after page
    every = list(client.list_schedules_all(reg, page_size=1))
    assert len(every) == 2
    assert {s.name for s in every} == {"Automatic Scan Schedule", "Automatic Scan Schedule 2"}


def test_vocabulary_errors(emu: Emulator, client: Client) -> None:
    reg = emu.demo_registry_id

    with pytest.raises(qualys_cs.ValidationError) as bad_interval:
        client.create_schedule(reg, sample(scheduleIntervalInDays=400))
    assert bad_interval.value.code == "validation"
    assert [v.path for v in bad_interval.value.violations] == ["/scheduleIntervalInDays"]
    assert bad_interval.value.violations[0].code == "interval_out_of_range"

    with pytest.raises(qualys_cs.NotFoundError) as missing:
        client.get_schedule(reg, MISSING_SCHEDULE)
    assert missing.value.code == "not_found"
    assert missing.value.retry_after is None
    # the field names of the vocabulary exist on every error
    assert hasattr(missing.value, "server_message") and hasattr(missing.value, "request_id")

    with pytest.raises(qualys_cs.ValidationError) as bad_day:
        client.create_schedule(reg, sample(weekDay="thursdy"))
    assert bad_day.value.code == "validation"
    assert [v.path for v in bad_day.value.violations] == ["/weekDay"]
    # the core names the valid values; a did-you-mean for a misspelling ("thursdy") is not
    # there yet (core's WeekDay::parse_loose folds case only), so: THURSDAY is named ...
    assert "THURSDAY" in bad_day.value.violations[0].message
    assert '"thursdy"' in bad_day.value.violations[0].message
    # ... and the did-you-mean of a wrong case
    with pytest.raises(qualys_cs.ValidationError) as lower_day:
        client.create_schedule(reg, sample(weekDay="thursday"))
    assert [v.path for v in lower_day.value.violations] == ["/weekDay"]
    assert "did you mean THURSDAY" in lower_day.value.violations[0].message
    assert client.list_schedules(reg).count == 0  # nothing invalid was sent
