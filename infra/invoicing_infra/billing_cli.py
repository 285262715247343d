"""The operator's commands of `invoicing`: billing invoices, billing contacts, platform tokens and settings.

    invoicing billing create --organizer SLUG --currency EUR --lines FILE.json [--date YYYY-MM-DD] [--description TEXT]
    invoicing billing release NUMBER | pay NUMBER --amount 10.00 | void NUMBER | show NUMBER
    invoicing organizer update SLUG [--billing-email ADDRESS] [--name NAME] [--billing-company C] [--billing-street S]
                                [--billing-zipcode Z] [--billing-city C] [--billing-country CC] [--billing-vat-id V]
                                [--mail-identity ADDRESS|DOMAIN ...]
    invoicing organizer list [--json]
    invoicing platform token create [--name NAME] | token list | token revoke TOKEN_ID
    invoicing platform settings [--name N] [--address A] [--zipcode Z] [--city C] [--country CC] [--vat-id V]
                                [--tax-id T] [--iban I] [--footer-text T] [--billing-prefix P] [--billing-counter-length N]

Every command takes --local or --stack NAME. `billing create` prints the new number alone on stdout,
`platform token create` the secret alone; every message goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from . import targets
from .cli_support import CommandError, apply_target, info, one_line_option, print_table, require_organizer, slug

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
BILLING_OPTIONS = (("--billing-company", "the name billing invoices are addressed to"),
                   ("--billing-street", "street and number"), ("--billing-zipcode", "postal code"),
                   ("--billing-city", "city"), ("--billing-country", "ISO country code, e.g. DE"),
                   ("--billing-vat-id", "VAT ID (checked against the country; decides reverse charge)"))


def add_commands(commands: Any, organizer: Any, target: argparse.ArgumentParser) -> None:
    """Adds `billing`, `platform` and `organizer update` to the parser of `invoicing`."""
    update = organizer.add_parser("update", parents=[target],
                                  help="change an organizer (its billing contact and billing address)")
    update.add_argument("slug", type=slug, metavar="SLUG")
    update.add_argument("--billing-email", metavar="ADDRESS", help="where billing invoices are emailed")
    update.add_argument("--name", help="the organizer's display name")
    for option, helptext in BILLING_OPTIONS:
        update.add_argument(option, dest=option[2:].replace("-", "_"), help=helptext)
    update.add_argument("--mail-identity", action="append", dest="mail_identities", metavar="ADDRESS|DOMAIN",
                        help="let the organizer send invoice emails from this address (or any address of this domain): "
                             "creates the SES identity unless it exists, and records the organizer as its owner "
                             "(repeat for several)")
    update.set_defaults(handler=_cmd_organizer_update)
    listing = organizer.add_parser("list", parents=[target], help="list organizers with their sender identities")
    listing.add_argument("--json", action="store_true", help="one JSON object a line")
    listing.set_defaults(handler=_cmd_organizer_list)

    billing = commands.add_parser("billing", help="the platform's invoices to organizers").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    create = billing.add_parser("create", parents=[target], help="create a billing invoice (in review); prints its number")
    create.add_argument("--organizer", required=True, type=slug)
    create.add_argument("--currency", required=True, help="ISO 4217 code, e.g. EUR")
    create.add_argument("--lines", required=True, metavar="FILE.json",
                        help='[{"description": "...", "net": "100.00", "tax_rate": "19.00"}, ...] (- for stdin)')
    create.add_argument("--date", metavar="YYYY-MM-DD", help="date issued (default today, UTC)")
    create.add_argument("--description", default="", help="text printed above the lines")
    create.set_defaults(handler=_cmd_billing_create)
    listing = billing.add_parser("list", parents=[target], help="list billing invoices (of one organizer or all)")
    listing.add_argument("--organizer", type=slug, help="only this organizer's (default: every organizer's)")
    listing.add_argument("--json", action="store_true", help="one JSON object a line (the operator API's shape)")
    listing.set_defaults(handler=_cmd_billing_list)
    for name, helptext in (("release", "end the review: render the PDF and email it to the billing contact"),
                           ("void", "void an open invoice without payments"),
                           ("show", "print the invoice as JSON")):
        action = billing.add_parser(name, parents=[target], help=helptext)
        action.add_argument("number", metavar="NUMBER")
        action.set_defaults(handler=_cmd_billing_action)
    pay = billing.add_parser("pay", parents=[target], help="record a payment (lowers the amount due)")
    pay.add_argument("number", metavar="NUMBER")
    pay.add_argument("--amount", required=True, help="e.g. 10.00")
    pay.set_defaults(handler=_cmd_billing_action)

    platform = commands.add_parser("platform", help="the platform operator: tokens and settings").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    token = platform.add_parser("token", help="platform tokens (the operator API)").add_subparsers(
        dest="token_action", metavar="ACTION", required=True)
    token_create = token.add_parser("create", parents=[target], help="create a platform token; prints its secret")
    token_create.add_argument("--name", default="Platform token")
    token_create.set_defaults(handler=_cmd_platform_token_create)
    token_list = token.add_parser("list", parents=[target], help="list platform tokens (never secrets)")
    token_list.set_defaults(handler=_cmd_platform_token_list)
    token_revoke = token.add_parser("revoke", parents=[target], help="deactivate a platform token")
    token_revoke.add_argument("token_id", metavar="TOKEN_ID")
    token_revoke.set_defaults(handler=_cmd_platform_token_revoke)
    settings = platform.add_parser("settings", parents=[target],
                                   help="the sender printed on billing invoices and their numbering; prints them")
    for option, dest in (("--name", "name"), ("--address", "address"), ("--zipcode", "zipcode"), ("--city", "city"),
                         ("--country", "country"), ("--vat-id", "vat_id"), ("--tax-id", "tax_id"), ("--iban", "iban"),
                         ("--footer-text", "footer_text"),
                         ("--billing-prefix", "billing_number_prefix")):
        settings.add_argument(option, dest=dest)
    settings.add_argument("--billing-counter-length", dest="billing_number_counter_length", type=int)
    settings.set_defaults(handler=_cmd_platform_settings)


# --- Targets -----------------------------------------------------------------------------------------


def _apply_target_with_queue(args: argparse.Namespace) -> targets.Target:
    """The target, plus the render queue's URL: releasing queues the render-and-email job."""
    target = apply_target(args)
    if args.local:
        from .local.resources import local_attributes

        endpoint = target.environment["AWS_ENDPOINT_URL"]
        os.environ["RENDER_QUEUE_URL"] = local_attributes(targets.load_template(), endpoint)["RenderQueue"]["QueueUrl"]
    else:
        url = targets.stack_outputs(args.stack, args.region).get("RenderQueueUrl")
        if not url:
            raise CommandError(f"stack {args.stack} has no output RenderQueueUrl: is it this project's stack?")
        os.environ["RENDER_QUEUE_URL"] = url
    from invoicing.storage import queues

    queues.reset()
    return target


