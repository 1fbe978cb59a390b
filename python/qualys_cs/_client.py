"""`Client` (blocking) and `AsyncClient` (asyncio): one native client underneath.

Each operation exists once in Rust and returns a pending call; the blocking client waits for
it with the GIL released, the asyncio client awaits it. Both wrap the canonical JSON answer in
the typed models. Settings go to the client crate's `ClientConfig` as they are named here.
"""

from __future__ import annotations

from typing import (
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Dict,
    Generic,
    Iterator,
    List,
    Literal,
    Mapping,
    Optional,
    Sequence,
    TypeVar,
    Union,
)

from . import _native
from ._registries import _AsyncRegistryOps, _RegistryOps
from ._models import (
    ApplyProgress,
    ApplyReport,
    BulkCancelResponse,
    BulkDeleteResponse,
    Created,
    DesiredState,
    InstantLike,
    Page,
    Plan,
    RateLimitPolicy,
    Registry,
    RegistryDetails,
    Repository,
    RetryPolicy,
    Schedule,
    ScheduleRequest,
    Violation,
    _data,
    _desired,
)

T = TypeVar("T")
R = TypeVar("R")
RequestLike = Union[ScheduleRequest, Mapping[str, Any]]


def _settings(**given: Any) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for k, v in given.items():
        if v is None:
            continue
        if isinstance(v, (RetryPolicy, RateLimitPolicy)):
            v = v.to_dict()
        elif k == "root_certificates":
            v = [v] if isinstance(v, (str, bytes)) else list(v)
            v = [p.decode() if isinstance(p, bytes) else p for p in v]
        out[k] = v
    return out


def _violations(raw: Sequence[Dict[str, str]]) -> List[Violation]:
    return [Violation(v["path"], v["code"], v["message"]) for v in raw]


async def _then(pending: Awaitable[Any], wrap: Callable[[Any], T]) -> T:
    return wrap(await pending)


def _options(filter: Optional[str], page_number: Optional[int], page_size: Optional[int],
             sort: Optional[str], lenient: bool = False) -> Dict[str, Any]:
    return {"filter": filter, "page_number": page_number, "page_size": page_size, "sort": sort,
            "lenient": lenient}


class ListIterator(Generic[T]):
    """Every item of a list, page after page (pages are fetched as the iteration goes)."""

    def __init__(self, paged: _native.Paged, wrap: Callable[[Any], T]) -> None:
        self._paged, self._wrap = paged, wrap

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        return self._wrap(self._paged.next())


class AsyncListIterator(Generic[T]):
    """Every item of a list, page after page, for `async for`."""

    def __init__(self, paged: _native.Paged, wrap: Callable[[Any], T]) -> None:
        self._paged, self._wrap = paged, wrap

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        return self._wrap(await self._paged.anext())


class _Base:
    _native_client: _native.NativeClient

    def __init__(
        self,
        *,
        gateway_url: Optional[str] = None,
        platform: Optional[str] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        token: Optional[str] = None,
        connect_timeout: Optional[float] = None,
        request_timeout: Optional[float] = None,
        proxy: Optional[str] = None,
        no_proxy: Optional[bool] = None,
        root_certificates: Union[str, bytes, Sequence[Union[str, bytes]], None] = None,
        user_agent_suffix: Optional[str] = None,
        retry: Optional[RetryPolicy] = None,
        rate_limit: Optional[RateLimitPolicy] = None,
        create_recovery: Optional[Literal["creation_cutoff", "snapshot", "assume_unique_names"]] = None,
        create_settle_window: Optional[float] = None,
        allow_insecure_http: Optional[bool] = None,
    ) -> None:
        """A client; durations in seconds. Unset settings keep their defaults."""
        settings = _settings(
            gateway_url=gateway_url, platform=platform, username=username, password=password,
            token=token, connect_timeout=connect_timeout, request_timeout=request_timeout,
            proxy=proxy, no_proxy=no_proxy, root_certificates=root_certificates,
            user_agent_suffix=user_agent_suffix, retry=retry, rate_limit=rate_limit,
            create_recovery=create_recovery, create_settle_window=create_settle_window,
            allow_insecure_http=allow_insecure_http,
        )
        self._n = _native.NativeClient(settings, False, None)

    @classmethod
    def from_env(cls: type[R], env: Optional[Mapping[str, str]] = None, **settings: Any) -> R:
        """A client configured from `QUALYS_USERNAME`, `QUALYS_PASSWORD`, `QUALYS_TOKEN`,
        `QUALYS_PLATFORM` and `QUALYS_GATEWAY_URL` (read from `env` when given, else the
        process environment); keyword settings override."""
        obj = cls.__new__(cls)
        obj._n = _native.NativeClient(_settings(**settings), True, env)  # type: ignore[attr-defined]
        return obj

    @property
    def gateway_url(self) -> str:
        """The gateway base URL in use."""
        return self._n.gateway_url

    @property
    def username(self) -> Optional[str]:
        """The username, when the client logs in with credentials."""
        return self._n.username

    @property
    def token_fetches(self) -> int:
        """How many tokens this client fetched from `/auth` so far (in this process)."""
        return self._n.token_fetches

    def __repr__(self) -> str:
        auth = f"username={self.username!r}, auth='password'" if self.username else "auth='token'"
        return f"{type(self).__name__}(gateway_url={self.gateway_url!r}, {auth})"

    def _shared(self, cls: type[R]) -> R:
        obj = cls.__new__(cls)
        obj._n = self._n.share()  # type: ignore[attr-defined]
        return obj

    def _create(self, registry_id: str, request: RequestLike) -> _native.Call:
        typed = isinstance(request, ScheduleRequest)
        return self._n.create_schedule(registry_id, _data(request), typed)

    def _plan(self, desired: Any, prune: bool, file_name: Optional[str],
              reference: Optional[InstantLike]) -> _native.Call:
        return self._n.plan(_desired(desired, file_name, reference), prune)


