"""Typed models over the core's canonical JSON, and the module-level functions.

Every model wraps the JSON the Rust core produced (``raw``; ``to_dict()`` returns a copy) and
exposes it as typed attributes: names in snake_case, dates as timezone-aware UTC ``datetime``
(the wire value, epoch milliseconds as text, in ``<name>_raw`` and in ``raw``), nested models as
their classes. The
attributes are derived from the field annotations below, once per class. No rule lives here:
decoding, validation, schedule semantics and plans are calls into ``qualys_cs._native``.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    ClassVar,
    Dict,
    FrozenSet,
    Generic,
    Iterator,
    List,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    overload,
)

from . import _native

if TYPE_CHECKING:
    from .errors import QualysCsError

InstantLike = Union[datetime, str]
"""A timezone-aware ``datetime`` or an RFC 3339 string such as ``2026-01-05T10:00:00Z``."""

M = TypeVar("M", bound="_Model")
T = TypeVar("T")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _millis(raw: Any) -> Optional[datetime]:
    """An epoch-millisecond value (as the core writes dates) as an aware UTC datetime."""
    try:
        return _EPOCH + timedelta(milliseconds=int(raw))
    except (TypeError, ValueError, OverflowError):
        return None


def _camel(name: str) -> str:
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


class Violation:
    """One problem found by validation: a JSON pointer, a stable code and a message."""

    __slots__ = ("path", "code", "message")
    path: str
    code: str
    message: str

    def __init__(self, path: str, code: str, message: str) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "message", message)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Violation is immutable; {name} cannot be set")

    def to_dict(self) -> Dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Violation) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.path, self.code, self.message))

    def __repr__(self) -> str:
        return f"Violation(path={self.path!r}, code={self.code!r}, message={self.message!r})"

    def __str__(self) -> str:
        return f"{self.path or '/'}: {self.message} ({self.code})"

    def __reduce__(self) -> Tuple[Any, ...]:
        return (Violation, (self.path, self.code, self.message))


def _date(v: Any) -> Optional[datetime]:
    return None if v is None else _millis(v)


_DATE: Callable[[Any], Optional[datetime]] = _date


def _converter(hint: Any) -> Optional[Callable[[Any], Any]]:
    """How a wire value becomes the annotated type (None: as it is)."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is Union and args[0] is datetime:
        return _DATE
    if origin is Union:
        inner = _converter(next(a for a in args if a is not type(None)))
        return None if inner is None else (lambda v: None if v is None else inner(v))
    if origin in (list, List):
        item = _converter(args[0])
        return None if item is None else (lambda v: [item(x) for x in v or ()])
    if hint is Violation:
        return lambda v: Violation(v["path"], v["code"], v["message"])
    if isinstance(hint, type) and issubclass(hint, _Model):
        return hint._wire
    return None


_Spec = Tuple[Tuple[Tuple[str, str, Optional[Callable[[Any], Any]]], ...], FrozenSet[str], bool]


def _rebuild(cls: Type[M], raw: Dict[str, Any]) -> M:
    return cls._wire(raw)


