"""LocalStack: moto, the template's resources, the API Gateway emulator, the SQS pollers, the schedules and fake
e-invoicing channels, in one process."""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from ..template import FunctionSpec, ScheduleSpec, Template
from . import journal, object_store, snapshot
from .apigateway import ApiGateway, Route, make_api_server
from .environment import EnvironmentPatch, aws_environment, function_environment
from .fake_channels import FakePeppolAccessPoint, FakeSdiIntermediary
from .handlers import FunctionRunner, add_layer_dirs
from .journal import Journal
from .mailbox import MAIL_DIR, Mailbox
from .moto_server import MotoServer
from .resources import create_resources, local_attributes, physical_name
from .scheduler import ScheduleRunner, parse_rate, scheduled_event
from .sqs_poller import Activity, SqsPoller, drain

# The local stack's loggers are named local_stack.*, not after their modules: Powertools'
# Logger(service="invoicing") adds a filter to the root handlers that drops every record whose logger
# name contains "invoicing", which would silence request lines and handler tracebacks.
LOGGER_NAME = "local_stack"
logger = logging.getLogger(f"{LOGGER_NAME}.stack")

# infra/invoicing_infra/local/stack.py -> the project root, where template.yaml lives.
PROJECT_ROOT = Path(__file__).resolve().parents[3]

# The environment variables through which the functions name each channel's secret.
PEPPOL_SECRET_VARIABLE = "PEPPOL_CHANNEL_SECRET"
SDI_SECRET_VARIABLE = "SDI_CHANNEL_SECRET"


def _clear_powertools_parameters() -> None:
    """Powertools caches secrets (and its boto3 client, bound to one endpoint) process-wide: a stack started
    after another must not see the previous one's channel URLs."""
    try:
        from aws_lambda_powertools.utilities import parameters
    except ImportError:
        return
    parameters.clear_caches()


def _reset_function_configuration() -> None:
    """The functions read their configuration once; the environment just set is this stack's."""
    try:
        from invoicing import config
    except ImportError:
        return
    config.reset()


def _find_template(template_path: str | Path) -> Path:
    path = Path(template_path)
    if path.is_absolute() or path.exists():
        return path.resolve()
    if (PROJECT_ROOT / path).exists():
        return PROJECT_ROOT / path
    raise FileNotFoundError(f"template {template_path} not found (looked in {Path.cwd()} and {PROJECT_ROOT})")


