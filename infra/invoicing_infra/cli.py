"""The `invoicing` command: run the local stack, and bootstrap organizers and API tokens (locally or on AWS).

    invoicing local [--host H] [--port P] [--aws-port P] [--demo] [--state DIR] [--fresh]
                    [--no-fake-channels] [--schedule-interval SECONDS] [--parameter NAME=VALUE ...]
    invoicing local mail [--last N] [--state DIR]          the emails the local stack sent (.eml files)
    invoicing organizer list                               (targets: --local, --endpoint-url URL,
                                                            AWS_ENDPOINT_URL, or --stack NAME)
    invoicing organizer create SLUG --name NAME            (--local | --stack NAME)
    invoicing token create --organizer SLUG --permission P [--permission P ...] [--name N] [--events all|A,B]
    invoicing token list --organizer SLUG [--json]
    invoicing token revoke --organizer SLUG TOKEN_ID
    invoicing billing ... | platform ... | organizer update ...   (billing_cli.py: the operator's commands)
    invoicing dlq list | dlq redrive NAME | doctor                  (operations_cli.py: a running stack)

`token create` prints the secret alone on stdout; every message goes to stderr. Errors are one line on
stderr and exit status 1 (INVOICING_DEBUG=1 shows the traceback instead).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import billing_cli, operations_cli, targets
from .cli_support import SLUG, CommandError, apply_target, info, one_line_option, print_table, require_organizer, slug
from .targets import TargetError

DEMO_TOKEN_FILE = "demo-token"
DEFAULT_STATE_DIR = ".local-state"


# --- Arguments -------------------------------------------------------------------------------------


def _target_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("target")
    group.add_argument("--local", action="store_true", help="the running local stack (`invoicing local`)")
    group.add_argument("--aws-port", type=int, metavar="PORT",
                       help=f"the local stack's AWS endpoint port (default {targets.DEFAULT_AWS_PORT}; with --local)")
    group.add_argument("--endpoint-url", metavar="URL",
                       help="the local stack's AWS endpoint (as `invoicing local` prints it); AWS_ENDPOINT_URL "
                            "in the environment does the same")
    group.add_argument("--stack", metavar="NAME", help="a deployed CloudFormation stack (its outputs name the tables)")
    group.add_argument("--region", help="the stack's region (default: the environment's)")
    return parent


def _parameter(value: str) -> tuple[str, str]:
    name, sep, parameter_value = value.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"invalid parameter {value!r}: NAME=VALUE")
    return name.strip(), parameter_value


def _positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"invalid interval {value!r}: a positive number of seconds")
    return seconds


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="invoicing", description="Serverless pretix-compatible invoice API: tools.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    target = _target_options()

    local = commands.add_parser("local", help="run the whole stack locally (moto + API Gateway emulator)",
                                description="Run template.yaml locally until Ctrl-C; state is saved on stop.")
    local.add_argument("--host", default="127.0.0.1", help="API address (default 127.0.0.1)")
    local.add_argument("--port", type=int, default=3000, help="API port (default 3000)")
    local.add_argument("--aws-port", type=int, default=targets.DEFAULT_AWS_PORT,
                       help=f"AWS endpoint (moto) port (default {targets.DEFAULT_AWS_PORT})")
    local.add_argument("--demo", action="store_true", help="seed demo data (once) and print a token and a curl")
    local.add_argument("--state", metavar="DIR",
                       help=f"state directory (default {DEFAULT_STATE_DIR}/ next to template.yaml)")
    local.add_argument("--fresh", action="store_true", help="start empty (the saved state is replaced on stop)")
    local.add_argument("--no-fake-channels", dest="fake_channels", action="store_false",
                       help="do not start the fake Peppol access point and SdI intermediary (the channel secrets "
                            "keep the template's values)")
    local.add_argument("--schedule-interval", type=_positive_seconds, metavar="SECONDS",
                       help="run every enabled schedule this often instead of at its rate (cron ones too)")
    local.add_argument("--parameter", action="append", type=_parameter, default=[], dest="parameters",
                       metavar="NAME=VALUE", help="a template parameter's value (repeat for several), as "
                                                  "`sam deploy --parameter-overrides`: AllowedOrigins=https://shop.example")
    local.add_argument("what", nargs="?", choices=["mail"], metavar="mail",
                       help="`invoicing local mail`: show the emails the local stack sent (saved as .eml under "
                            "the state directory) instead of starting it")
    local.add_argument("--last", type=int, default=10, metavar="N", help="with mail: the last N emails (default 10)")
    local.set_defaults(handler=_cmd_local)

    organizer = commands.add_parser("organizer", help="organizers").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    create_organizer = organizer.add_parser("create", parents=[target], help="create an organizer; prints its slug")
    create_organizer.add_argument("slug", type=slug, metavar="SLUG")
    create_organizer.add_argument("--name", required=True, help="the organizer's display name")
    create_organizer.set_defaults(handler=_cmd_organizer_create)


    token = commands.add_parser("token", help="API tokens").add_subparsers(dest="action", metavar="ACTION",
                                                                         required=True)
    create_token = token.add_parser("create", parents=[target],
                                    help="create a token; prints its secret (only) on stdout")
    create_token.add_argument("--organizer", required=True, type=slug)
    create_token.add_argument("--name", default="API token", help="a label for the token (default 'API token')")
    create_token.add_argument("--events", default="all", metavar="all|SLUG,SLUG",
                              help="the events the token may see (default all)")
    create_token.add_argument("--permission", action="append", required=True, dest="permissions", metavar="PERMISSION",
                              help="repeat for several (comma-separated works too); known: "
                                   "can_view_orders, can_change_orders, can_change_event_settings, can_view_billing")
    create_token.set_defaults(handler=_cmd_token_create)

    list_tokens = token.add_parser("list", parents=[target], help="list an organizer's tokens (never secrets)")
    list_tokens.add_argument("--organizer", required=True, type=slug)
    list_tokens.add_argument("--json", action="store_true", help="one JSON object a line")
    list_tokens.set_defaults(handler=_cmd_token_list)

    revoke_token = token.add_parser("revoke", parents=[target], help="deactivate a token")
    revoke_token.add_argument("--organizer", required=True, type=slug)
    revoke_token.add_argument("token_id", metavar="TOKEN_ID")
    revoke_token.set_defaults(handler=_cmd_token_revoke)

    billing_cli.add_commands(commands, organizer, target)

    operations_cli.add_commands(commands, target)
    return parser


# --- Entry point -----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse has reported
        return exc.code if isinstance(exc.code, int) else 2
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # every failure is one line, never a traceback (unless INVOICING_DEBUG is set)
        if os.environ.get("INVOICING_DEBUG"):
            raise
        info(f"invoicing: error: {_describe(exc)}")
        return 1


def _describe(exc: BaseException) -> str:
    from botocore.exceptions import ClientError

    from invoicing.errors import DomainError, ValidationFailed

    if isinstance(exc, CommandError | TargetError):
        return str(exc)
    if isinstance(exc, ValidationFailed):
        errors = exc.errors
        messages = [str(m) for value in errors.values() for m in (value if isinstance(value, list) else [value])] \
            if isinstance(errors, dict) else [str(m) for m in errors]
        return "; ".join(messages)
    if isinstance(exc, DomainError):
        return exc.detail
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'AWS error')}: {error.get('Message', str(exc))}"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


# --- Organizers and tokens ------------------------------------------------------------------------


def _cmd_organizer_create(args: argparse.Namespace) -> int:
    target = apply_target(args)
    from invoicing.errors import AlreadyExists
    from invoicing.storage import organizers

    name = one_line_option("--name", args.name)
    try:
        organizers.create_organizer(args.slug, name)
    except AlreadyExists as exc:
        raise CommandError(f"organizer {args.slug} already exists in {target.description}") from exc
    info(f"Created organizer {args.slug} ({name}) in {target.description}.")
    print(args.slug, flush=True)
    return 0


def _parse_permissions(values: list[str]) -> list[str]:
    from invoicing.access import PERMISSIONS

    permissions = [part.strip() for value in values for part in value.split(",") if part.strip()]
    unknown = [p for p in permissions if p not in PERMISSIONS]
    if unknown:
        raise CommandError(f"unknown permission {', '.join(unknown)} (known: {', '.join(PERMISSIONS)})")
    if not permissions:
        raise CommandError("give at least one --permission")
    return sorted(set(permissions))


def _parse_events(value: str) -> list[str] | None:
    if value.strip().lower() == "all":
        return None
    events = sorted({part.strip() for part in value.split(",") if part.strip()})
    if not events:
        raise CommandError("--events: give `all` or event slugs separated by commas")
    invalid = [event for event in events if not SLUG.match(event)]
    if invalid:
        raise CommandError(f"--events: invalid event slug {', '.join(invalid)}")
    return events


def _cmd_token_create(args: argparse.Namespace) -> int:
    permissions = _parse_permissions(args.permissions)  # before any network call
    events = _parse_events(args.events)
    args.name = one_line_option("--name", args.name)
    target = apply_target(args)
    from invoicing import access
    from invoicing.storage import events as event_store

    require_organizer(args.organizer)
    missing = [event for event in events or [] if event_store.get_event(args.organizer, event) is None]
    if missing:
        raise CommandError(f"organizer {args.organizer} has no event {', '.join(missing)}")
    secret, record = access.create_token(args.organizer, args.name, permissions, events)
    scope = "all events" if events is None else "events " + ", ".join(events)
    info(f"Created token {record['id']} ({args.name}) of {args.organizer} in {target.description}: "
          f"{', '.join(permissions)} on {scope}. The secret below is shown only now.")
    print(secret, flush=True)
    return 0


def _public_token(record: dict[str, Any]) -> dict[str, Any]:
    """What may be shown of a token: never the secret (not stored) nor its hash."""
    return {
        "id": record["id"],
        "name": record.get("name", ""),
        "events": "all" if record.get("all_events") else list(record.get("limit_events") or []),
        "permissions": list(record.get("permissions") or []),
        "active": bool(record.get("active", False)),
    }


def _cmd_token_list(args: argparse.Namespace) -> int:
    apply_target(args)
    from invoicing.storage import organizers

    require_organizer(args.organizer)
    tokens = [_public_token(record) for record in organizers.list_tokens(args.organizer)]
    if args.json:
        for token in tokens:
            print(json.dumps(token), flush=True)
        return 0
    rows = [("ID", "NAME", "EVENTS", "PERMISSIONS", "ACTIVE")]
    for token in tokens:
        events = token["events"] if isinstance(token["events"], str) else ",".join(token["events"]) or "-"
        rows.append((token["id"], token["name"], events, ",".join(token["permissions"]) or "-",
                     "yes" if token["active"] else "no"))
    print_table(rows)
    if not tokens:
        info(f"Organizer {args.organizer} has no tokens.")
    return 0


def _cmd_token_revoke(args: argparse.Namespace) -> int:
    from invoicing.errors import NotFound

    target = apply_target(args)
    from invoicing import access
    from invoicing.storage import organizers

    require_organizer(args.organizer)
    known = {record["id"]: record for record in organizers.list_tokens(args.organizer)}
    if args.token_id in known and not known[args.token_id].get("active", False):
        info(f"Token {args.token_id} of {args.organizer} was revoked already.")
        return 0
    try:
        access.revoke_token(args.organizer, args.token_id)
    except NotFound as exc:
        raise CommandError(f"organizer {args.organizer} has no token {args.token_id}") from exc
    info(f"Revoked token {args.token_id} of {args.organizer} in {target.description}.")
    return 0


# --- Local stack -----------------------------------------------------------------------------------


def _cmd_local(args: argparse.Namespace) -> int:
    root = targets.project_root()
    state_dir = Path(args.state).expanduser().resolve() if args.state else root / DEFAULT_STATE_DIR
    if args.what == "mail":
        return _show_mail(state_dir, args.last)
    demo_secret: dict[str, str] = {}
    on_ready = _demo_on_ready(state_dir, demo_secret) if args.demo else None

    for host, port, what in ((args.host, args.port, "API"), ("127.0.0.1", args.aws_port, "AWS endpoint")):
        if not _can_bind(host, port):
            raise CommandError(f"cannot listen on {host}:{port} for the {what}: the port is in use "
                               f"(another `invoicing local`?) or not available; choose another with "
                               f"{'--port' if what == 'API' else '--aws-port'}")

    from .local import run

    try:
        run(host=args.host, port=args.port, aws_port=args.aws_port, state_dir=state_dir, fresh=args.fresh,
            on_ready=on_ready, template_path=root / targets.TEMPLATE_FILE, fake_channels=args.fake_channels,
            schedule_interval=args.schedule_interval, parameters=dict(args.parameters))
    finally:
        # Saving the state on stop replaces the state directory, so put the demo token back afterwards.
        if "secret" in demo_secret:
            write_demo_token(state_dir, demo_secret["secret"])
    return 0


def _show_mail(state_dir: Path, last: int) -> int:
    from .local.mailbox import MAIL_DIR, read_mail

    folder = state_dir / MAIL_DIR
    messages = read_mail(folder, last)
    for message in messages:
        print(f"{message.path.name}", flush=True)
        print(f"  From:        {message.sender}", flush=True)
        print(f"  To:          {', '.join(message.recipients) or '-'}", flush=True)
        print(f"  Subject:     {message.subject}", flush=True)
        attachments = ", ".join(f"{name} ({size} bytes)" for name, size in message.attachments) or "-"
        print(f"  Attachments: {attachments}", flush=True)
    if not messages:
        info(f"No emails in {folder} (the local stack saves each one it sends there).")
    return 0


def _can_bind(host: str, port: int) -> bool:
    """Whether a server could listen there now (as the stack's servers do, with SO_REUSEADDR)."""
    if port == 0:
        return True
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return False
    family, _type, _proto, _name, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError:
            return False
    return True


def read_demo_token(state_dir: Path) -> str | None:
    try:
        secret = (state_dir / DEMO_TOKEN_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return secret or None


def write_demo_token(state_dir: Path, secret: str) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / DEMO_TOKEN_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secret + "\n")


def _valid_demo_token(secret: str | None) -> bool:
    from invoicing import access
    from invoicing.errors import NotAuthenticated

    from . import demo

    if not secret:
        return False
    try:
        principal = access.authenticate(f"Token {secret}")
    except NotAuthenticated:
        return False
    return principal.organizer == demo.ORGANIZER and principal.all_events \
        and set(access.PERMISSIONS) <= principal.permissions


def ensure_demo(state_dir: Path) -> tuple[str, bool]:
    """Seeds the demo data unless the demo organizer exists; returns the demo token's secret and whether it seeded.

    The secret is kept in the state directory (only its hash is in the table); a token that is missing or no
    longer valid is replaced by a new one.
    """
    from invoicing.storage import organizers

    from . import demo

    targets.reset_domain_clients()
    seeded = organizers.get_organizer(demo.ORGANIZER) is None
    if seeded:
        secret = demo.seed()
    else:
        secret = read_demo_token(state_dir) or ""
        if not _valid_demo_token(secret):
            secret = demo.create_token()
    write_demo_token(state_dir, secret)
    return secret, seeded


def _demo_on_ready(state_dir: Path, holder: dict[str, str]) -> Callable[[Any], None]:
    def on_ready(stack: Any) -> None:
        from . import demo

        secret, seeded = ensure_demo(state_dir)
        holder["secret"] = secret
        origin = "seeded now" if seeded else "from the saved state"
        token_file = state_dir / DEMO_TOKEN_FILE
        print(f"  Demo          organizer {demo.ORGANIZER}, event {demo.EVENT} ({origin})", flush=True)
        print(f"  Demo token    {secret}  (kept in {token_file})", flush=True)
        print(f'  Try           curl -H "Authorization: Token {secret}" {demo.invoices_url(stack.api_url)}', flush=True)

    return on_ready