class _Model:
    """A value of the core as its canonical JSON with typed attributes (immutable)."""

    _camel: ClassVar[bool] = True  # wire keys in camelCase (API models) or as the attribute
    _keys: ClassVar[Dict[str, str]] = {}  # attribute -> wire key, where not derived
    _show: ClassVar[Tuple[str, ...]] = ()  # attributes in repr
    _also: ClassVar[Tuple[str, ...]] = ()  # wire keys read by `_post`, not in `extra`
    _spec: ClassVar[_Spec]

    @classmethod
    def _fields(cls) -> _Spec:
        """(attribute, wire key, converter) of every annotated field; the keys read; whether
        unknown keys are kept in `extra`. Derived once per class."""
        if "_spec" not in cls.__dict__:
            plan = []
            for attr, hint in get_type_hints(cls).items():
                if attr.startswith("_") or attr.endswith("_raw") or get_origin(hint) is ClassVar:
                    continue
                key = cls._keys.get(attr) or (_camel(attr) if cls._camel else attr)
                plan.append((attr, key, _converter(hint)))
            known = frozenset(cls._also) | {k for _, k, _ in plan}
            extra = any(a == "extra" for a, _, _ in plan)
            cls._spec = (tuple(p for p in plan if p[0] != "extra"), known, extra)
        return cls._spec

    @classmethod
    def _wire(cls: Type[M], raw: Dict[str, Any]) -> M:
        plan, known, extra = cls._fields()
        obj = cls.__new__(cls)
        d = obj.__dict__
        d["_raw"] = raw
        for attr, key, conv in plan:
            v = raw.get(key)
            d[attr] = v if conv is None else conv(v)
            if conv is _DATE:  # a date: the wire value (epoch ms as text) kept beside it
                d[attr + "_raw"] = v
        if extra:
            d["extra"] = {k: v for k, v in raw.items() if k not in known}
        obj._post()
        return obj

    def _post(self) -> None:
        """Fills what the annotations do not (a subclass hook)."""

    @classmethod
    def from_dict(cls: Type[M], data: Mapping[str, Any]) -> M:
        """Decodes a wire-format dict with the core's decoder (`ValidationError` or
        `DecodeError` when it does not fit)."""
        return cls._wire(_native.decode_as(cls.__name__, data))

    @property
    def raw(self) -> Dict[str, Any]:
        """The canonical JSON this object wraps (dates as epoch-millisecond strings)."""
        raw: Dict[str, Any] = self.__dict__["_raw"]
        return raw

    def to_dict(self) -> Dict[str, Any]:
        """The value as its wire-format dict (a copy)."""
        return copy.deepcopy(self.raw)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; {name} cannot be set")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Model) and type(other) is type(self) and self.raw == other.raw

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        parts = [(a, getattr(self, a)) for a in self._show]
        return f"{type(self).__name__}({', '.join(f'{a}={v!r}' for a, v in parts if v is not None)})"

    def __reduce__(self) -> Tuple[Any, ...]:
        return (_rebuild, (type(self), self.raw))


# --- requests ------------------------------------------------------------------------------


class RepoTag(_Model):
    """A repository and, optionally, comma-separated tags (None = all tags)."""

    _show = ("repo", "tag")
    repo: str
    tag: Optional[str]
    extra: Dict[str, Any]

    def tags(self) -> List[str]:
        """The tags as a list (trimmed); empty for all tags."""
        return [] if self.tag is None else [t.strip() for t in self.tag.split(",")]


class Filter(_Model):
    """One filter of a request: repositories (and tags) plus an optional image age."""

    _show = ("days", "repo_tags")
    days: Optional[int]
    repo_tags: List[RepoTag]
    extra: Dict[str, Any]


class AdditionalFilters(_Model):
    """Limit the scan to the latest N tags (`additionalFilters`)."""

    _show = ("number_of_tags", "sort_criteria")
    number_of_tags: Optional[int]
    sort_criteria: Optional[str]
    extra: Dict[str, Any]


