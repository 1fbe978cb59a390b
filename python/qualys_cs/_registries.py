"""Registries as code (issue 17): the registry request, its validation, and the client's
registry operations (mixed into `Client` and `AsyncClient`). Every rule is the Rust core's;
a password or token never appears in a repr."""

from __future__ import annotations

import copy
from typing import (
    Any, Awaitable, Callable, Dict, List, Literal, Mapping, Optional, Sequence, TypeVar, Union,
)

from . import _native
from ._models import BulkDeleteResponse, Report, Violation, _Model

T = TypeVar("T")


class RegistryRequest:
    """A registry request (`POST /registry`, `PUT /registry/{id}`, `POST /registry/validate`)
    from its wire dict. Wrong JSON types raise `ValidationError` naming the field; the rules are
    checked by `validate_registry` and before any call. `repr` shows `***` for every secret."""

    __slots__ = ("_wire", "_shown")

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._wire, self._shown = _native.registry_request_forms(data)

    def to_dict(self) -> Dict[str, Any]:
        """The wire body, **secrets included** (what is sent)."""
        return copy.deepcopy(self._wire)  # type: ignore[no-any-return]

    def redacted(self) -> Dict[str, Any]:
        """The wire body with every password and token as `***`."""
        return copy.deepcopy(self._shown)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"RegistryRequest({self._shown!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RegistryRequest) and other._wire == self._wire

    __hash__ = None  # type: ignore[assignment]


RegistryLike = Union[RegistryRequest, Mapping[str, Any]]


def _body(request: Any) -> Any:
    return request._wire if isinstance(request, RegistryRequest) else request


class RegistryCreated(_Model):
    """The result of `create_registry`: the new id, the request's warnings, and whether a lost
    answer was recovered by finding the registry again."""

    _camel = False
    _show = ("registry_uuid", "recovered")
    registry_uuid: str
    warnings: List[Violation]
    recovered: bool


class RegistryValidation(_Model):
    """The service's verdict on a registry request (`POST /registry/validate`)."""

    _camel = False
    _show = ("valid", "message")
    valid: bool
    message: Optional[str]
    warnings: List[Violation]


class Connector(_Model):
    """A cloud connector as the service lists it (unknown fields in `extra`)."""

    _show = ("connector_id", "name", "arn")
    connector_id: Optional[str]
    name: Optional[str]
    description: Optional[str]
    arn: Optional[str]
    account_id: Optional[str]
    account_type: Optional[str]
    project_id: Optional[str]
    extra: Dict[str, Any]


def validate_registry(request: Union[RegistryLike, Any]) -> Report:
    """Checks a registry request against every per-type rule, without a client; never raises
    for an invalid request (wrong JSON types are violations too)."""
    return Report._wire(_native.validate_registry(_body(request)))


def _violations(raw: Sequence[Dict[str, str]]) -> List[Violation]:
    return [Violation(v["path"], v["code"], v["message"]) for v in raw]


class _RegistryOps:
    """The registry operations of the blocking `Client`."""

    _n: _native.NativeClient

    def create_registry(self, request: RegistryLike) -> RegistryCreated:
        """Creates a registry; validated first, never created twice by a retry."""
        call = _native.registry_call(self._n, "create", _body(request))
        return RegistryCreated._wire(call.wait())

    def update_registry(self, registry_id: str, request: RegistryLike) -> List[Violation]:
        """Replaces a registry's settings (type and URI cannot change); returns the warnings."""
        call = _native.registry_call(self._n, "update", registry_id, _body(request))
        return _violations(call.wait())

    def validate_registry(self, request: RegistryLike) -> RegistryValidation:
        """Asks the service whether it would accept the request (a refusal is `valid=False`)."""
        call = _native.registry_call(self._n, "validate", _body(request))
        return RegistryValidation._wire(call.wait())

    def delete_registry(self, registry_id: str) -> None:
        """Deletes a registry and its schedules (`ConflictError` while one is Running)."""
        _native.registry_call(self._n, "delete", registry_id).wait()

    def bulk_delete_registries(self, registry_ids: Sequence[str]) -> BulkDeleteResponse:
        """Deletes several registries (a deletion job)."""
        call = _native.registry_call(self._n, "bulk_delete", list(registry_ids))
        return BulkDeleteResponse._wire(call.wait())

    def list_connectors(self, kind: Literal["acr", "aws", "gcp"]) -> List[Connector]:
        """The connectors of a kind (`acr`, `aws` or `gcp`)."""
        call = _native.registry_call(self._n, "connectors", kind)
        return [Connector._wire(c) for c in call.wait()]


async def _then(pending: Awaitable[Any], wrap: Callable[[Any], T]) -> T:
    return wrap(await pending)


class _AsyncRegistryOps:
    """The registry operations of `AsyncClient`: each returns an awaitable (argument errors
    raise at the call)."""

    _n: _native.NativeClient

    def _call(self, op: str, a: Any, b: Any = None) -> Awaitable[Any]:
        return _native.registry_call(self._n, op, a, b).future()

    def create_registry(self, request: RegistryLike) -> Awaitable[RegistryCreated]:
        """Creates a registry."""
        return _then(self._call("create", _body(request)), RegistryCreated._wire)

    def update_registry(self, registry_id: str,
                        request: RegistryLike) -> Awaitable[List[Violation]]:
        """Replaces a registry's settings; returns the warnings."""
        return _then(self._call("update", registry_id, _body(request)), _violations)

    def validate_registry(self, request: RegistryLike) -> Awaitable[RegistryValidation]:
        """Asks the service whether it would accept the request."""
        return _then(self._call("validate", _body(request)), RegistryValidation._wire)

    def delete_registry(self, registry_id: str) -> Awaitable[None]:
        """Deletes a registry and its schedules."""
        return _then(self._call("delete", registry_id), lambda _: None)

    def bulk_delete_registries(self, registry_ids: Sequence[str]) -> Awaitable[BulkDeleteResponse]:
        """Deletes several registries (a deletion job)."""
        return _then(self._call("bulk_delete", list(registry_ids)), BulkDeleteResponse._wire)

    def list_connectors(self, kind: Literal["acr", "aws", "gcp"]) -> Awaitable[List[Connector]]:
        """The connectors of a kind."""
        return _then(self._call("connectors", kind), lambda cs: [Connector._wire(c) for c in cs])


__all__ = [
    "Connector",
    "RegistryCreated",
    "RegistryRequest",
    "RegistryValidation",
    "validate_registry",
]