# --- Organizers --------------------------------------------------------------------------------------


def _cmd_organizer_update(args: argparse.Namespace) -> int:
    names = ["billing_email", "name", *(option[2:].replace("-", "_") for option, _ in BILLING_OPTIONS)]
    fields: dict[str, Any] = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    if args.billing_email is not None and not EMAIL.match(args.billing_email):
        raise CommandError(f"--billing-email: {args.billing_email!r} is not an email address")
    if args.name is not None:
        fields["name"] = one_line_option("--name", args.name)
    for option, _ in BILLING_OPTIONS:
        name = option[2:].replace("-", "_")
        if fields.get(name):
            fields[name] = one_line_option(option, fields[name])
    identities = _parse_identities(args.mail_identities or [])
    if not fields and not identities:
        raise CommandError("nothing to change: give --billing-email, --name, --billing-* options or --mail-identity")
    target = apply_target(args)
    from invoicing.billing import parties

    require_organizer(args.slug)
    if fields:
        parties.update_organizer(args.slug, fields)
        info(f"Updated organizer {args.slug} ({', '.join(sorted(fields))}) in {target.description}.")
    for identity in identities:
        _add_mail_identity(args, args.slug, identity)
    return 0


# --- Sender identities -------------------------------------------------------------------------------


def _parse_identities(values: list[str]) -> list[str]:
    from invoicing.senders import normalize_identity

    try:
        return list(dict.fromkeys(normalize_identity(value) for value in values))
    except ValueError as exc:
        raise CommandError(f"--mail-identity: {exc}") from exc