class Report(_Model):
    """The result of validation: blocking `errors` and non-blocking `warnings`."""

    _camel = False
    _show = ("valid", "errors", "warnings")
    errors: List[Violation]
    warnings: List[Violation]

    @property
    def valid(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def __bool__(self) -> bool:
        return self.valid

    def raise_for_errors(self) -> List[Violation]:
        """Returns the warnings when valid; raises `ValidationError` with every error."""
        return [Violation(v["path"], v["code"], v["message"]) for v in _native.report_result(self.raw)]


class _OnDemandAttr:
    """``ScheduleRequest.on_demand``: the builder constructor on the class, the flag on an
    instance (an instance's own value shadows this)."""

    @overload
    def __get__(self, obj: None, owner: Any) -> _OnDemandAttr: ...
    @overload
    def __get__(self, obj: ScheduleRequest, owner: Any) -> bool: ...
    def __get__(self, obj: Optional[ScheduleRequest], owner: Any) -> Any:
        return self if obj is None else obj.__dict__["on_demand"]

    def __call__(self, name: str) -> OnDemandBuilder:
        """A one-off scan that runs at once."""
        return OnDemandBuilder(name)


class ScheduleRequest(_Model):
    """The body of create and update. Build one with ``ScheduleRequest.on_demand / every_days /
    weekly / daily(...)...build()``, or decode a wire dict with ``ScheduleRequest.from_dict``."""

    _also = ("onDemand",)
    _show = (
        "name", "on_demand", "schedule_interval_in_days", "week_day", "schedule", "force_scan",
        "registry_type", "filters", "additional_filters",
    )
    name: str
    on_demand: ClassVar[_OnDemandAttr] = _OnDemandAttr()
    schedule_interval_in_days: Optional[int]
    week_day: Optional[str]
    schedule: Optional[str]
    force_scan: Optional[bool]
    registry_type: Optional[str]
    filters: List[Filter]
    additional_filters: Optional[AdditionalFilters]
    extra: Dict[str, Any]

    def _post(self) -> None:
        self.__dict__["on_demand"] = bool(self.raw.get("onDemand"))

    def is_automatic(self) -> bool:
        """True for automatic (recurring) schedules."""
        return not self.__dict__["on_demand"]

    def to_json(self) -> str:
        """The canonical JSON text."""
        return json.dumps(self.raw, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ScheduleRequest:
        """Decodes JSON text (wrong JSON types are a `ValidationError`)."""
        try:
            data = json.loads(text)
        except ValueError:
            report = validate_json(text)
            return cls._wire(_native.report_result(report.raw))  # raises
        return cls.from_dict(data)

    def validate(self) -> Report:
        """Checks every rule; returns the report."""
        return validate(self)

    def explain(self) -> str:
        """One sentence saying when it runs and what it scans."""
        return _native.explain(self.raw, False)

    def next_runs(self, created: InstantLike, after: InstantLike, n: int = 5) -> List[datetime]:
        """The next `n` runs (UTC datetimes) strictly after max(after, created)."""
        return _native.next_runs(self.raw, created, after, n)

    @staticmethod
    def on_demand_builder(name: str) -> OnDemandBuilder:
        """A one-off scan that runs at once (also ``ScheduleRequest.on_demand(name)``)."""
        return OnDemandBuilder(name)

    @staticmethod
    def every_days(name: str, days: int) -> EveryDaysBuilder:
        """An automatic scan every `days` days (1..=365)."""
        return EveryDaysBuilder(name, days)

    @staticmethod
    def weekly(name: str, day: str) -> WeeklyBuilder:
        """An automatic scan every week on `day` (`MONDAY`..`SUNDAY`), 00:00 UTC unless `.at()`."""
        return WeeklyBuilder(name, day)

    @staticmethod
    def daily(name: str, time: str) -> DailyBuilder:
        """An automatic scan every day at `time` (`HH:MM`, UTC)."""
        return DailyBuilder(name, time)

    @staticmethod
    def daily_in_zone(
        name: str, local_time: str, zone: str, reference: Optional[InstantLike] = None
    ) -> Tuple[DailyBuilder, LocalConversion]:
        """A daily scan at a local time in an IANA zone (UTC at the offset in effect at the
        first run after `reference`, default now)."""
        c = local_to_utc(local_time, zone, None, reference)
        return DailyBuilder(name, c.utc_time), c

    @staticmethod
    def weekly_in_zone(
        name: str, day: str, local_time: str, zone: str, reference: Optional[InstantLike] = None
    ) -> Tuple[WeeklyBuilder, LocalConversion]:
        """A weekly scan on a local weekday and time in an IANA zone (the UTC weekday shifts
        when the conversion crosses midnight)."""
        c = local_to_utc(local_time, zone, day, reference)
        return WeeklyBuilder(name, c.utc_week_day or day).at(c.utc_time), c


B = TypeVar("B", bound="_Builder")


class _Builder:
    """A request builder: the core's builder of this kind replays these calls on `build()`."""

    _kind: ClassVar[str]

    def __init__(self, name: str, first: Any = None) -> None:
        self._name, self._first = name, first
        self._ops: List[Tuple[str, List[Any]]] = []

    def _op(self: B, op: str, *args: Any) -> B:
        self._ops.append((op, list(args)))
        return self

    def repo(self: B, repo: str) -> B:
        """Scan every tag of `repo`."""
        return self._op("repo", repo)

    def repos(self: B, repos: Sequence[str]) -> B:
        """Scan every tag of each repository."""
        return self._op("repos", list(repos))

    def repo_tags(self: B, repo: str, tags: Sequence[str]) -> B:
        """Scan the given tags of `repo`."""
        return self._op("repo_tags", repo, list(tags))

    def created_within_days(self: B, days: int) -> B:
        """Only images created within the last `days` days (documented: 1-7 or 14)."""
        return self._op("created_within_days", days)

    def registry_type(self: B, registry_type: str) -> B:
        """The registry's type (e.g. `Azure`, `DockerHub`, `V2`)."""
        return self._op("registry_type", registry_type)

    def latest_tags(self: B, n: int) -> B:
        """Only the latest `n` tags, newest first by creation date."""
        return self._op("latest_tags", n)

    def build(self) -> ScheduleRequest:
        """Validates and returns the request; raises `ValidationError` with every error."""
        return ScheduleRequest._wire(_native.build(self._kind, self._name, self._first, self._ops, True))

    def build_unchecked(self) -> ScheduleRequest:
        """The request as built, unchecked."""
        return ScheduleRequest._wire(_native.build(self._kind, self._name, self._first, self._ops, False))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.build_unchecked().to_json()})"


