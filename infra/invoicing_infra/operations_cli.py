"""The operator's commands of `invoicing` for a running stack (operations.py does the work).

    invoicing dlq list [--json]          each dead-letter queue: its source, messages, age of the oldest
    invoicing dlq redrive NAME           its messages back to the source queue
    invoicing doctor                     SES, channel secrets, the alarm subscription, dead letters: what to fix

Each takes --local or --stack NAME [--region R]. `doctor` exits 1 when something needs fixing.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from . import operations, targets
from .cli_support import info
from .targets import TargetError


def add_commands(commands: Any, target: argparse.ArgumentParser) -> None:
    dlq = commands.add_parser("dlq", help="dead-letter queues: list, redrive").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    listing = dlq.add_parser("list", parents=[target], help="each dead-letter queue: messages, age of the oldest")
    listing.add_argument("--json", action="store_true", help="one JSON object a line")
    listing.set_defaults(handler=_cmd_dlq_list)
    again = dlq.add_parser("redrive", parents=[target], help="move a dead-letter queue's messages back to its source")
    again.add_argument("name", metavar="NAME", help="e.g. RenderDeadLetterQueue, render or RenderQueue")
    again.set_defaults(handler=_cmd_dlq_redrive)

    doctor = commands.add_parser("doctor", parents=[target],
                                 help="check a stack: SES identities and sandbox, channel secrets, alarm subscription")
    doctor.set_defaults(handler=_cmd_doctor)


def stack_resources(args: argparse.Namespace) -> operations.StackResources:
    import boto3

    if args.local and args.stack:
        raise TargetError("use either --local or --stack NAME, not both")
    if args.local:
        target = targets.resolve(True, None, aws_port=args.aws_port)
        target.apply()
        return operations.local_resources(targets.load_template(), target.environment["AWS_ENDPOINT_URL"], boto3.client)
    if args.aws_port is not None:
        raise TargetError("--aws-port applies to --local only")
    if not args.stack:
        raise TargetError("name the target: --stack NAME (a deployed stack) or --local (a running `invoicing local`)")
    return operations.deployed_resources(args.stack, lambda service: boto3.client(service, region_name=args.region))


def format_age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(seconds)
    for unit, size, smaller, smaller_size in (("d", 86400, "h", 3600), ("h", 3600, "m", 60), ("m", 60, "s", 1)):
        if seconds >= size:
            rest = (seconds % size) // smaller_size
            return f"{seconds // size}{unit}" + (f" {rest}{smaller}" if rest else "")
    return f"{seconds}s"


def _cmd_dlq_list(args: argparse.Namespace) -> int:
    stack = stack_resources(args)
    queues = operations.dead_letter_queues(stack)
    if args.json:
        for queue in queues:
            print(json.dumps(queue.as_json()), flush=True)
        return 0
    rows = [("NAME", "SOURCE", "MESSAGES", "OLDEST")]
    rows += [(queue.name, queue.source_name, str(queue.messages), format_age(queue.oldest_seconds)) for queue in queues]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]]), flush=True)
    if not queues:
        info(f"{stack.description} has no dead-letter queue.")
    return 0


def _cmd_dlq_redrive(args: argparse.Namespace) -> int:
    stack = stack_resources(args)
    queue = operations.find_dead_letter_queue(operations.dead_letter_queues(stack), args.name)
    if not queue.messages:
        info(f"{queue.name} is empty: nothing to redrive.")
        return 0
    result = operations.redrive(stack, queue)
    if result.task:
        info(f"Moving {result.moved} message(s) from {queue.name} back to {queue.source_name} "
              f"(SQS message move task {result.task}; `invoicing dlq list` shows the progress).")
    else:
        info(f"Moved {result.moved} message(s) from {queue.name} back to {queue.source_name} ({result.method}).")
    return 0


def _cmd_doctor(args: argparse.Namespace) -> int:
    stack = stack_resources(args)
    report = operations.doctor(stack)
    for finding in report.findings:
        print(f"{finding.status:<5} {finding.subject}: {finding.detail}", flush=True)
        if finding.fix:
            print(f"      fix: {finding.fix}", flush=True)
    fixes = sum(1 for finding in report.findings if finding.status == operations.FIX)
    info(f"{stack.description}: " + (f"{fixes} thing(s) to fix." if fixes else "nothing to fix."))
    return 0 if report.healthy else 1