def _platform_identities(args: argparse.Namespace) -> set[str]:
    """The stack's own SES identities (MailFrom, the billing sender): never an organizer's."""
    template = targets.load_template()
    if args.local:
        from .local.resources import local_attributes

        attributes = local_attributes(template, os.environ.get("AWS_ENDPOINT_URL", ""))
        return {str(attributes[logical_id]["Ref"]).lower()
                for logical_id in template.resources_of_type("AWS::SES::EmailIdentity")}
    import boto3

    resources = boto3.client("cloudformation", region_name=args.region).describe_stack_resources(
        StackName=args.stack)["StackResources"]
    return {resource["PhysicalResourceId"].lower() for resource in resources
            if resource["ResourceType"] == "AWS::SES::EmailIdentity" and resource.get("PhysicalResourceId")}


def _add_mail_identity(args: argparse.Namespace, organizer: str, identity: str) -> None:
    from invoicing.errors import AlreadyExists
    from invoicing.senders import domain_of
    from invoicing.storage import mail, mail_identities

    platform = _platform_identities(args)
    if identity in platform or any(domain_of(address) == identity for address in platform if "@" in address):
        raise CommandError(f"--mail-identity: {identity} is the platform's own sender identity (or its domain)")
    current = mail_identities.owner(identity)
    if current not in (None, organizer):
        raise CommandError(f"--mail-identity: {identity} is already a sender identity of organizer {current}")
    mail.reset()
    status = mail.create_identity(identity, {"invoicing:organizer": organizer,
                                             "invoicing:stack": args.stack or "local"})
    try:
        mail_identities.record(organizer, identity)
    except AlreadyExists as exc:
        raise CommandError(f"--mail-identity: {exc.detail}") from exc
    if status == "SUCCESS":
        info(f"{identity} is verified in SES and now a sender identity of {organizer}.")
    else:
        how = ("click the link SES has emailed to it" if "@" in identity
               else "publish the DKIM records `aws sesv2 get-email-identity --email-identity " + identity + "` lists")
        info(f"{identity} is now a sender identity of {organizer}; SES verification is {status}: {how}. Until then "
              f"its invoices are sent from the platform's address with {organizer}'s name and Reply-To.")
    print(f"{identity}\t{status}", flush=True)


def _cmd_organizer_list(args: argparse.Namespace) -> int:
    apply_target(args)
    from invoicing.storage import mail_identities, organizers

    rows = []
    for item in organizers.list_organizers():
        rows.append({"slug": item["slug"], "name": item.get("name", ""),
                     "billing_email": item.get("billing_email") or "",
                     "mail_identities": sorted(mail_identities.of(item))})
    if args.json:
        for row in rows:
            print(json.dumps(row), flush=True)
        return 0
    print_table([("SLUG", "NAME", "BILLING EMAIL", "MAIL IDENTITIES")]
                + [(row["slug"], row["name"], row["billing_email"] or "-", ",".join(row["mail_identities"]) or "-")
                   for row in rows])
    return 0


# --- Billing invoices --------------------------------------------------------------------------------


def _read_lines(path: str) -> Any:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"--lines: cannot read {path}: {exc.strerror}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"--lines: {path} is not JSON: {exc.msg} (line {exc.lineno})") from exc


def _cmd_billing_create(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from invoicing.billing.models import BillingCreate

    raw = {"organizer": args.organizer, "currency": args.currency, "lines": _read_lines(args.lines),
           "description": args.description, **({"date_issued": args.date} if args.date else {})}
    try:
        data = BillingCreate.model_validate(raw)  # before any network call
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors())
        raise CommandError(f"invalid billing invoice: {problems}") from exc
    target = apply_target(args)
    from invoicing.billing import issue

    require_organizer(args.organizer)
    invoice = issue.create(data)
    info(f"Created billing invoice {invoice.number} for {invoice.organizer} over {invoice.amount} {invoice.currency} "
          f"in {target.description}; it is in review until `invoicing billing release {invoice.number}`.")
    print(invoice.number, flush=True)
    return 0