class _ForceScan(_Builder):
    def force_scan(self: B, on: bool) -> B:
        """Rescan every image, not only new ones."""
        return self._op("force_scan", on)


class OnDemandBuilder(_ForceScan):
    """Builder of an on-demand schedule (`ScheduleRequest.on_demand(name)`)."""

    _kind = "on_demand"

    def __init__(self, name: str) -> None:
        super().__init__(name)


class EveryDaysBuilder(_ForceScan):
    """Builder of an every-N-days schedule (`ScheduleRequest.every_days(name, days)`)."""

    _kind = "every_days"

    def __init__(self, name: str, days: int) -> None:
        super().__init__(name, days)


class WeeklyBuilder(_ForceScan):
    """Builder of a weekly schedule (`ScheduleRequest.weekly(name, day)`)."""

    _kind = "weekly"

    def __init__(self, name: str, day: str) -> None:
        super().__init__(name, day)

    def at(self, time: str) -> WeeklyBuilder:
        """Run at `time` (`HH:MM`, UTC) on the weekday."""
        return self._op("at", time)


class DailyBuilder(_Builder):
    """Builder of a daily schedule (`ScheduleRequest.daily(name, "HH:MM")`)."""

    _kind = "daily"

    def __init__(self, name: str, time: str) -> None:
        super().__init__(name, time)


# --- answers -------------------------------------------------------------------------------


class JobError(_Model):
    """One error reported on a schedule's job."""

    _show = ("error_code", "error_message")
    error_code: Any
    error_message: Optional[str]
    context_params: Any
    extra: Dict[str, Any]


class Schedule(_Model):
    """A schedule as listed. Dates are aware UTC datetimes (the wire values in ``created_raw``,
    ...); unknown fields are kept in ``extra``."""

    _show = ("schedule_uuid", "name", "status", "on_demand", "schedule_interval_in_days",
             "week_day", "schedule")
    schedule_uuid: str
    name: str
    on_demand: Optional[bool]
    schedule_interval_in_days: Optional[int]
    week_day: Optional[str]
    schedule: Optional[str]
    force_scan: Optional[bool]
    registry_type: Optional[str]
    status: Optional[str]
    filters: List[Filter]
    additional_filters: Optional[AdditionalFilters]
    errors: List[JobError]
    created: Optional[datetime]
    created_raw: Optional[str]
    updated: Optional[datetime]
    updated_raw: Optional[str]
    job_start_date: Optional[datetime]
    job_start_date_raw: Optional[str]
    job_completion_date: Optional[datetime]
    job_completion_date_raw: Optional[str]
    job_listing_start_date: Optional[datetime]
    job_listing_start_date_raw: Optional[str]
    job_listing_completion_date: Optional[datetime]
    job_listing_completion_date_raw: Optional[str]
    job_scanning_start_date: Optional[datetime]
    job_scanning_start_date_raw: Optional[str]
    job_scanning_completion_date: Optional[datetime]
    job_scanning_completion_date_raw: Optional[str]
    extra: Dict[str, Any]

    def _facts(self) -> Dict[str, Any]:
        facts: Dict[str, Any] = _native.schedule_facts(self.raw)
        return facts

    def is_running(self) -> bool:
        """A job is executing: the schedule can be neither updated nor deleted."""
        return bool(self._facts()["running"])

    def is_terminal(self) -> bool:
        """A terminal status: nothing more happens to this job by itself."""
        return bool(self._facts()["terminal"])

    def can_cancel(self) -> bool:
        """A single cancel accepts this status."""
        return bool(self._facts()["can_cancel"])

    def is_on_demand(self) -> bool:
        """True when on demand (absent counts as on demand)."""
        return bool(self._facts()["on_demand"])

    def to_request(self) -> ScheduleRequest:
        """The request that would (re)create this schedule, as far as the answer tells."""
        return ScheduleRequest._wire(self._facts()["request"])

    def unreported_timing(self) -> List[str]:
        """Fields deciding its run times that the answer did not carry (e.g. ``["weekDay"]``)."""
        return list(self._facts()["unreported_timing"])

    def explain(self) -> str:
        """One sentence saying when it runs; says what the answer did not report."""
        return _native.explain(self.raw, True)

    def next_runs(self, after: InstantLike, n: int = 5) -> List[datetime]:
        """Next runs from its ``created`` date; ``NotReportedError`` when the answer lacks the
        timing."""
        runs: List[datetime] = _native.schedule_facts(self.raw, after, n)
        return runs


