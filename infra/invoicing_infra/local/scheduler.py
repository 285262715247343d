"""Runs the template's scheduled functions (`Schedule` and `ScheduleV2` events) on timers, one thread per schedule.

`rate(N unit)` runs every N units, the first time N units after start, as a new EventBridge rule does.
`cron(...)` is not evaluated locally: such a schedule is listed and can be run on demand
(LocalStack.run_schedule), but it runs on a timer only when the stack is given a `schedule_interval`, which
then replaces every schedule's own interval (rate and cron alike).
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from ..template import ScheduleSpec, TemplateError
from .sqs_poller import Activity

logger = logging.getLogger("local_stack.scheduler")  # not __name__: see stack.LOGGER_NAME

Invoke = Callable[[str, dict[str, Any]], Any]

_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^rate\(\s*(\d+)\s+([a-z]+)\s*\)$")
_CRON = re.compile(r"^cron\((.+)\)$")


def parse_rate(expression: str) -> float | None:
    """Seconds between runs for `rate(...)`, None for `cron(...)`; TemplateError for anything else.

    As EventBridge does, the unit is singular for 1 (`rate(1 minute)`) and plural otherwise (`rate(5 minutes)`).
    """
    text = expression.strip()
    cron = _CRON.match(text)
    if cron:
        if len(cron.group(1).split()) != 6:
            raise TemplateError(f"{expression!r}: a cron expression has 6 fields (min hour day month weekday year)")
        return None
    rate = _RATE.match(text)
    if not rate:
        raise TemplateError(f"{expression!r} is neither rate(N minute[s]|hour[s]|day[s]) nor cron(...)")
    value, unit = int(rate.group(1)), rate.group(2)
    singular = unit.removesuffix("s")
    if singular not in _UNIT_SECONDS:
        raise TemplateError(f"{expression!r}: the unit is minute(s), hour(s) or day(s)")
    if value < 1:
        raise TemplateError(f"{expression!r}: the rate must be at least 1")
    if (value == 1) != (unit == singular):
        expected = f"rate(1 {singular})" if value == 1 else f"rate({value} {singular}s)"
        raise TemplateError(f"{expression!r}: EventBridge rejects it; write {expected}")
    return float(value * _UNIT_SECONDS[singular])


def schedule_arn(schedule: ScheduleSpec, region: str, account_id: str) -> str:
    if schedule.kind == "ScheduleV2":
        return f"arn:aws:scheduler:{region}:{account_id}:schedule/default/{schedule.name}"
    return f"arn:aws:events:{region}:{account_id}:rule/{schedule.name}"


def scheduled_event(schedule: ScheduleSpec, region: str, account_id: str, now: datetime.datetime | None = None) -> Any:
    """What the function receives: the event's Input (parsed JSON) if it has one, else EventBridge's
    "Scheduled Event"."""
    if schedule.input is not None:
        try:
            return json.loads(schedule.input)
        except ValueError as exc:
            raise TemplateError(f"{schedule.function_id}.{schedule.event_name}: Input is not JSON: {exc}") from None
    moment = (now or datetime.datetime.now(datetime.UTC)).replace(microsecond=0)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account_id,
        "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [schedule_arn(schedule, region, account_id)],
        "detail": {},
    }


class ScheduleRunner(threading.Thread):
    """Invokes one scheduled function every `interval` seconds until `stopping` is set.

    Runs keep to a fixed rate from start; a run that takes longer than the interval makes the missed
    ones be skipped, not piled up (Lambda would run them concurrently; locally invocations are serial anyway).
    """

    def __init__(
        self,
        schedule: ScheduleSpec,
        interval: float,
        region: str,
        account_id: str,
        invoke: Invoke,
        activity: Activity,
        stopping: threading.Event,
    ):
        super().__init__(name=f"schedule-{schedule.function_id}-{schedule.event_name}", daemon=True)
        if interval <= 0:
            raise ValueError("a schedule's interval must be positive")
        self.schedule = schedule
        self.interval = interval
        self._region = region
        self._account_id = account_id
        self._invoke = invoke
        self._activity = activity
        self._stopping = stopping
        self.runs = 0  # completed invocations, failed ones included

    def run(self) -> None:
        next_run = time.monotonic() + self.interval
        while not self._stopping.wait(max(0.0, next_run - time.monotonic())):
            with self._activity.batch(self.name):
                self.run_once()
            now = time.monotonic()
            next_run += self.interval
            if next_run <= now:  # overran: skip to the next future slot
                next_run += ((now - next_run) // self.interval + 1) * self.interval

    def run_once(self) -> None:
        try:
            event = scheduled_event(self.schedule, self._region, self._account_id)
            self._invoke(self.schedule.function_id, event)
        except Exception:
            # EventBridge invokes asynchronously: the error goes to the function's logs, nowhere else.
            logger.exception("%s (schedule %s) failed", self.schedule.function_id, self.schedule.expression)
        finally:
            self.runs += 1