class Client(_Base, _RegistryOps):
    """The blocking client. Every call releases the GIL while it waits, so threads can share one
    client. Configure it with keyword settings or `Client.from_env()`."""

    def create_schedule(self, registry_id: str, request: RequestLike) -> Created:
        """Creates a schedule (a `ScheduleRequest` or a wire dict); validated first, never
        duplicated by a retry."""
        return Created._wire(self._create(registry_id, request).wait())

    def get_schedule(self, registry_id: str, schedule_id: str) -> Schedule:
        """One schedule (`NotFoundError` when absent)."""
        return Schedule._wire(self._n.get_schedule(registry_id, schedule_id).wait())

    def update_schedule(self, registry_id: str, schedule_id: str,
                        request: RequestLike) -> List[Violation]:
        """Updates an automatic schedule (checked against the current one first); returns the
        warnings."""
        return _violations(self._n.update_schedule(registry_id, schedule_id, _data(request)).wait())

    def delete_schedule(self, registry_id: str, schedule_id: str) -> None:
        """Deletes a schedule."""
        self._n.delete_schedule(registry_id, schedule_id).wait()

    def cancel_schedule(self, registry_id: str, schedule_id: str) -> None:
        """Cancels a schedule's job."""
        self._n.cancel_schedule(registry_id, schedule_id).wait()

    def bulk_delete_schedules(self, registry_id: str, *, schedule_ids: Sequence[str] = (),
                              filter: Optional[str] = None) -> BulkDeleteResponse:
        """Deletes schedules in bulk (by ids, or by a Qualys filter such as `scheduleUuid:*`)."""
        return BulkDeleteResponse._wire(self._n.bulk(registry_id, schedule_ids, filter, False).wait())

    def bulk_cancel_schedules(self, registry_id: str, *, schedule_ids: Sequence[str] = (),
                              filter: Optional[str] = None) -> BulkCancelResponse:
        """Cancels schedules in bulk (by ids, or by a Qualys filter)."""
        return BulkCancelResponse._wire(self._n.bulk(registry_id, schedule_ids, filter, True).wait())

    def get_registry(self, registry_id: str) -> RegistryDetails:
        """A registry with its details."""
        return RegistryDetails._wire(self._n.get_registry(registry_id).wait())

    def find_registry(self, name_or_uri: str) -> Registry:
        """The registry whose name, URI or id is exactly `name_or_uri`."""
        return Registry._wire(self._n.find_registry(name_or_uri).wait())

    def list_schedules(self, registry_id: str, *, filter: Optional[str] = None,
                       page_number: Optional[int] = None, page_size: Optional[int] = None,
                       sort: Optional[str] = None, lenient: bool = False) -> Page[Schedule]:
        """One page of the schedules of a registry (`lenient=True`: an item that cannot be
        decoded is skipped and listed in `Page.skipped`)."""
        o = _options(filter, page_number, page_size, sort, lenient)
        return Page._wire(self._n.page("schedules", registry_id, o).wait(), Schedule._wire)

    def list_registries(self, *, filter: Optional[str] = None, page_number: Optional[int] = None,
                        page_size: Optional[int] = None,
                        sort: Optional[str] = None) -> Page[Registry]:
        """One page of registries."""
        o = _options(filter, page_number, page_size, sort)
        return Page._wire(self._n.page("registries", None, o).wait(), Registry._wire)

    def list_repositories(self, registry_id: str, *, filter: Optional[str] = None,
                          page_number: Optional[int] = None, page_size: Optional[int] = None,
                          sort: Optional[str] = None) -> Page[Repository]:
        """One page of the repositories of a registry."""
        o = _options(filter, page_number, page_size, sort)
        return Page._wire(self._n.page("repositories", registry_id, o).wait(), Repository._wire)

    def list_schedules_all(self, registry_id: str, *, filter: Optional[str] = None,
                           page_number: Optional[int] = None, page_size: Optional[int] = None,
                           sort: Optional[str] = None,
                           lenient: bool = False) -> ListIterator[Schedule]:
        """Every schedule of a registry matching `filter`, page after page."""
        o = _options(filter, page_number, page_size, sort, lenient)
        return ListIterator(self._n.pages("schedules", registry_id, o), Schedule._wire)

    def list_registries_all(self, *, filter: Optional[str] = None,
                            page_number: Optional[int] = None, page_size: Optional[int] = None,
                            sort: Optional[str] = None) -> ListIterator[Registry]:
        """Every registry, page after page."""
        o = _options(filter, page_number, page_size, sort)
        return ListIterator(self._n.pages("registries", None, o), Registry._wire)

    def list_repositories_all(self, registry_id: str, *, filter: Optional[str] = None,
                              page_number: Optional[int] = None, page_size: Optional[int] = None,
                              sort: Optional[str] = None) -> ListIterator[Repository]:
        """Every repository of a registry, page after page."""
        o = _options(filter, page_number, page_size, sort)
        return ListIterator(self._n.pages("repositories", registry_id, o), Repository._wire)

    def plan(self, desired: Union[DesiredState, str, Mapping[str, Any]], *, prune: bool = False,
             file_name: Optional[str] = None, reference: Optional[InstantLike] = None) -> Plan:
        """Plans a desired state (a `DesiredState`, document text or a dict) against what
        exists now: reads the registries and their schedules, sends no write."""
        return Plan._wire(self._plan(desired, prune, file_name, reference).wait())

    def apply(self, plan: Plan, *, concurrency: int = 4, dry_run: bool = False,
              progress: Optional[Callable[[ApplyProgress], Any]] = None) -> ApplyReport:
        """Applies a plan: `concurrency` items at a time, a failed item does not stop the
        others, `progress(ApplyProgress)` after each item (from a worker thread). Never raises
        for a failed item: see the report."""
        cb = None if progress is None else (lambda d: progress(ApplyProgress._wire(d)))
        return ApplyReport._wire(self._n.apply(plan.raw, concurrency, dry_run, cb).wait())

    def wait_for_schedule(self, registry_id: str, schedule_id: str, *,
                          until: Optional[Sequence[str]] = None, timeout: float = 1800.0,
                          interval: float = 10.0) -> Schedule:
        """Polls a schedule until its status is terminal (or one of `until`), every `interval`
        seconds, for at most `timeout` seconds (then `RequestTimeoutError`)."""
        until_ = None if until is None else list(until)
        call = self._n.wait_for_schedule(registry_id, schedule_id, until_, timeout, interval)
        return Schedule._wire(call.wait())

    def to_async(self) -> AsyncClient:
        """An `AsyncClient` with the same settings, token and connections."""
        return self._shared(AsyncClient)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class AsyncClient(_Base, _AsyncRegistryOps):
    """The asyncio client: the same methods as `Client`, each returning an awaitable (call them
    with a running event loop; argument errors raise at the call). Listing all pages returns an
    async iterator."""

    def create_schedule(self, registry_id: str, request: RequestLike) -> Awaitable[Created]:
        """Creates a schedule."""
        return _then(self._create(registry_id, request).future(), Created._wire)

    def get_schedule(self, registry_id: str, schedule_id: str) -> Awaitable[Schedule]:
        """One schedule."""
        return _then(self._n.get_schedule(registry_id, schedule_id).future(), Schedule._wire)

    def update_schedule(self, registry_id: str, schedule_id: str,
                        request: RequestLike) -> Awaitable[List[Violation]]:
        """Updates an automatic schedule; returns the warnings."""
        call = self._n.update_schedule(registry_id, schedule_id, _data(request))
        return _then(call.future(), _violations)

    def delete_schedule(self, registry_id: str, schedule_id: str) -> Awaitable[None]:
        """Deletes a schedule."""
        return _then(self._n.delete_schedule(registry_id, schedule_id).future(), lambda _: None)

    def cancel_schedule(self, registry_id: str, schedule_id: str) -> Awaitable[None]:
        """Cancels a schedule's job."""
        return _then(self._n.cancel_schedule(registry_id, schedule_id).future(), lambda _: None)

    def bulk_delete_schedules(self, registry_id: str, *, schedule_ids: Sequence[str] = (),
                              filter: Optional[str] = None) -> Awaitable[BulkDeleteResponse]:
        """Deletes schedules in bulk."""
        call = self._n.bulk(registry_id, schedule_ids, filter, False)
        return _then(call.future(), BulkDeleteResponse._wire)

    def bulk_cancel_schedules(self, registry_id: str, *, schedule_ids: Sequence[str] = (),
                              filter: Optional[str] = None) -> Awaitable[BulkCancelResponse]:
        """Cancels schedules in bulk."""
        call = self._n.bulk(registry_id, schedule_ids, filter, True)
        return _then(call.future(), BulkCancelResponse._wire)

    def get_registry(self, registry_id: str) -> Awaitable[RegistryDetails]:
        """A registry with its details."""
        return _then(self._n.get_registry(registry_id).future(), RegistryDetails._wire)

    def find_registry(self, name_or_uri: str) -> Awaitable[Registry]:
        """The registry whose name, URI or id is exactly `name_or_uri`."""
        return _then(self._n.find_registry(name_or_uri).future(), Registry._wire)

    def list_schedules(self, registry_id: str, *, filter: Optional[str] = None,
                       page_number: Optional[int] = None, page_size: Optional[int] = None,
                       sort: Optional[str] = None,
                       lenient: bool = False) -> Awaitable[Page[Schedule]]:
        """One page of the schedules of a registry."""
        o = _options(filter, page_number, page_size, sort, lenient)
        call = self._n.page("schedules", registry_id, o)
        return _then(call.future(), lambda raw: Page._wire(raw, Schedule._wire))

    def list_registries(self, *, filter: Optional[str] = None, page_number: Optional[int] = None,
                        page_size: Optional[int] = None,
                        sort: Optional[str] = None) -> Awaitable[Page[Registry]]:
        """One page of registries."""
        call = self._n.page("registries", None, _options(filter, page_number, page_size, sort))
        return _then(call.future(), lambda raw: Page._wire(raw, Registry._wire))

    def list_repositories(self, registry_id: str, *, filter: Optional[str] = None,
                          page_number: Optional[int] = None, page_size: Optional[int] = None,
                          sort: Optional[str] = None) -> Awaitable[Page[Repository]]:
        """One page of the repositories of a registry."""
        o = _options(filter, page_number, page_size, sort)
        call = self._n.page("repositories", registry_id, o)
        return _then(call.future(), lambda raw: Page._wire(raw, Repository._wire))

    def list_schedules_all(self, registry_id: str, *, filter: Optional[str] = None,
                           page_number: Optional[int] = None, page_size: Optional[int] = None,
                           sort: Optional[str] = None,
                           lenient: bool = False) -> AsyncListIterator[Schedule]:
        """Every schedule of a registry matching `filter`, page after page (`async for`)."""
        o = _options(filter, page_number, page_size, sort, lenient)
        return AsyncListIterator(self._n.pages("schedules", registry_id, o), Schedule._wire)

    def list_registries_all(self, *, filter: Optional[str] = None,
                            page_number: Optional[int] = None, page_size: Optional[int] = None,
                            sort: Optional[str] = None) -> AsyncListIterator[Registry]:
        """Every registry, page after page (`async for`)."""
        o = _options(filter, page_number, page_size, sort)
        return AsyncListIterator(self._n.pages("registries", None, o), Registry._wire)

    def list_repositories_all(self, registry_id: str, *, filter: Optional[str] = None,
                              page_number: Optional[int] = None, page_size: Optional[int] = None,
                              sort: Optional[str] = None) -> AsyncListIterator[Repository]:
        """Every repository of a registry, page after page (`async for`)."""
        o = _options(filter, page_number, page_size, sort)
        return AsyncListIterator(self._n.pages("repositories", registry_id, o),
                                 Repository._wire)

    def plan(self, desired: Union[DesiredState, str, Mapping[str, Any]], *, prune: bool = False,
             file_name: Optional[str] = None,
             reference: Optional[InstantLike] = None) -> Awaitable[Plan]:
        """Plans a desired state against what exists now (see `Client.plan`)."""
        return _then(self._plan(desired, prune, file_name, reference).future(), Plan._wire)

    def apply(self, plan: Plan, *, concurrency: int = 4, dry_run: bool = False,
              progress: Optional[Callable[[ApplyProgress], Any]] = None
              ) -> Awaitable[ApplyReport]:
        """Applies a plan (see `Client.apply`); `progress` is called on the event loop's
        thread."""
        import asyncio

        loop = asyncio.get_running_loop()
        cb = None if progress is None else (lambda d: progress(ApplyProgress._wire(d)))
        call = self._n.apply(plan.raw, concurrency, dry_run, cb, loop)
        return _then(call.future(), ApplyReport._wire)

    def wait_for_schedule(self, registry_id: str, schedule_id: str, *,
                          until: Optional[Sequence[str]] = None, timeout: float = 1800.0,
                          interval: float = 10.0) -> Awaitable[Schedule]:
        """Polls a schedule until its status is terminal (or one of `until`)."""
        until_ = None if until is None else list(until)
        call = self._n.wait_for_schedule(registry_id, schedule_id, until_, timeout, interval)
        return _then(call.future(), Schedule._wire)

    def to_sync(self) -> Client:
        """A blocking `Client` with the same settings, token and connections."""
        return self._shared(Client)