class Registry(_Model):
    """A registry as listed."""

    _show = ("registry_uuid", "registry_name", "registry_uri", "registry_type")
    registry_uuid: str
    registry_name: Optional[str]
    registry_uri: Optional[str]
    registry_type: Optional[str]
    repo_count: Optional[int]
    created: Optional[datetime]
    created_raw: Optional[str]
    updated: Optional[datetime]
    updated_raw: Optional[str]
    last_scanned: Optional[datetime]
    last_scanned_raw: Optional[str]
    extra: Dict[str, Any]

    def _post(self) -> None:
        for k in ("credentialType", "schedules"):  # a RegistryDetails' own fields
            self.__dict__["extra"].pop(k, None)


class RegistryDetails(_Model):
    """A registry with its details."""

    _show = ("registry_uuid", "registry_name", "registry_uri", "registry_type", "credential_type")
    registry_uuid: str
    registry_name: Optional[str]
    registry_uri: Optional[str]
    registry_type: Optional[str]
    credential_type: Optional[str]
    schedules: Optional[List[Schedule]]

    @property
    def registry(self) -> Registry:
        """The summary fields."""
        return Registry._wire({k: v for k, v in self.raw.items()
                               if k not in ("credentialType", "schedules")})

    @property
    def extra(self) -> Dict[str, Any]:
        """Unknown fields, kept verbatim."""
        return self.registry.extra


class Repository(_Model):
    """A repository of a registry."""

    _show = ("repo_name", "total_images", "total_scanned_images", "total_vulnerable_images")
    repo_name: str
    total_images: Optional[int]
    total_scanned_images: Optional[int]
    total_vulnerable_images: Optional[int]
    extra: Dict[str, Any]


class CreateResponse(_Model):
    """The decoded answer to create (`{"scheduleUuid": ...}` in any of its forms)."""

    _camel = False
    _show = ("schedule_uuid",)
    schedule_uuid: str


class BulkDeleteResponse(_Model):
    """Answer of bulk delete."""

    _show = ("deletion_job_id",)
    deletion_job_id: str


class BulkCancelResponse(_Model):
    """Answer of bulk cancel."""

    _keys = {"cancel_job_id": "CancelJobId"}
    _show = ("cancel_job_id",)
    cancel_job_id: str


class ErrorBody(_Model):
    """The Qualys error body."""

    _show = ("error_code", "message")
    error_code: Optional[str]
    message: Optional[str]
    timestamp: Optional[datetime]
    timestamp_raw: Optional[str]


class Created(_Model):
    """The result of a create."""

    _camel = False
    _show = ("schedule_uuid", "recovered", "warnings")
    schedule_uuid: str
    warnings: List[Violation]
    recovered: bool
    removed_surplus: List[str]


class Page(Generic[T]):
    """One page of a list: `count` is the total across pages, `data` this page's items,
    `skipped` the items lenient decoding could not read (dicts with index, message, raw)."""

    def __init__(self, count: int, data: Sequence[T], skipped: Sequence[Dict[str, Any]] = ()) -> None:
        self.count = count
        self._data = list(data)
        self._skipped = list(skipped)

    @classmethod
    def _wire(cls, raw: Dict[str, Any], item: Callable[[Any], T]) -> Page[T]:
        return cls(raw["count"], [item(x) for x in raw["data"]], raw.get("skipped") or [])

    def __class_getitem__(cls, item: Any) -> Any:  # Page[Schedule] is Page at run time
        return cls

    @property
    def data(self) -> List[T]:
        """The items of this page (a new list each time)."""
        return list(self._data)

    @property
    def skipped(self) -> List[Dict[str, Any]]:
        """Items of the answer that could not be decoded and were skipped (lenient)."""
        return list(self._skipped)

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[T]:
        return iter(self._data)

    def __getitem__(self, i: int) -> T:
        return self._data[i]

    def to_dict(self) -> Dict[str, Any]:
        """``{"count": ..., "data": [item.to_dict(), ...]}`` (+ ``skipped`` when any)."""
        out: Dict[str, Any] = {"count": self.count,
                               "data": [getattr(x, "to_dict")() for x in self._data]}
        if self._skipped:
            out["skipped"] = self.skipped
        return out

    def __repr__(self) -> str:
        return f"Page(count={self.count}, data={self._data!r})"


# --- time zones, plans, desired state, apply -------------------------------------------------