class LocalStack:
    """Everything template.yaml declares, running locally: start(), then HTTP on api_url, then stop().

    moto keeps its state per process, not per server, so one stack runs in a process at a time.
    Relative paths (template, state directory) are taken from the current directory first, else from the
    project root; the state directory is relative to the template's directory. `persist=False` neither
    loads nor saves state; `fresh=True` starts empty and replaces the saved state at once. With `persist`, every
    acknowledged write is journaled before its response (journal.py), so a killed stack loses none of them.

    `fake_channels=True` starts a fake Peppol access point and SdI intermediary on free loopback ports
    (`peppol_access_point`, `sdi_intermediary`) and writes their URL and API key into the secrets the
    functions name in PEPPOL_CHANNEL_SECRET and SDI_CHANNEL_SECRET. `run_schedules=True` runs every enabled
    `Schedule`/`ScheduleV2` event on a timer: at its rate, or every `schedule_interval` seconds when given
    (cron schedules only then); `run_schedule(function_id)` runs one now whatever these say. `parameters`
    gives template parameters values other than their Default (`{"AllowedOrigins": "https://shop.example"}`).

    While running (with `persist`), the journal is folded into a new snapshot whenever it holds `fold_every`
    entries (about 15 per order and invoice; None: only at start and stop), so it does not grow without bound
    and a restart replays at most that many. A fold holds back writes while it saves (fold()).
    """

    _running: ClassVar[LocalStack | None] = None
    _running_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        template_path: str | Path = "template.yaml",
        host: str = "127.0.0.1",
        port: int = 3000,
        aws_port: int = 5000,
        state_dir: str | Path = ".local-state",
        fresh: bool = False,
        persist: bool = True,
        fake_channels: bool = True,
        run_schedules: bool = True,
        schedule_interval: float | None = None,
        parameters: Mapping[str, str] | None = None,
        fold_every: int | None = 20_000,
    ):
        if fold_every is not None and fold_every <= 0:
            raise ValueError("fold_every must be positive (or None: fold only at start and stop)")
        if schedule_interval is not None and schedule_interval <= 0:
            raise ValueError("schedule_interval must be positive (or None: as the template says)")
        self.template = Template.load(_find_template(template_path), parameter_values=dict(parameters or {}))
        self.host = host
        self.port = port
        self.aws_port = aws_port
        self.state_dir = self.template.root / state_dir  # an absolute state_dir stays as it is
        self.fresh = fresh
        self.persist = persist
        self.fake_channels = fake_channels
        self.run_schedules = run_schedules
        self.schedule_interval = schedule_interval
        self.api_url = ""
        self.aws_endpoint = ""
        self.attributes: dict[str, dict[str, Any]] = {}
        self.runner: FunctionRunner | None = None
        self._moto: MotoServer | None = None
        self._environment = EnvironmentPatch()
        self._api_server: Any = None
        self._api_thread: threading.Thread | None = None
        self._pollers: list[SqsPoller] = []
        self.mailbox: Mailbox | None = None  # saves what SES "sent" as .eml files under state_dir/mail
        self.schedules: list[ScheduleSpec] = []
        self.schedule_runners: list[ScheduleRunner] = []
        self.peppol_access_point: FakePeppolAccessPoint | None = None
        self.sdi_intermediary: FakeSdiIntermediary | None = None
        self.channel_secrets: dict[str, str] = {}  # "peppol"/"sdi" -> the logical ID of the secret written
        self._activity = Activity()
        self._stopping = threading.Event()
        self._started = False
        self._journal: Journal | None = None
        self._spill_dir: Path | None = None
        self.fold_every = fold_every
        self._folded_seq = 0
        self._fold_lock = threading.Lock()
        self._folder: threading.Thread | None = None

    # --- Lifecycle ---

    def start(self) -> None:
        with LocalStack._running_lock:
            if LocalStack._running is not None:
                raise RuntimeError("a LocalStack is already running in this process (moto's state is process-wide)")
            LocalStack._running = self
        try:
            self._start()
        except BaseException:
            self._shutdown(save=False)
            raise
        self._started = True

    def _start(self) -> None:
        template = self.template
        functions = template.functions()
        self.schedules = template.schedules()
        intervals = [parse_rate(schedule.expression) for schedule in self.schedules]  # validates them too

        self._moto = MotoServer("127.0.0.1", self.aws_port, template.region)
        self._moto.start()
        self.aws_endpoint = self._moto.endpoint
        self._moto.reset()
        self._environment.clear_aws_overrides()
        self._environment.set(aws_environment(self.aws_endpoint, template.region))

        self.attributes = local_attributes(template, self.aws_endpoint)
        create_resources(template, self._moto.client, self.attributes)
        self._restore_state()
        if self.fake_channels:
            self._start_fake_channels(functions.values())
        _clear_powertools_parameters()

        self._environment.set(function_environment(template, functions.values(), self.attributes))
        self._environment.set_defaults()
        for function in functions.values():
            add_layer_dirs(template.layer_dirs(function))
        _reset_function_configuration()
        self.runner = FunctionRunner(functions, template.region, template.account_id)

        apis = template.apis()
        routes = [
            Route(
                method=route.method,
                path=route.path.rstrip("/") or "/",
                function_id=route.function_id,
                api_id=self.attributes[route.api_id]["Ref"] if route.api_id in self.attributes else route.api_id,
                stage=apis[route.api_id].stage,
                binary_media_types=apis[route.api_id].binary_media_types,
            )
            for route in template.api_routes()
        ]
        # One Api per template here: its GatewayResponses shape the errors of paths no route matches too.
        gateway_responses = next((api.gateway_responses for api in apis.values() if api.gateway_responses), {})
        app = ApiGateway(routes, self.runner.invoke, template.account_id, gateway_responses)
        self._api_server = make_api_server(self.host, self.port, app)
        self._api_thread = threading.Thread(
            target=self._api_server.serve_forever, kwargs={"poll_interval": 0.1}, name="local-api", daemon=True
        )
        self._api_thread.start()
        url_host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host  # noqa: S104 - a comparison
        self.api_url = f"http://{url_host}:{self._api_server.server_port}"

        self._stopping.clear()
        self.mailbox = Mailbox(self.state_dir / MAIL_DIR, template.account_id, template.region, self._stopping)
        self.mailbox.start()
        for subscription in template.sqs_subscriptions():
            if not subscription.enabled:
                continue
            queue = self.attributes[subscription.queue_id]
            poller = SqsPoller(
                subscription, queue["QueueUrl"], queue["Arn"], template.region, self.client("sqs"),
                self.runner.invoke, self._activity, self._stopping, lane=self.runner.lane,
            )
            poller.start()
            self._pollers.append(poller)

        if self._journal is not None and self.fold_every is not None:
            self._folder = threading.Thread(target=self._fold_when_due, name="local-journal-fold", daemon=True)
            self._folder.start()

        if self.run_schedules:
            for schedule, rate in zip(self.schedules, intervals, strict=True):
                interval = self.schedule_interval or rate
                if not schedule.enabled or interval is None:
                    continue
                runner = ScheduleRunner(
                    schedule, interval, template.region, template.account_id, self.runner.invoke,
                    self._activity, self._stopping,
                )
                runner.start()
                self.schedule_runners.append(runner)

    def _restore_state(self) -> None:
        """Object contents on disk; then, if persisting: the snapshot, the journal replayed on top of it and
        folded into a new snapshot, and the journal attached for this run's writes."""
        if not self.persist:
            self._spill_dir = Path(tempfile.mkdtemp(prefix="local-stack-objects-"))
            object_store.configure(self._spill_dir)
            return
        blobs = self.state_dir / "blobs"
        object_store.configure(blobs)
        self._journal = Journal(self.state_dir / "journal.log", blobs)
        snapshot.remove_abandoned(self.state_dir)
        if self.fresh:
            self._fold(0)  # the empty state replaces the saved one now, so a crash cannot bring the old one back
            self._journal.open(0)
            self._moto.app.journal = self._journal
            return
        loaded = snapshot.load(self.state_dir, self.client("s3"), *self._stored(),
                               region=self.template.region)
        if loaded["items"] or loaded["objects"] or loaded["messages"]:
            logger.info("loaded %(items)d item(s), %(objects)d object(s) and %(messages)d message(s)", loaded)
        read = journal.read(self._journal.path)
        if read.bad_bytes:
            logger.warning("%s: %d byte(s) after entry %d are truncated or corrupt: skipped",
                           self._journal.path, read.bad_bytes, read.entries[-1]["seq"] if read.entries else 0)
            self._journal.truncate(read.good_bytes)
        entries = [entry for entry in read.entries if entry["seq"] > loaded["journal_seq"]]
        last_seq = max([loaded["journal_seq"], *(entry["seq"] for entry in read.entries)])
        if entries:
            applied, failed = self._moto.app.replay(entries, blobs)
            logger.info("replayed %d journaled write(s)%s", applied, f", {failed} failed" if failed else "")
            self._fold(last_seq)
        self._folded_seq = last_seq
        self._journal.open(last_seq)
        self._moto.app.journal = self._journal

    def _fold(self, journal_seq: int) -> None:
        """A snapshot of everything now, holding the journal up to journal_seq; then an empty journal."""
        assert self._journal is not None
        snapshot.save(self.state_dir, *self._stored(),
                      journal_seq=journal_seq, region=self.template.region)
        self._journal.path.parent.mkdir(parents=True, exist_ok=True)
        self._journal.path.write_bytes(b"")

    def fold(self) -> dict[str, int] | None:
        """Folds the journal into a new snapshot now, while running; returns what was saved (None: not persisting).

        Holds every write the journal records (and every DynamoDB request) for the duration of the save, so the
        snapshot is exactly the journal up to its last entry; then empties the journal. A crash before the
        manifest's rename leaves the previous snapshot and the whole journal; after it, the new snapshot and a
        journal whose entries it already holds (skipped at start by their sequence numbers): nothing is lost
        and nothing applied twice at any point.
        """
        if self._journal is None or self._moto is None or not self._journal.active:
            return None
        with self._fold_lock, self._moto.app.writes_held():
            seq = self._journal.seq
            saved = snapshot.save(self.state_dir, *self._stored(), journal_seq=seq, region=self.template.region)
            self._journal.reset()
        self._folded_seq = seq
        return saved

    def _fold_when_due(self) -> None:
        while not self._stopping.wait(1.0):
            journal_ = self._journal
            if journal_ is None or self.fold_every is None or journal_.seq - self._folded_seq < self.fold_every:
                continue
            started = time.monotonic()
            try:
                saved = self.fold()
            except Exception:  # the journal still holds everything: the next attempt, or the stop, folds it
                logger.exception("folding the journal into a snapshot failed")
                self._stopping.wait(30)
                continue
            if saved is not None:
                logger.info("journal folded into a snapshot (%(items)d item(s), %(objects)d object(s), "
                            "%(messages)d message(s)) in %(seconds).1f s", {**saved, "seconds": time.monotonic() - started})

    def _start_fake_channels(self, functions: Iterable[FunctionSpec]) -> None:
        """Starts the fakes, then points the secrets the functions name at them (keeping their other keys)."""
        self.peppol_access_point = FakePeppolAccessPoint()
        self.sdi_intermediary = FakeSdiIntermediary()
        secrets_by_name = {self.attributes[logical_id]["Ref"]: logical_id for logical_id in self.template.secrets()}
        secretsmanager = self.client("secretsmanager")
        functions = list(functions)
        for key, variable, fake in (
            ("peppol", PEPPOL_SECRET_VARIABLE, self.peppol_access_point),
            ("sdi", SDI_SECRET_VARIABLE, self.sdi_intermediary),
        ):
            fake.start()
            names = {
                str(self.template.resolve(function.environment[variable], self.attributes))
                for function in functions
                if variable in function.environment
            }
            for name in sorted(names & secrets_by_name.keys()):
                current = secretsmanager.get_secret_value(SecretId=name).get("SecretString", "")
                try:
                    value = json.loads(current)
                except ValueError:
                    value = None
                value = {**(value if isinstance(value, dict) else {}), "base_url": fake.url, "api_key": fake.api_key}
                secretsmanager.put_secret_value(SecretId=name, SecretString=json.dumps(value))
                self.channel_secrets[key] = secrets_by_name[name]

    def stop(self) -> None:
        """Stops pollers and servers, then saves the state (if persist). Safe to call twice."""
        if not self._started:
            return
        self._started = False
        self._shutdown(save=self.persist)

    def _shutdown(self, save: bool) -> None:
        try:
            self._stopping.set()
            if self._folder is not None:
                self._folder.join(timeout=600)  # a fold under way ends before the final save
                self._folder = None
            for poller in self._pollers:
                poller.join(timeout=10)
            self._pollers = []
            for runner in self.schedule_runners:
                runner.join(timeout=10)
            self.schedule_runners = []
            if self.mailbox is not None:
                self.mailbox.join(timeout=10)  # its last collect() saves what was sent until now
                self.mailbox = None
            if self._api_server is not None:
                self._api_server.shutdown()
                self._api_server.server_close()
                self._api_server = None
            if save and self._moto is not None and self._moto.endpoint and self._journal is not None:
                self._moto.app.journal = None
                self._journal.close()
                saved = snapshot.save(self.state_dir, *self._stored(),
                                      journal_seq=self._journal.seq, region=self.template.region)
                self._journal.path.write_bytes(b"")
                snapshot.remove_unreferenced_blobs(self.state_dir)
                logger.info("saved %(items)d item(s), %(objects)d object(s) and %(messages)d message(s)", saved)
        finally:
            if self._journal is not None:
                self._journal.close()
                self._journal = None
            object_store.configure(None)
            if self._spill_dir is not None:
                shutil.rmtree(self._spill_dir, ignore_errors=True)
                self._spill_dir = None
            for fake in (self.peppol_access_point, self.sdi_intermediary):
                if fake is not None:
                    fake.stop()
            self.peppol_access_point = self.sdi_intermediary = None
            self.channel_secrets = {}
            if self._moto is not None:
                self._moto.stop()
                self._moto = None
            self._environment.restore()
            _clear_powertools_parameters()
            _reset_function_configuration()
            self.api_url = self.aws_endpoint = ""
            with LocalStack._running_lock:
                if LocalStack._running is self:
                    LocalStack._running = None

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- For callers and tests ---

    def drain(self, timeout: float = 10.0) -> None:
        """Waits until every subscribed queue is empty and no SQS-triggered handler is running."""
        if self._pollers:
            drain(self._pollers, self.client("sqs"), self._activity, timeout)

    @contextlib.contextmanager
    def paused(self, function_id: str) -> Iterator[None]:
        """Stops delivering SQS messages to a function for the block, as disabling its event source mappings
        does on AWS; messages sent meanwhile wait in their queue and are delivered afterwards."""
        pollers = [poller for poller in self._pollers if poller.subscription.function_id == function_id]
        if not pollers:
            raise KeyError(f"{function_id} has no SQS subscription in {self.template.path}")
        for poller in pollers:
            poller.disable()
        try:
            yield
        finally:
            for poller in pollers:
                poller.enable()

    def run_schedule(self, function_id: str, event_name: str | None = None) -> Any:
        """Invokes a scheduled function now, in this thread, with the event its schedule sends (even if the
        schedule is disabled or a cron one); returns the handler's result, its exceptions propagate."""
        if self.runner is None or not self._started:
            raise RuntimeError("the stack is not running")
        schedules = [schedule for schedule in self.schedules if schedule.function_id == function_id]
        if event_name is not None:
            schedules = [schedule for schedule in schedules if schedule.event_name == event_name]
        if not schedules:
            what = f"{function_id}.{event_name}" if event_name else function_id
            raise KeyError(f"{what} has no Schedule event in {self.template.path}")
        if len(schedules) > 1:
            names = ", ".join(schedule.event_name for schedule in schedules)
            raise ValueError(f"{function_id} has several schedules ({names}): give event_name")
        (schedule,) = schedules
        return self.runner.invoke(function_id, scheduled_event(schedule, self.template.region, self.template.account_id))

    def describe_schedules(self) -> list[str]:
        """One line per schedule: function, expression, and how it runs locally."""
        running = {(runner.schedule.function_id, runner.schedule.event_name): runner for runner in self.schedule_runners}
        lines = []
        for schedule in self.schedules:
            runner = running.get((schedule.function_id, schedule.event_name))
            if runner is not None:
                how = f"every {runner.interval:g} s"
            elif not schedule.enabled:
                how = "disabled"
            elif not self.run_schedules:
                how = "timers off"
            else:
                how = "cron: not run on a timer locally"
            lines.append(f"{schedule.function_id} {schedule.expression} ({how})")
        return lines

    def physical_name(self, logical_id: str) -> str:
        """The local name of a resource: its logical ID (lower-cased for buckets, `.fifo` for FIFO queues)."""
        return physical_name(self.template, logical_id)

    def queue_url(self, logical_id: str) -> str:
        return self.attributes[logical_id]["QueueUrl"]

    def client(self, service: str) -> Any:
        """A boto3 client for moto, independent of os.environ."""
        if self._moto is None:
            raise RuntimeError("the stack is not running")
        return self._moto.client(service)

    def _stored(self) -> tuple[list[str], list[str], list[str]]:
        """The tables, buckets and queues whose contents the state directory keeps."""
        tables = [self.physical_name(logical_id) for logical_id in self.template.tables()]
        buckets = [self.physical_name(logical_id) for logical_id in self.template.buckets()]
        queues = [self.physical_name(logical_id) for logical_id in self.template.queues()]
        return tables, buckets, queues