class Emulator(_native.Emulator):
    """The Qualys CS emulator running in this process. Use it as a context manager:
    ``with Emulator() as emu: client = emu.client()``."""

    @property
    def demo_username(self) -> str:
        """The demo user's name."""
        return _native.DEMO_USER

    @property
    def demo_password(self) -> str:
        """The demo user's password (never shown in `repr`)."""
        return _native.DEMO_PASSWORD

    @property
    def demo_registry_id(self) -> str:
        """The demo registry's id."""
        return _native.DEMO_REGISTRY_ID

    def add_fault(
        self,
        kind: Literal["status", "drop", "latency"],
        *,
        method: Optional[str] = None,
        path: Optional[str] = None,
        status: Optional[int] = None,
        stage: Optional[Literal["before", "after"]] = None,
        latency_ms: Optional[int] = None,
        count: Optional[int] = None,
        probability: Optional[float] = None,
        seed: Optional[int] = None,
        retry_after_sec: Optional[int] = None,
    ) -> str:
        """Adds a fault rule; returns its id. `kind` is `status`, `drop` or `latency`; the other
        arguments are the rule's fields (see the emulator docs)."""
        fields = {"kind": kind, "method": method, "path": path, "status": status, "stage": stage,
                  "latencyMs": latency_ms, "count": count, "probability": probability,
                  "seed": seed, "retryAfterSec": retry_after_sec}
        return self.add_fault_rule({k: v for k, v in fields.items() if v is not None})

    def _settings(self, settings: Dict[str, Any]) -> Dict[str, Any]:
        out = {"gateway_url": self.url, **settings}
        if not {"username", "password", "token"} & settings.keys():
            out.update(username=self.demo_username, password=self.demo_password)
        elif "password" in settings and "username" not in settings:
            # A password alone is the demo user's (e.g. a wrong one, to test refusals).
            out["username"] = self.demo_username
        return out

    def client(self, **settings: Any) -> Client:
        """A `Client` pointed at this emulator, logged in as the demo user unless `username` /
        `password` / `token` are given; other settings as for `Client`."""
        return Client(**self._settings(settings))

    def async_client(self, **settings: Any) -> AsyncClient:
        """An `AsyncClient` pointed at this emulator (see `client`)."""
        return AsyncClient(**self._settings(settings))

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        # None: exceptions propagate (and type checkers know a `return` inside the block
        # ends the function).
        self.stop()

    def __repr__(self) -> str:
        return (f"Emulator(url={self.url!r}, demo_registry_id={self.demo_registry_id!r}, "
                f"wire={self.wire!r}, running={self.running!r})")