def _cmd_billing_list(args: argparse.Namespace) -> int:
    target = apply_target(args)
    from invoicing.billing import read
    from invoicing.billing.models import Shapes
    from invoicing.pagination import PageRequest
    from invoicing.storage import organizers

    if args.organizer:
        require_organizer(args.organizer)
        slugs = [args.organizer]
    else:
        slugs = [item["slug"] for item in organizers.list_organizers()]
    invoices = []
    for organizer_slug in slugs:
        page_number = 1
        while True:
            page = read.list_page(organizer_slug, PageRequest(page=page_number, page_size=50))
            invoices += [Shapes.operator(invoice) for invoice in page.results]
            if not page.has_next:
                break
            page_number += 1
    if args.json:
        for invoice in invoices:
            print(json.dumps(invoice), flush=True)
    else:
        print_table([("NUMBER", "ORGANIZER", "DATE", "AMOUNT", "DUE", "STATUS", "REVIEW")] + [
            (i["invoice_number"], i["organizer"], i["date_issued"], f"{i['amount']} {i['currency']}",
             i["amount_due"], i["status"], i["review_state"]) for i in invoices])
    if not invoices:
        scope = f"of {args.organizer}" if args.organizer else "at all"
        info(f"No billing invoices {scope} in {target.description}.")
    return 0


def _cmd_billing_action(args: argparse.Namespace) -> int:
    from invoicing.billing import workflow
    from invoicing.billing.models import Shapes
    from invoicing.errors import NotFound

    target = _apply_target_with_queue(args) if args.action == "release" else apply_target(args)
    try:
        if args.action == "release":
            invoice = workflow.release(args.number)
            info(f"Released billing invoice {invoice.number} in {target.description}: its PDF is rendered and "
                  f"emailed to the billing contact.")
        elif args.action == "pay":
            invoice = workflow.pay(args.number, args.amount)
            info(f"Recorded a payment of {args.amount} {invoice.currency} on {invoice.number}: "
                  f"{Shapes.operator(invoice)['amount_due']} due, status {invoice.status}.")
        elif args.action == "void":
            invoice = workflow.void(args.number)
            info(f"Billing invoice {invoice.number} is void.")
        else:
            invoice = workflow.find(args.number)
            print(json.dumps(Shapes.operator(invoice), indent=2), flush=True)
    except NotFound as exc:
        raise CommandError(f"no billing invoice {args.number} in {target.description}") from exc
    return 0


# --- Platform ----------------------------------------------------------------------------------------


def _cmd_platform_token_create(args: argparse.Namespace) -> int:
    target = apply_target(args)
    from invoicing import platform

    secret, record = platform.create_token(args.name)
    info(f"Created platform token {record['id']} ({args.name}) in {target.description}. It manages billing "
          f"invoices of every organizer; the secret below is shown only now.")
    print(secret, flush=True)
    return 0


def _cmd_platform_token_list(args: argparse.Namespace) -> int:
    apply_target(args)
    from invoicing.storage import platform as store

    for record in store.list_tokens():
        print(json.dumps({"id": record["id"], "name": record.get("name", ""),
                          "active": bool(record.get("active", False))}), flush=True)
    return 0


def _cmd_platform_token_revoke(args: argparse.Namespace) -> int:
    target = apply_target(args)
    from invoicing import platform
    from invoicing.errors import NotFound

    try:
        platform.revoke_token(args.token_id)
    except NotFound as exc:
        raise CommandError(f"no platform token {args.token_id}") from exc
    info(f"Revoked platform token {args.token_id} in {target.description}.")
    return 0


def _cmd_platform_settings(args: argparse.Namespace) -> int:
    from invoicing.platform import SETTING_NAMES

    apply_target(args)
    from invoicing import platform

    changes = {name: getattr(args, name) for name in SETTING_NAMES if getattr(args, name, None) is not None}
    settings = platform.update_settings(changes) if changes else platform.settings()
    print(json.dumps(settings.model_dump(), indent=2), flush=True)
    return 0
