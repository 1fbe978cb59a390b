"""Exceptions of qualys-cs: one class per stable error code of the Rust core.

Every exception raised by the package is a :class:`QualysCsError`; ``code`` is the
language-neutral code (the same in Rust, Node, Kotlin and Swift). The message never holds a
password or a token. Exceptions pickle (their attributes travel with them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Type

if TYPE_CHECKING:
    from ._models import Violation

__all__ = [
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
    "ERROR_CLASSES",
]


class QualysCsError(Exception):
    """Base class of every qualys-cs error.

    Attributes:
        code: the stable error code (``validation``, ``auth``, ``not_found``, ...).
        message: the human-readable message (same as ``str(error)``).
        status: the HTTP status, for errors that come from an answer.
        request_id: the request id the server sent back, when any.
        qualys_error_code: Qualys ``errorCode`` of the error body (e.g. ``"403 FORBIDDEN"``).
        server_message: Qualys ``message`` of the error body.
        body: the raw answer text when it was not a Qualys error body (truncated).
        retry_after: seconds the server asked to wait (``rate_limited``).
        violations: every problem found (``validation``); empty otherwise.
        field: the setting at fault (``config``).
        not_sent: True when the request certainly never reached the server (``transport``).
        fields: the fields the server's answer left out (``not_reported``); empty otherwise.
    """

    code: str = "error"

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        request_id: Optional[str] = None,
        qualys_error_code: Optional[str] = None,
        server_message: Optional[str] = None,
        body: Optional[str] = None,
        retry_after: Optional[float] = None,
        violations: Sequence[Violation] = (),
        field: Optional[str] = None,
        not_sent: Optional[bool] = None,
        fields: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.request_id = request_id
        self.qualys_error_code = qualys_error_code
        self.server_message = server_message
        self.body = body
        self.retry_after = retry_after
        self.violations: List[Violation] = list(violations)
        self.field = field
        self.not_sent = not_sent
        self.fields: List[str] = list(fields)

    def __reduce__(self) -> Any:
        # args = (message,); every attribute travels in the state dict.
        return (type(self), (self.message,), dict(self.__dict__))

    def __repr__(self) -> str:
        parts = [repr(self.message)]
        for name in ("status", "request_id", "qualys_error_code"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value!r}")
        if self.violations:
            parts.append(f"violations={self.violations!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def to_dict(self) -> Dict[str, Any]:
        """The error as a plain dict (code, message and every attribute that is set)."""
        out: Dict[str, Any] = {"code": self.code, "message": self.message}
        for name in (
            "status",
            "request_id",
            "qualys_error_code",
            "server_message",
            "body",
            "retry_after",
            "field",
            "not_sent",
        ):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.violations:
            out["violations"] = [v.to_dict() for v in self.violations]
        if self.fields:
            out["fields"] = list(self.fields)
        return out


class ValidationError(QualysCsError, ValueError):
    """The request breaks documented rules; nothing was sent. See ``violations``."""

    code = "validation"


class AuthError(QualysCsError):
    """Credentials were refused or the token is no longer valid (HTTP 401)."""

    code = "auth"


class PermissionDeniedError(QualysCsError):
    """The user lacks a permission (HTTP 403)."""

    code = "permission"


class NotFoundError(QualysCsError):
    """The registry or schedule does not exist (HTTP 404, or an empty lookup)."""

    code = "not_found"


class ConflictError(QualysCsError):
    """The operation conflicts with the current state, e.g. the schedule is running."""

    code = "conflict"


class BadRequestError(QualysCsError):
    """The server refused the request as malformed (HTTP 400)."""

    code = "bad_request"


class RateLimitedError(QualysCsError):
    """Too many requests (HTTP 429); ``retry_after`` says how long the server asked to wait."""

    code = "rate_limited"


class ServerError(QualysCsError):
    """The server failed (HTTP 5xx)."""

    code = "server"


class HttpError(QualysCsError):
    """Any other unexpected HTTP status."""

    code = "http"


class TransportError(QualysCsError):
    """The connection failed or broke; ``not_sent`` is True when nothing reached the server."""

    code = "transport"


class RequestTimeoutError(QualysCsError):
    """A request or an overall deadline ran out."""

    code = "timeout"


class DecodeError(QualysCsError):
    """An answer could not be decoded; ``body`` holds the text (truncated)."""

    code = "decode"


class NotReportedError(QualysCsError):
    """The server's answer lacks fields a computation needs; ``fields`` names them.

    E.g. the run times of a schedule listed in Qualys's OpenAPI shape, which reports neither
    ``scheduleIntervalInDays`` nor ``weekDay``.
    """

    code = "not_reported"


class ConfigError(QualysCsError, ValueError):
    """The client is configured wrongly; ``field`` names the setting."""

    code = "config"


ERROR_CLASSES: Dict[str, Type[QualysCsError]] = {
    cls.code: cls
    for cls in (
        ValidationError,
        AuthError,
        PermissionDeniedError,
        NotFoundError,
        ConflictError,
        BadRequestError,
        RateLimitedError,
        ServerError,
        HttpError,
        TransportError,
        RequestTimeoutError,
        DecodeError,
        NotReportedError,
        ConfigError,
    )
}
"""Every error code of the core mapped to its exception class."""


def _from_native(fields: Dict[str, Any]) -> QualysCsError:
    """The exception of an error the Rust core reported (its fields as a dict)."""
    from ._models import Violation

    kw = dict(fields)
    cls = ERROR_CLASSES[kw.pop("code")]
    message = kw.pop("message")
    violations = [Violation(v["path"], v["code"], v["message"]) for v in kw.pop("violations", ())]
    return cls(message, violations=violations, **kw)
