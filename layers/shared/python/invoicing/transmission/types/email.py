"""`email`: the PDF by email (pretix's default type); a business customer may name a separate address."""

from __future__ import annotations

from invoicing.textfields import EMAIL
from invoicing.transmission.types.base import Problems, TransmissionType, register

ADDRESS = "transmission_email_address"


@register
class Email(TransmissionType):
    identifier = "email"
    info_fields = (ADDRESS,)
    priority = 100
    queue_variable = "EMAIL_QUEUE_URL"
    provider = "invoicing.transmission.providers.email_pdf:EmailPdf"
    variables = ("MAIL_FROM", "RENDER_QUEUE_URL")  # the platform sender; a render asked for when the PDF is missing

    def check(self, problems: Problems) -> None:
        address = problems.value(ADDRESS)
        if address and not problems.address.is_business:
            problems.info[ADDRESS] = ["Only business customers may name a separate address."]
        elif address and not EMAIL.fullmatch(address):
            problems.info[ADDRESS] = ["Enter a valid email address."]
