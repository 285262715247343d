"""Domain errors. The HTTP layer maps each class to a status and pretix's message in one place."""

from __future__ import annotations


class DomainError(Exception):
    """Base class; `detail` is the human message pretix would show."""

    detail = "Error"

    def __init__(self, detail: str | None = None):
        super().__init__(detail or self.detail)
        if detail:
            self.detail = detail


class NotAuthenticated(DomainError):
    detail = "Authentication credentials were not provided."


class PermissionDenied(DomainError):
    detail = "You do not have permission to perform this action."


class NotFound(DomainError):
    detail = "Not found."


class ValidationFailed(DomainError):
    """Input that breaks a rule; `errors` is pretix's body: a field map or a plain list of messages."""

    def __init__(self, errors: dict[str, list] | list[str]):
        self.errors = errors
        super().__init__(str(errors))


class Conflict(DomainError):
    """A conditional write lost against a concurrent one; the caller may retry."""

    detail = "The server was too busy to process your request. Please try again."


class AlreadyExists(DomainError):
    detail = "This object already exists."


class BadRequest(DomainError):
    """A refused action, answered 400 `{"detail": ...}`."""


class NotReady(DomainError):
    """A resource that is being produced (a PDF being rendered): 409 with `Retry-After`, as pretix's `retry_later`."""

    detail = "The requested resource is not ready, please retry later."
    retry_after = 2


class Locked(DomainError):
    """A resource that exists but may not be handed out yet (a billing invoice in review, or its PDF being
    rendered): 423 with `Retry-After`, as pretix Hosted answers billing invoice downloads."""

    detail = "The file is not yet ready and will now be prepared. Retry the request after waiting for a few seconds."
    retry_after = 2

    def __init__(self, detail: str | None = None, retry_after: int | None = None):
        super().__init__(detail)
        if retry_after is not None:
            self.retry_after = retry_after


class NotAcceptable(DomainError):
    """No representation for the Accept header (406), as Django REST framework answers it; `offered`, when
    given, lists the media types the resource has (the answer then names them and varies on Accept)."""

    detail = "Could not satisfy the request Accept header."

    def __init__(self, detail: str | None = None, offered: tuple[str, ...] = ()):
        super().__init__(detail)
        self.offered = offered