class LocalConversion(_Model):
    """A local run time converted to the UTC fields Qualys needs."""

    _camel = False
    _show = ("zone", "local_time", "local_week_day", "utc_time", "utc_week_day", "day_shift",
             "offset_minutes")
    zone: str
    local_time: str
    local_week_day: Optional[str]
    utc_time: str
    utc_week_day: Optional[str]
    day_shift: int
    offset_minutes: int
    warnings: List[Violation]


class Change(_Model):
    """One changed field of a plan item (`unknown`: the server did not report it)."""

    _camel = False
    _keys = {"from_": "from"}
    _show = ("field", "from_", "to", "forces_replacement", "unknown")
    field: str
    from_: Any
    to: Any
    forces_replacement: bool
    unknown: bool


class PlanSummary(_Model):
    """Counts per action."""

    _camel = False
    _show = ("create", "update", "replace", "delete", "unchanged", "skip")
    create: int
    update: int
    replace: int
    delete: int
    unchanged: int
    skip: int


_CHANGES = ("create", "update", "replace", "delete")


class PlanItem(_Model):
    """One line of a plan."""

    _camel = False
    _show = ("registry", "name", "action", "schedule_id", "reason")
    registry: str
    registry_id: Optional[str]
    name: str
    action: str
    schedule_id: Optional[str]
    request: Optional[ScheduleRequest]
    changes: List[Change]
    reason: Optional[str]

    def is_change(self) -> bool:
        """True when applying the action sends a write."""
        return self.action in _CHANGES


class Plan(_Model):
    """A whole plan: what applying the desired state would do."""

    _camel = False
    _show = ("items", "unmanaged")
    items: List[PlanItem]
    unmanaged: int
    warnings: List[Violation]

    def is_empty(self) -> bool:
        """True when applying would send no write."""
        return not any(i.is_change() for i in self.items)

    def summary(self) -> PlanSummary:
        """Counts per action."""
        return PlanSummary._wire(_native.plan_facts(self.raw)["summary"])

    def render_text(self) -> str:
        """A readable rendering, like a terraform plan."""
        text: str = _native.plan_facts(self.raw)["text"]
        return text


class DesiredSchedule(_Model):
    """One wanted schedule of a desired-state file."""

    _camel = False
    _show = ("name", "line", "request")
    name: str
    request: ScheduleRequest
    conversion: Optional[LocalConversion]
    line: Optional[int]


class DesiredRegistry(_Model):
    """The schedules wanted in one registry."""

    _camel = False
    _show = ("registry", "schedules")
    registry: str
    schedules: List[DesiredSchedule]


class DesiredState(_Model):
    """A parsed desired-state file (schedules as code)."""

    _camel = False
    _show = ("source", "registries")
    source: str
    registries: List[DesiredRegistry]
    warnings: List[Violation]


class ApplyProgress(_Model):
    """Progress of an apply, given to the `progress` callback after each item."""

    _camel = False
    _show = ("done", "total", "item", "action", "ok")
    done: int
    total: int
    item: str
    action: str
    ok: bool


class ItemResult(_Model):
    """The result of one plan item (`outcome`: applied, no_op, dry_run or failed)."""

    _camel = False
    _show = ("registry", "name", "action", "outcome", "schedule_id", "error")
    registry: str
    name: str
    action: str
    outcome: str
    schedule_id: Optional[str]
    requests: List[Dict[str, Any]]

    @property
    def error(self) -> Optional[QualysCsError]:
        """The error (a `QualysCsError`), when the item failed."""
        from .errors import _from_native

        e = self.raw.get("error")
        return None if e is None else _from_native(e)


class ApplyReport(_Model):
    """The result of an apply: one entry per plan item, in plan order."""

    _camel = False
    items: List[ItemResult]

    def failed(self) -> int:
        """Items that failed."""
        return sum(i.outcome == "failed" for i in self.items)

    def applied(self) -> int:
        """Items that were applied."""
        return sum(i.outcome == "applied" for i in self.items)

    def is_success(self) -> bool:
        """True when nothing failed."""
        return self.failed() == 0

    def __bool__(self) -> bool:
        return self.is_success()

    def __repr__(self) -> str:
        return f"ApplyReport(items={len(self.items)}, applied={self.applied()}, failed={self.failed()})"


# --- policies ---------------------------------------------------------------------------------


def _settings(section: str, defaults: Dict[str, Any], given: Dict[str, Any]) -> Dict[str, Any]:
    """The defaults with the given values, each checked by the client crate's settings
    reader (a wrong type or a negative duration: `ConfigError` naming it)."""
    values = {k: v for k, v in given.items() if v is not None}
    _native.check_settings({section: values})
    return {**defaults, **values}