def _configure_logging() -> None:
    """Request lines and handler tracebacks on stderr, unless the caller configured logging already."""
    package_logger = logging.getLogger(LOGGER_NAME)
    if not logging.getLogger().handlers and not package_logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
        package_logger.addHandler(handler)
        package_logger.setLevel(logging.INFO)


_M_ARENA_MAX = -8  # glibc's mallopt parameter


def _limit_malloc_arenas(arenas: int = 2) -> bool:
    """Caps glibc's malloc arenas for the stack's process (what MALLOC_ARENA_MAX=2 does).

    glibc gives threads that allocate at the same time their own heaps, up to eight per core. The stack runs many
    threads (a server thread per kept-alive connection, pollers, functions), and the larger objects of its stored
    items end up spread over those heaps, whose free space no other thread reuses: RSS grows well past what is
    live. Python holds the GIL around allocations anyway, so two arenas cost nothing in speed. Not glibc: no-op.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        return bool(ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False


def run(
    host: str = "127.0.0.1",
    port: int = 3000,
    aws_port: int = 5000,
    state_dir: str | Path = ".local-state",
    fresh: bool = False,
    on_ready: Callable[[LocalStack], None] | None = None,
    template_path: str | Path = "template.yaml",
    fake_channels: bool = True,
    schedule_interval: float | None = None,
    parameters: Mapping[str, str] | None = None,
) -> None:
    """Starts the stack, prints where it listens, calls on_ready(stack), and runs until Ctrl-C or SIGTERM."""
    _configure_logging()
    _limit_malloc_arenas()
    stack = LocalStack(
        template_path, host=host, port=port, aws_port=aws_port, state_dir=state_dir, fresh=fresh,
        fake_channels=fake_channels, schedule_interval=schedule_interval, parameters=parameters,
    )
    stop_requested = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        if stop_requested.is_set():
            raise KeyboardInterrupt
        stop_requested.set()

    previous_handlers = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous_handlers[signum] = signal.signal(signum, request_stop)
    try:
        stack.start()
        template = stack.template
        stage = next(iter(template.apis().values())).stage if template.apis() else None
        print(f"Local stack from {template.path}", flush=True)
        print(
            f"  API           {stack.api_url}"
            + (f"  (also under /{stage}, as the execute-api URL)" if stage else "")
            + f"  {len(template.api_routes())} routes",
            flush=True,
        )
        print(f"  AWS endpoint  {stack.aws_endpoint}", flush=True)
        print("  For the CLI   paste this line, then e.g. `invoicing organizer list` (or aws ... on this stack):", flush=True)
        print(f"    export AWS_ENDPOINT_URL={stack.aws_endpoint} AWS_ACCESS_KEY_ID=testing "
              f"AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION={template.region}", flush=True)
        print(f"  SQS           {len(template.sqs_subscriptions())} subscription(s) polled", flush=True)
        schedules = stack.describe_schedules()
        print(f"  Schedules     {len(schedules)}" + "".join(f"\n    {line}" for line in schedules), flush=True)
        for label, fake, key in (
            ("Peppol AP", stack.peppol_access_point, "peppol"),
            ("SdI", stack.sdi_intermediary, "sdi"),
        ):
            if fake is not None:
                secret = stack.channel_secrets.get(key)
                print(
                    f"  {label:<13} {fake.url}  (fake; " + (f"in secret {secret}; " if secret else "")
                    + f"to answer errors: curl -d '{{\"fail_with\": 503}}' {fake.url}/_control)",
                    flush=True,
                )
        print(f"  State         {stack.state_dir}" + (" (fresh)" if fresh else ""), flush=True)
        print(f"  Mail          {stack.state_dir / MAIL_DIR}/*.eml  (`invoicing local mail --last 5`)", flush=True)
        if on_ready is not None:
            on_ready(stack)
        print("Ctrl-C to stop.", flush=True)
        while not stop_requested.wait(0.5):
            pass
    finally:
        print("Stopping...", flush=True)
        stack.stop()
        for signum, handler in previous_handlers.items():
            signal.signal(signum, handler)
