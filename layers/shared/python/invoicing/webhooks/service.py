"""The webhooks API as pretix has it (list, create, fetch, PATCH, PUT, DELETE disables), plus the
signing secret (shown once, rotated with 24 hours of overlap) and the delivery log."""

from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from invoicing.clock import isoformat_z, now
from invoicing.errors import NotFound, ValidationFailed
from invoicing.pagination import Page, PageRequest
from invoicing.storage import webhooks as store
from invoicing.storage.events import get_event
from invoicing.webhooks import actions, signing, targets

ROTATION_OVERLAP = timedelta(hours=24)
PUBLIC_FIELDS = ("id", "enabled", "target_url", "all_events", "limit_events", "action_types", "comment")
NOT_FOUND = "No WebHook matches the given query."


class WebhookWrite(BaseModel):
    """pretix's writable fields; PUT needs target_url and action_types, PATCH any subset."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    enabled: bool = True
    target_url: str = Field(max_length=255)
    all_events: bool = False
    limit_events: list[Annotated[str, Field(max_length=50)]] = Field(default_factory=list, max_length=500)
    action_types: list[Annotated[str, Field(max_length=255)]] = Field(max_length=100)
    comment: str | None = Field(default=None, max_length=2000)


class WebhookPatch(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    enabled: bool | None = None
    target_url: str | None = Field(default=None, max_length=255)
    all_events: bool | None = None
    limit_events: list[Annotated[str, Field(max_length=50)]] | None = Field(default=None, max_length=500)
    action_types: list[Annotated[str, Field(max_length=255)]] | None = Field(default=None, max_length=100)
    comment: str | None = Field(default=None, max_length=2000)
    rotate_secret: bool = False


def public(record: dict[str, Any]) -> dict[str, Any]:
    result = {name: record.get(name) for name in PUBLIC_FIELDS}
    result["id"] = int(result["id"])
    result["limit_events"] = sorted(result["limit_events"] or [])
    result["action_types"] = list(result["action_types"] or [])
    return result


def _validate(organizer: str, fields: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if "target_url" in fields:
        try:
            targets.check_url(fields["target_url"])
        except ValidationFailed as exc:
            errors.update(exc.errors)  # type: ignore[arg-type]
    if "action_types" in fields:
        unknown = actions.invalid(fields["action_types"])
        if unknown:
            errors["action_types"] = [f'"{value}" is not a valid choice.' for value in unknown]
        elif not fields["action_types"]:
            errors["action_types"] = ["This list may not be empty."]
    if "limit_events" in fields:
        missing = [slug for slug in fields["limit_events"] if get_event(organizer, slug) is None]
        if missing:
            errors["limit_events"] = [f'Object with slug={slug} does not exist.' for slug in missing]
    if errors:
        raise ValidationFailed(errors)


def list_webhooks(organizer: str) -> list[dict[str, Any]]:
    return [public(record) for record in store.list_webhooks(organizer)]


def parse_id(value: str) -> int:
    """A webhook id from the path; anything but a positive number is pretix's 404."""
    if not value.isdigit() or not 0 < int(value) < 10**10:
        raise NotFound(NOT_FOUND)
    return int(value)


def _record(organizer: str, webhook_id: int) -> dict[str, Any]:
    record = store.get_webhook(organizer, webhook_id)
    if record is None:
        raise NotFound(NOT_FOUND)
    return record


def get_webhook(organizer: str, webhook_id: int) -> dict[str, Any]:
    return public(_record(organizer, webhook_id))


def create_webhook(organizer: str, data: WebhookWrite) -> dict[str, Any]:
    """201 body: the webhook and, this once, its signing `secret`."""
    fields = data.model_dump()
    fields["limit_events"] = sorted(set(fields["limit_events"]))
    _validate(organizer, fields)
    secret = signing.new_secret()
    record = {**fields, "id": store.next_id(organizer), "organizer": organizer, "secret": secret, "deliveries": 0,
              "created": isoformat_z(now())}
    store.put_webhook(organizer, record)
    return {**public(record), "secret": secret}


def replace_webhook(organizer: str, webhook_id: int, data: WebhookWrite) -> dict[str, Any]:
    _record(organizer, webhook_id)
    fields = data.model_dump()
    fields["limit_events"] = sorted(set(fields["limit_events"]))
    _validate(organizer, fields)
    return public(store.update_webhook(organizer, webhook_id, fields))


def patch_webhook(organizer: str, webhook_id: int, data: WebhookPatch, given: set[str]) -> dict[str, Any]:
    """PATCH; `{"rotate_secret": true}` also answers the new `secret` (the old one signs along for 24 hours)."""
    current = _record(organizer, webhook_id)
    fields = data.model_dump(include=given - {"rotate_secret"})
    for name in ("enabled", "target_url", "all_events", "limit_events", "action_types"):
        if name in fields and fields[name] is None:
            raise ValidationFailed({name: ["This field may not be null."]})
    if "limit_events" in fields:
        fields["limit_events"] = sorted(set(fields["limit_events"]))
    _validate(organizer, fields)
    secret = None
    if data.rotate_secret:
        secret = signing.new_secret()
        fields.update(secret=secret, previous_secret=current["secret"],
                      previous_secret_until=int((now() + ROTATION_OVERLAP).timestamp()))
    record = store.update_webhook(organizer, webhook_id, fields) if fields else current
    body = public(record)
    if secret:
        body["secret"] = secret
    return body


def disable_webhook(organizer: str, webhook_id: int) -> None:
    """pretix's DELETE: the webhook stays, disabled."""
    _record(organizer, webhook_id)
    store.update_webhook(organizer, webhook_id, {"enabled": False})


def signing_secrets(record: dict[str, Any], at: int) -> list[str]:
    """The current secret, then the previous one while its overlap lasts."""
    result = [record["secret"]]
    if record.get("previous_secret") and int(record.get("previous_secret_until", 0)) > at:
        result.append(record["previous_secret"])
    return result


DELIVERY_FIELDS = ("notification_id", "action", "invoice", "attempts", "last_status_code", "last_error",
                   "next_try", "delivered_at", "state")


def list_deliveries(organizer: str, webhook_id: int, request: PageRequest) -> Page:
    record = _record(organizer, webhook_id)
    page = store.list_deliveries(organizer, webhook_id, int(record.get("deliveries", 0)), request)
    page.results = [{name: _plain(item.get(name)) for name in DELIVERY_FIELDS} for item in page.results]
    return page


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, Decimal) else value