class _Policy:
    def __init__(self, **values: Any) -> None:
        for k, v in values.items():
            object.__setattr__(self, k, v)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; {name} cannot be set")

    def to_dict(self) -> Dict[str, Any]:
        """The settings, as the client's `retry` / `rate_limit` option takes them."""
        return dict(self.__dict__)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.to_dict() == getattr(other, "to_dict")()

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.__dict__.items())))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.__dict__.items())})"

    def __reduce__(self) -> Tuple[Any, ...]:
        return (_policy, (type(self), self.to_dict()))


def _policy(cls: Type[T], values: Dict[str, Any]) -> T:
    return cls(**values)


class RetryPolicy(_Policy):
    """How failed requests are retried (exponential backoff with full jitter); seconds."""

    max_attempts: int
    base_delay: float
    max_delay: float
    max_elapsed: float

    def __init__(self, *, max_attempts: Optional[int] = None, base_delay: Optional[float] = None,
                 max_delay: Optional[float] = None, max_elapsed: Optional[float] = None) -> None:
        given = {"max_attempts": max_attempts, "base_delay": base_delay, "max_delay": max_delay,
                 "max_elapsed": max_elapsed}
        super().__init__(**_settings("retry", _native.RETRY_DEFAULTS, given))

    @staticmethod
    def none() -> RetryPolicy:
        """A policy that never retries."""
        return RetryPolicy(max_attempts=1)


class RateLimitPolicy(_Policy):
    """The client-side rate limiter of `/csapi` calls; seconds."""

    max_concurrency: int
    initial_limit: int
    initial_window: float
    enabled: bool

    def __init__(self, *, max_concurrency: Optional[int] = None,
                 initial_limit: Optional[int] = None, initial_window: Optional[float] = None,
                 enabled: Optional[bool] = None) -> None:
        given = {"max_concurrency": max_concurrency, "initial_limit": initial_limit,
                 "initial_window": initial_window, "enabled": enabled}
        super().__init__(**_settings("rate_limit", _native.RATE_LIMIT_DEFAULTS, given))

    @staticmethod
    def disabled() -> RateLimitPolicy:
        """A disabled limiter."""
        return RateLimitPolicy(enabled=False)


# --- module-level functions -------------------------------------------------------------------


def _text(value: Any, name: str, what: str) -> str:
    """`value` when it is a str; else the `ValidationError` the native calls raise for a value
    of the wrong type (path, fix)."""
    if isinstance(value, str):
        return value
    from .errors import _from_native

    message = f"give {what} as a string, not {type(value).__name__} {value!r}"
    violation = {"path": f"/{name}", "code": "wrong_type", "message": message}
    raise _from_native({"code": "validation", "message": f"invalid request: 1 problem\n  "
                        f"{Violation(**violation)}", "violations": [violation]})


def _data(request: Any) -> Any:
    return request.raw if isinstance(request, _Model) else request


def validate(request: Union[ScheduleRequest, Mapping[str, Any], Any]) -> Report:
    """Validates a request without a client: a `ScheduleRequest`, or any JSON-like value (wrong
    JSON types are `wrong_type` violations). Returns the report; never raises for an invalid
    request."""
    typed = isinstance(request, ScheduleRequest)
    return Report._wire(_native.validate(_data(request), typed))


def validate_json(text: str) -> Report:
    """Validates a request given as JSON text (not JSON: one `invalid_json` violation)."""
    return Report._wire(_native.validate_json(_text(text, "text", "the JSON text")))


def validate_update(current: Union[Schedule, Mapping[str, Any]],
                    next: Union[ScheduleRequest, Mapping[str, Any]]) -> Report:
    """Validates an update of `current` (a listed `Schedule` or its wire dict) to `next`."""
    return Report._wire(_native.validate_update(_data(current), _data(next)))


_PAGES: Dict[str, Type[_Model]] = {"schedule_page": Schedule, "schedule_page_lenient": Schedule,
                                   "registry_page": Registry, "repository_page": Repository}
_BODIES: Dict[str, Type[_Model]] = {"create": CreateResponse, "registry": RegistryDetails,
                                    "bulk_delete": BulkDeleteResponse,
                                    "bulk_cancel": BulkCancelResponse, "error_body": ErrorBody}


