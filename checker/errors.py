"""Exceptions that reach the user, and the exit codes they map to.

Every error a user can cause or fix derives from ``QlikDriftError``. The CLI
entry point prints ``str(error)`` on stderr and exits with ``error.exit_code``;
anything else is an internal error (exit 3). Messages must never contain a
client id, client secret or access token.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_NO_ANSWER = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


class QlikDriftError(Exception):
    """Base of all errors with a message meant for the user.

    ``hint`` is the next step to take, shown after the message.
    """

    exit_code = EXIT_NO_ANSWER

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message


class UsageError(QlikDriftError):
    """Invalid command-line usage or configuration."""


class ManifestError(QlikDriftError):
    """A manifest file could not be read or rewritten (``check --fix``).

    Exit code 2, because the run found no answer. Schema and lint problems
    are diagnostics, not exceptions: they are reported with exit code 1.
    """


class ApiError(QlikDriftError):
    """The Organization API could not be read completely.

    ``status`` is the HTTP status when there was a response, ``trace_id`` the
    Qlik trace id from the error envelope when the API sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status: int | None = None,
        trace_id: str | None = None,
    ) -> None:
        if trace_id:
            message = f"{message} (traceId {trace_id})"
        super().__init__(message, hint=hint)
        self.status = status
        self.trace_id = trace_id


class AuthError(ApiError):
    """The OAuth client was rejected or its token could not be renewed."""


class PermissionDeniedError(ApiError):
    """The API returned 403 for a request."""


class ForeignSubscriptionError(PermissionDeniedError):
    """A declared subscription does not belong to the caller's organization."""


class RateLimitError(ApiError):
    """The rate limit was still exceeded after the allowed retries."""


class IncompleteReadError(ApiError):
    """A listing ended early or returned inconsistent pages."""


@dataclass(frozen=True)
class SecretStr:
    """A string that never shows its value in ``repr``, ``str`` or f-strings.

    Use ``reveal()`` only at the point where the value goes on the wire.
    """

    _value: str

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretStr('**********')"

    def __str__(self) -> str:
        return "**********"

    def __format__(self, spec: str) -> str:
        return "**********"

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("SecretStr cannot be pickled")

    def __bool__(self) -> bool:
        return bool(self._value)
