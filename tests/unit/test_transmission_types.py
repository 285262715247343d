"""Transmission types as registered classes: everything that names a type reads the one registry."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from invoicing.errors import ValidationFailed
from invoicing.invoices.models import ENFORCED_TRANSMISSION
from invoicing.orders.models import InvoiceAddress, TransmissionType
from invoicing.transmission import types
from invoicing.transmission.types.base import REGISTRY, Problems, register
from invoicing_infra.template import Template

ROOT = Path(__file__).resolve().parents[2]
ENQUEUERS = ("ApiOrdersFunction", "ApiInvoicesFunction", "TransmissionSweepFunction")


def test_the_registry_holds_pretix_types_in_order_with_the_enforced_ones():
    assert types.IDENTIFIERS == ("email", "peppol", "it_sdi")
    assert typing.get_args(TransmissionType) == types.IDENTIFIERS  # the API's enum
    assert types.ENFORCED == ENFORCED_TRANSMISSION == {"peppol", "it_sdi"}


@pytest.mark.parametrize("identifier", types.IDENTIFIERS)
def test_each_type_has_its_queue_its_function_and_its_provider_in_the_template(identifier):
    kind = types.get(identifier)
    template = Template.load(ROOT / "template.yaml")
    functions = template.functions()

    # The queue its variable names is consumed by exactly one function, whose handler is this type's
    queues = {functions[f].environment[kind.queue_variable]["Ref"] for f in functions
              if kind.queue_variable in functions[f].environment}
    assert len(queues) == 1
    queue = queues.pop()
    consumers = [subscription.function_id for subscription in template.sqs_subscriptions()
                 if subscription.queue_id == queue]
    assert len(consumers) == 1
    assert f'make_handler("{identifier}")' in functions[consumers[0]].handler_file.read_text(encoding="utf-8")
    # Every function that starts attempts is given the queue
    assert all(kind.queue_variable in functions[name].environment for name in ENQUEUERS)
    # The provider loads, with the interface the worker calls
    provider = kind.load_provider()
    assert callable(provider.send) and provider.name


def test_the_address_rules_are_the_registered_class_s(monkeypatch):
    # Given a type of its own in the registry (for this test only)
    class Carrier(types.TransmissionType):
        identifier = "pigeon"
        info_fields = ("transmission_pigeon_loft",)
        queue_variable = "PIGEON_QUEUE_URL"
        provider = "nowhere:Nothing"

        def check(self, problems: Problems) -> None:
            problems.require_info("transmission_pigeon_loft")

        def check_lines(self, problems: Problems, tax_categories: set[str]) -> None:
            if "AE" in tax_categories:
                problems.fields["vat_id"] = ["Pigeons carry no reverse charge."]

    monkeypatch.setitem(REGISTRY, "pigeon", Carrier())
    address = InvoiceAddress.model_construct(**{**InvoiceAddress().model_dump(), "transmission_type": "pigeon",
                                                "transmission_info": {"transmission_peppol_participant_id": "x"}})

    # Then its own rules and info fields decide, and the line rules run with the order's tax categories
    with pytest.raises(ValidationFailed) as raised:
        types.check_address(address, ["AE/reverse charge"])
    assert raised.value.errors == {"invoice_address": {
        "vat_id": ["Pigeons carry no reverse charge."],
        "transmission_info": {"transmission_peppol_participant_id": ['Not used by the transmission type "pigeon".'],
                              "transmission_pigeon_loft": ["This field is required for the selected type of invoice "
                                                           "transmission."]}}}


def test_a_type_name_can_be_registered_once():
    with pytest.raises(ValueError, match="two transmission types are called 'email'"):
        register(type("Again", (types.TransmissionType,), {"identifier": "email"}))
