"""Events (the subset of pretix's event resource invoices need) and the settings API on two levels."""

from datetime import datetime
from typing import Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from invoicing import i18n
from invoicing.access import Principal
from invoicing.clock import isoformat_z
from invoicing.errors import NotFound, PermissionDenied
from invoicing.pagination import Page, PageRequest, paginate_list
from invoicing.storage import events as store
from invoicing.storage import organizers as organizer_store
from invoicing.textfields import check_text

I18nText = i18n.I18nText


class EventCreate(BaseModel):
    """Body of `POST /organizers/{org}/events/`."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    slug: str = Field(min_length=1, max_length=50, pattern=r"^[a-zA-Z0-9][a-zA-Z0-9.\-]*$")
    name: I18nText  # at most 200 characters in each language
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    date_from: AwareDatetime
    date_to: AwareDatetime | None = None
    location: I18nText | None = None
    locale: str = Field("en", min_length=2, max_length=10, pattern=rf"^{i18n.LOCALE.pattern}$")
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f'"{value}" is not a valid choice.') from exc
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: I18nText) -> I18nText:
        check_text(value)
        i18n.check_lengths(value, 200)
        if not i18n.localize(value, "en"):
            raise ValueError("This field may not be blank.")
        return value

    @field_validator("location")
    @classmethod
    def _location(cls, value: I18nText | None) -> I18nText | None:
        i18n.check_lengths(value, 500)
        return check_text(value, multiline=True)

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.date_to is not None and self.date_to < self.date_from:
            raise ValueError("The end of the event has to be later than its start.")
        return self


class Event(BaseModel):
    """A stored event as the domain uses it."""

    model_config = ConfigDict(defer_build=True)

    organizer: str
    slug: str
    name: dict[str, str]
    currency: str
    date_from: datetime
    date_to: datetime | None = None
    location: dict[str, str] | None = None
    locale: str = "en"
    timezone: str = "UTC"
    settings: dict[str, Any] = {}

    def public(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "slug": self.slug,
            "currency": self.currency,
            "date_from": isoformat_z(self.date_from),
            "date_to": isoformat_z(self.date_to),
            "location": self.location,
            "locale": self.locale,
            "timezone": self.timezone,
        }


def _from_item(item: dict[str, Any]) -> Event:
    return Event.model_validate(item)


def create_event(organizer: str, data: EventCreate) -> Event:
    if organizer_store.get_organizer(organizer) is None:
        raise PermissionDenied()
    record = {
        "slug": data.slug,
        "name": i18n.as_map(data.name),
        "currency": data.currency,
        "date_from": isoformat_z(data.date_from),
        "date_to": isoformat_z(data.date_to),
        "location": i18n.as_map(data.location),
        "locale": data.locale,
        "timezone": data.timezone,
    }
    return _from_item(store.create_event(organizer, record))


def get_event(organizer: str, slug: str) -> Event:
    item = store.get_event(organizer, slug)
    if item is None:
        raise NotFound()
    return _from_item(item)


def find_event(organizer: str, slug: str) -> Event | None:
    item = store.get_event(organizer, slug)
    return _from_item(item) if item else None


def list_events(principal: Principal, request: PageRequest) -> Page:
    visible = [_from_item(item) for item in store.list_events(principal.organizer)
               if principal.sees_event(item["slug"])]
    page = paginate_list(visible, request)
    page.results = [event.public() for event in page.results]
    return page


# The settings API (organizer and event level) imports the settings model and the sender rules when it runs:
# functions that only read events (orders, invoices) do not load them at their cold start.


def organizer_settings(organizer: str) -> dict[str, Any]:
    from invoicing import settings

    item = organizer_store.get_organizer(organizer)
    if item is None:
        raise NotFound()
    return settings.effective(item.get("settings", {})).model_dump(mode="json")


def _checked_patch(organizer: str, body: Any) -> dict[str, Any]:
    """A settings PATCH validated, including the rules that depend on the organizer (its sender identities)."""
    from invoicing import senders, settings
    from invoicing.storage import mail_identities

    changes = settings.validate_patch(body)
    if changes.get("invoice_email_sender"):
        identities = mail_identities.of(organizer_store.get_organizer(organizer))
        senders.check_sender(organizer, identities, changes["invoice_email_sender"])
    return changes


def patch_organizer_settings(organizer: str, body: Any) -> dict[str, Any]:
    from invoicing import settings

    changes = _checked_patch(organizer, body)
    stored = organizer_store.update_organizer_settings(organizer, changes)
    return settings.effective(stored).model_dump(mode="json")


def event_settings(organizer: str, slug: str) -> dict[str, Any]:
    from invoicing import settings

    organizer_item = organizer_store.get_organizer(organizer) or {}
    event = get_event(organizer, slug)
    return settings.effective(organizer_item.get("settings", {}), event.settings).model_dump(mode="json")


def patch_event_settings(organizer: str, slug: str, body: Any) -> dict[str, Any]:
    from invoicing import settings

    changes = _checked_patch(organizer, body)
    get_event(organizer, slug)
    stored = store.update_event_settings(organizer, slug, changes)
    organizer_item = organizer_store.get_organizer(organizer) or {}
    return settings.effective(organizer_item.get("settings", {}), stored).model_dump(mode="json")
