"""The functions' configuration: every variable template.yaml gives a function, read from the environment once.

A function names the variables it needs at cold start (`require(...)` in its app.py), so a deployment that
did not give it one fails before the first request, naming the variable. Code that reaches for a resource
its function was not given gets the same error. This is the only module that reads `os.environ`.
"""

import os
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

# Lambda keeps an environment for hours; the cursor key never rotates underneath a running one.
CURSOR_SECRET_MAX_AGE_SECONDS = 24 * 3600


class ConfigurationError(RuntimeError):
    """A deployment error: a variable the function needs is missing or malformed."""


def _blank_is_unset(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _comma_separated(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


# Built at every cold start: plain field types and one validator for the blank and comma-separated values (no
# string annotations to evaluate, no validator per field) keep the model cheap to build (about 1 ms of 3).
Name = str | None
_AS_GIVEN = frozenset({"WEBHOOK_RETRY_BASE_SECONDS", "TRANSMISSION_STUCK_MINUTES"})  # numbers: blank is malformed


class Settings(BaseModel):
    """What the template's Globals and a function's Environment set (field aliases are the variable names):
    a blank variable is unset, except a number's; ALLOWED_ORIGINS is comma-separated."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    # Resources: no default, a function that uses one is given it by the template.
    table_name: Name = Field(None, alias="TABLE_NAME")
    idempotency_table_name: Name = Field(None, alias="IDEMPOTENCY_TABLE_NAME")
    files_bucket: Name = Field(None, alias="FILES_BUCKET")
    render_queue_url: Name = Field(None, alias="RENDER_QUEUE_URL")
    export_queue_url: Name = Field(None, alias="EXPORT_QUEUE_URL")
    webhook_queue_url: Name = Field(None, alias="WEBHOOK_QUEUE_URL")
    email_queue_url: Name = Field(None, alias="EMAIL_QUEUE_URL")
    peppol_queue_url: Name = Field(None, alias="PEPPOL_QUEUE_URL")
    sdi_queue_url: Name = Field(None, alias="SDI_QUEUE_URL")
    peppol_channel_secret: Name = Field(None, alias="PEPPOL_CHANNEL_SECRET")
    sdi_channel_secret: Name = Field(None, alias="SDI_CHANNEL_SECRET")
    cursor_secret_arn: Name = Field(None, alias="CURSOR_SECRET_ARN")
    mail_from: Name = Field(None, alias="MAIL_FROM")
    billing_mail_sender: Name = Field(None, alias="BILLING_MAIL_SENDER")
    # Behaviour: a default is the documented one of the template's parameter.
    allowed_origins: tuple[str, ...] = Field((), alias="ALLOWED_ORIGINS")
    webhook_local_targets: bool = Field(False, alias="WEBHOOK_LOCAL_TARGETS")
    webhook_retry_base_seconds: int = Field(30, ge=1, alias="WEBHOOK_RETRY_BASE_SECONDS")
    transmission_stuck_minutes: int = Field(60, ge=1, alias="TRANSMISSION_STUCK_MINUTES")
    metrics_namespace: Name = Field(None, alias="POWERTOOLS_METRICS_NAMESPACE")
    service_name: Name = Field(None, alias="POWERTOOLS_SERVICE_NAME")

    @model_validator(mode="before")
    @classmethod
    def _read(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return {name: _comma_separated(value) if name == "ALLOWED_ORIGINS" else value if name in _AS_GIVEN
                else _blank_is_unset(value) for name, value in data.items()}

    @classmethod
    def variables(cls) -> dict[str, str]:
        """Variable name -> field name."""
        return {str(info.alias): name for name, info in cls.model_fields.items()}


VARIABLES = Settings.variables()


@cache
def settings() -> Settings:
    try:
        return Settings.model_validate({name: value for name, value in os.environ.items() if name in VARIABLES})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, error['loc']))}: {error['msg']}" for error in exc.errors())
        raise ConfigurationError(f"invalid environment: {problems}") from None


def optional(name: str) -> str | None:
    """The value of a variable by its name, None if unset (for the few a function may run without)."""
    if name not in VARIABLES:
        raise ConfigurationError(f"{name} is not a variable of the configuration model (invoicing/config.py)")
    value = getattr(settings(), VARIABLES[name])
    return None if value is None else str(value)


def variable(name: str) -> str:
    """The value of a resource variable, which must be set (ConfigurationError naming it if not)."""
    value = optional(name)
    if value is None:
        raise ConfigurationError(f"invalid environment: {name} is not set (template.yaml gives it to the functions that need it)")
    return value


_required: set[str] = set()


def require(*names: str) -> Settings:
    """At cold start: fail now, naming every missing variable, rather than at the first request that needs one."""
    _required.update(names)
    missing = [name for name in names if optional(name) is None]
    if missing:
        raise ConfigurationError(f"invalid environment: {', '.join(missing)} not set "
                                 "(template.yaml gives them to the functions that need them)")
    return settings()


def required() -> frozenset[str]:
    """What this process's function named at its cold start."""
    return frozenset(_required)


def table_name() -> str:
    return variable("TABLE_NAME")


def idempotency_table_name() -> str:
    return variable("IDEMPOTENCY_TABLE_NAME")


def files_bucket() -> str:
    """The private, versioned bucket holding invoice files."""
    return variable("FILES_BUCKET")


def render_queue_url() -> str:
    return variable("RENDER_QUEUE_URL")


def export_queue_url() -> str:
    return variable("EXPORT_QUEUE_URL")


def webhook_queue_url() -> str:
    return variable("WEBHOOK_QUEUE_URL")


def billing_mail_sender() -> str:
    return variable("BILLING_MAIL_SENDER")


def cursor_secret() -> str:
    """The key that signs pagination cursors: a generated secret, fetched once per cold start (Powertools caches it)."""
    from aws_lambda_powertools.utilities import parameters

    arn = variable("CURSOR_SECRET_ARN")
    try:
        value = parameters.get_secret(arn, max_age=CURSOR_SECRET_MAX_AGE_SECONDS)
    except parameters.exceptions.GetParameterError as exc:
        raise ConfigurationError(f"the secret named by CURSOR_SECRET_ARN could not be read: {exc}") from exc
    if not value:
        raise ConfigurationError("the secret named by CURSOR_SECRET_ARN is empty")
    return str(value)


def reset() -> None:
    """Forget the configuration read (tests and CLI targets that change the environment) and the secrets fetched."""
    settings.cache_clear()
    try:
        from aws_lambda_powertools.utilities import parameters
    except ImportError:  # pragma: no cover - the deps layer always has it
        return
    parameters.clear_caches()