@overload
def decode_response(kind: Literal["create"], body: str) -> CreateResponse: ...
@overload
def decode_response(
    kind: Literal["schedule_page", "schedule_page_lenient"], body: str
) -> Page[Schedule]: ...
@overload
def decode_response(kind: Literal["registry_page"], body: str) -> Page[Registry]: ...
@overload
def decode_response(kind: Literal["repository_page"], body: str) -> Page[Repository]: ...
@overload
def decode_response(kind: Literal["registry"], body: str) -> RegistryDetails: ...
@overload
def decode_response(kind: Literal["bulk_delete"], body: str) -> BulkDeleteResponse: ...
@overload
def decode_response(kind: Literal["bulk_cancel"], body: str) -> BulkCancelResponse: ...
@overload
def decode_response(kind: Literal["error_body"], body: str) -> ErrorBody: ...
@overload
def decode_response(kind: str, body: str) -> Any: ...
def decode_response(kind: str, body: str) -> Any:
    """The decoded answer body of one kind of call: `create`, `schedule_page`,
    `schedule_page_lenient`, `registry_page`, `repository_page`, `registry`, `bulk_delete`,
    `bulk_cancel` or `error_body`. Raises `DecodeError` when the body does not fit."""
    raw = _native.decode_response(_text(kind, "kind", "the kind"), _text(body, "body", "the body"))
    if kind in _PAGES:
        return Page._wire(raw, _PAGES[kind]._wire)
    return _BODIES[kind]._wire(raw)


def http_error(status: int, body: str, request_id: Optional[str] = None,
               retry_after: Optional[float] = None) -> QualysCsError:
    """The exception (returned, not raised) the client raises for an HTTP error answer."""
    e: QualysCsError = _native.http_error(status, body, request_id, retry_after)
    return e


def next_runs(request: Union[ScheduleRequest, Mapping[str, Any]], created: InstantLike,
              after: InstantLike, n: int = 5) -> List[datetime]:
    """The next `n` runs (UTC datetimes) of a request strictly after max(after, created)."""
    runs: List[datetime] = _native.next_runs(_data(request), created, after, n)
    return runs


def next_runs_in_zone(request: Union[ScheduleRequest, Mapping[str, Any]], created: InstantLike,
                      after: InstantLike, n: int, zone: str) -> List[str]:
    """The next `n` runs shown in an IANA zone, as RFC 3339 text with offset and zone name."""
    zone = _text(zone, "zone", "an IANA zone such as \"Europe/Berlin\"")
    runs: List[str] = _native.next_runs_in_zone(_data(request), created, after, n, zone)
    return runs


def local_to_utc(local_time: str, zone: str, week_day: Optional[str] = None,
                 reference: Optional[InstantLike] = None) -> LocalConversion:
    """Converts a local run time (`HH:MM` in an IANA zone, optionally on a weekday) to the UTC
    fields Qualys needs, at the zone's offset at the first such run after `reference` (now)."""
    local_time = _text(local_time, "local_time", "a time \"HH:MM\"")
    zone = _text(zone, "zone", "an IANA zone such as \"Europe/Berlin\"")
    if week_day is not None:
        week_day = _text(week_day, "week_day", "a weekday such as \"MONDAY\"")
    return LocalConversion._wire(_native.local_to_utc(local_time, zone, week_day, reference))


def explain(request: Union[ScheduleRequest, Schedule, Mapping[str, Any]]) -> str:
    """One sentence saying when a request runs and what it scans; a listed `Schedule` says
    what the server did not report."""
    text: str = _native.explain(_data(request), isinstance(request, Schedule))
    return text


def _desired(source: Any, file_name: Optional[str], reference: Optional[InstantLike]) -> Any:
    if isinstance(source, DesiredState):
        return source.raw
    return _native.load_desired_state(source, file_name, reference)


def load_desired_state(source: Union[str, Mapping[str, Any]], file_name: Optional[str] = None,
                       reference: Optional[InstantLike] = None) -> DesiredState:
    """Parses a desired-state document (YAML or JSON text, the format after `file_name`, or the
    same document as a dict). Every problem is reported at once in one `ValidationError`."""
    return DesiredState._wire(_desired(source, file_name, reference))


def plan(desired: Union[DesiredState, str, Mapping[str, Any]], actual: Sequence[Mapping[str, Any]],
         prune: bool = False, file_name: Optional[str] = None,
         reference: Optional[InstantLike] = None) -> Plan:
    """The plan of applying `desired` to what exists (`actual`: a list of
    ``{"registry": Registry | dict, "schedules": [Schedule | dict]}``). Pure: nothing is sent."""
    return Plan._wire(_native.plan(_desired(desired, file_name, reference), actual, prune))
