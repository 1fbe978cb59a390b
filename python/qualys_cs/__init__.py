"""qualys-cs: Qualys Container Security registry schedules from Python.

A thin binding of the qualys-cs Rust crates: the same validation, retries (never duplicating a
schedule), rate limiting and paging as the Rust client, plus an in-process emulator for tests.

    >>> from qualys_cs import ScheduleRequest, validate
    >>> req = ScheduleRequest.weekly("nightly", "MONDAY").at("02:00").repo("library/nginx").build()
    >>> validate(req.to_dict()).valid
    True
"""

from __future__ import annotations

import enum
import logging
from typing import TYPE_CHECKING, Type, TypeVar

from . import errors
from ._client import AsyncClient, AsyncListIterator, Client, Emulator, ListIterator
from ._registries import (
    Connector,
    RegistryCreated,
    RegistryRequest,
    RegistryValidation,
    validate_registry,
)
from ._models import (
    AdditionalFilters,
    ApplyProgress,
    ApplyReport,
    BulkCancelResponse,
    BulkDeleteResponse,
    Change,
    Created,
    CreateResponse,
    DailyBuilder,
    DesiredRegistry,
    DesiredSchedule,
    DesiredState,
    ErrorBody,
    EveryDaysBuilder,
    Filter,
    ItemResult,
    JobError,
    LocalConversion,
    OnDemandBuilder,
    Page,
    Plan,
    PlanItem,
    PlanSummary,
    RateLimitPolicy,
    Registry,
    RegistryDetails,
    RepoTag,
    Report,
    Repository,
    RetryPolicy,
    Schedule,
    ScheduleRequest,
    Violation,
    WeeklyBuilder,
    decode_response,
    explain,
    http_error,
    load_desired_state,
    local_to_utc,
    next_runs,
    next_runs_in_zone,
    plan,
    validate,
    validate_json,
    validate_update,
)
from ._native import (
    DEMO_PASSWORD,
    DEMO_REGISTRY_ID,
    DEMO_USER,
    ERROR_CODES,
    PLATFORMS,
    REGISTRY_RULES,
    REGISTRY_TYPES,
    RULES,
    SCHEDULE_STATUSES,
    WEEK_DAYS,
    __version__,
)
from .errors import (
    AuthError,
    BadRequestError,
    ConfigError,
    ConflictError,
    DecodeError,
    HttpError,
    NotFoundError,
    NotReportedError,
    PermissionDeniedError,
    QualysCsError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
    TransportError,
    ValidationError,
)

# Library logging: records go to the "qualys_cs.*" loggers; the application configures handlers.
logging.getLogger("qualys_cs").addHandler(logging.NullHandler())


_E = TypeVar("_E", bound="_WireEnum")


class _WireEnum(str, enum.Enum):
    """A wire string of the API, usable wherever that string is taken."""

    if TYPE_CHECKING:  # Enum's constructor (not str's), for type checkers and stubtest

        def __new__(cls: Type[_E], value: object) -> _E: ...

    def __str__(self) -> str:
        return str(self.value)


class WeekDay(_WireEnum):
    """Days of the week as the API spells them (usable wherever a weekday string is taken)."""

    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"

class RegistryType(_WireEnum):
    """Registry types the API documents (others are kept verbatim)."""

    V2 = "V2"
    V2_PRIVATE = "V2_PRIVATE"
    DOCKER_HUB = "DockerHub"
    AWS = "AWS"
    AZURE = "Azure"
    GCP = "GCP"
    GOOGLE_ARTIFACT_REGISTRY = "GOOGLE_ARTIFACT_REGISTRY"

class ScheduleStatus(_WireEnum):
    """Statuses of a schedule's job (others are kept verbatim in ``Schedule.status``)."""

    CREATED = "Created"
    QUEUED = "Queued"
    PAUSED = "Paused"
    RUNNING = "Running"
    COMPLETED = "Completed"
    FINISHED = "Finished"
    ERROR = "Error"
    FAILED = "Failed"
    BASELINE_CREATED = "BaselineCreated"
    BASELINE_QUEUED = "BaselineQueued"
    BASELINE_RUNNING = "BaselineRunning"
    BASELINE_COMPLETED = "BaselineCompleted"
    CANCELED = "Canceled"
    UNKNOWN = "Unknown"

__all__ = [
    "__version__",
    # clients and the emulator
    "Client",
    "AsyncClient",
    "Emulator",
    "RetryPolicy",
    "RateLimitPolicy",
    "ListIterator",
    "AsyncListIterator",
    # requests
    "ScheduleRequest",
    "OnDemandBuilder",
    "EveryDaysBuilder",
    "WeeklyBuilder",
    "DailyBuilder",
    "Filter",
    "RepoTag",
    "AdditionalFilters",
    "WeekDay",
    "RegistryType",
    "ScheduleStatus",
    # answers
    "Schedule",
    "JobError",
    "Registry",
    "RegistryDetails",
    "Repository",
    "Page",
    "Created",
    "CreateResponse",
    "BulkDeleteResponse",
    "BulkCancelResponse",
    "ErrorBody",
    # validation, semantics, plans
    "Violation",
    "Report",
    "LocalConversion",
    "DesiredState",
    "DesiredRegistry",
    "DesiredSchedule",
    "Plan",
    "PlanItem",
    "PlanSummary",
    "Change",
    "ApplyReport",
    "ItemResult",
    "ApplyProgress",
    "validate",
    "validate_json",
    "validate_update",
    "decode_response",
    "http_error",
    "next_runs",
    "next_runs_in_zone",
    "local_to_utc",
    "explain",
    "load_desired_state",
    "plan",
    # constants
    "WEEK_DAYS",
    "REGISTRY_TYPES",
    "SCHEDULE_STATUSES",
    "ERROR_CODES",
    "RULES",
    "PLATFORMS",
    "DEMO_USER",
    "DEMO_PASSWORD",
    "DEMO_REGISTRY_ID",
    # errors
    "errors",
    "QualysCsError",
    "ValidationError",
    "AuthError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "BadRequestError",
    "RateLimitedError",
    "ServerError",
    "HttpError",
    "TransportError",
    "RequestTimeoutError",
    "DecodeError",
    "NotReportedError",
    "ConfigError",
    # registries as code (issue 17)
    "RegistryRequest",
    "RegistryCreated",
    "RegistryValidation",
    "Connector",
    "validate_registry",
    "REGISTRY_RULES",
]
