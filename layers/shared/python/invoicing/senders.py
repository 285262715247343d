"""Who invoice emails come from: an organizer sends From its own address only when the platform operator has
verified that address, or its domain, as an SES identity for that organizer. Otherwise the platform's
`MailFrom` sends, with the organizer's name as display name and `Reply-To` the organizer's address, so an
organizer can neither send as the platform or another organizer nor make its transmissions fail with an
address SES does not know.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from invoicing.errors import ValidationFailed
from invoicing.textfields import EMAIL, has_controls, one_line

_DOMAIN = re.compile(r"(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def normalize_identity(value: str) -> str:
    """An SES identity as recorded: an email address or a domain, lower-cased; ValueError for anything else."""
    identity = value.strip().lower()
    if has_controls(identity) or not (EMAIL.fullmatch(identity) or _DOMAIN.fullmatch(identity)):
        raise ValueError(f"{value!r} is neither an email address nor a domain name")
    return identity


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def covering_identity(identities: Iterable[str], address: str) -> str | None:
    """The identity that lets `address` send: the address itself, else its domain."""
    known = set(identities)
    address = address.lower()
    if address in known:
        return address
    return domain_of(address) if domain_of(address) in known else None


def unverified_message(organizer: str, address: str) -> str:
    return (f"{address} is not a verified sender of this organizer. Ask the platform operator to verify it "
            f"(`invoicing organizer update {organizer} --mail-identity {address}` or "
            f"`--mail-identity {domain_of(address)}` for the whole domain); until then invoices are sent from the "
            f"platform's address with your name and replies go to your address.")


def check_sender(organizer: str, identities: Iterable[str], address: str | None) -> None:
    """The settings API: `invoice_email_sender` must lie within the organizer's identities."""
    if address and covering_identity(identities, address) is None:
        raise ValidationFailed({"invoice_email_sender": [unverified_message(organizer, address)]})


@dataclass(frozen=True)
class Sender:
    address: str
    display_name: str = ""
    reply_to: str | None = None


def choose(identities: Iterable[str], wanted: str, reply_address: str, display_name: str, platform_address: str,
           verified: Callable[[str], bool]) -> Sender:
    """The organizer's `wanted` address if one of its identities covers it and SES has verified that identity;
    else the platform address with the organizer's display name and `Reply-To` its own address."""
    name = one_line(display_name)
    identity = covering_identity(identities, wanted) if wanted else None
    if identity is not None and verified(identity):
        return Sender(address=wanted, display_name=name)
    reply_to = wanted or reply_address
    return Sender(address=platform_address, display_name=name, reply_to=reply_to or None)
