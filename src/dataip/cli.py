"""The ``dataip`` command: the offline tool's verbs, plus ``serve`` and ``manage``.

``dataip serve`` and ``dataip manage`` run the platform and import Django. Every other verb
(``hash``, ``verify``, ``prove``, ``verify-proof``, ...) and ``--version`` belong to the offline
tool, ``dataip.tool``, which must run without Django: it is imported only for them, and Django
only for the platform verbs.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType

SETTINGS_MODULE = "dataip.site.settings"
DEFAULT_ADDR = "127.0.0.1:8000"
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 4

# After asking the children to stop: how long the web server may take to finish its requests
# and the task worker its current task, before a second, forcing, signal; and after that signal.
_STOP_GRACE_SECONDS = 30.0
_KILL_GRACE_SECONDS = 5.0
# A task worker that died is restarted after this long, so that a crash loop cannot spin.
_WORKER_RESTART_DELAY = 5.0
_POLL_SECONDS = 0.2
_MAX_PORT = 65535

_PLATFORM_HELP = """\
usage: dataip <command> [options]

The web platform:
  serve [--addr HOST:PORT] [--workers N] [--no-task-worker]
                  migrate the database, collect static files, then serve the platform with
                  gunicorn and run the background-task worker, until Ctrl-C
  manage COMMAND  run a Django management command (dataip manage help: the list)
  log audit       recompute the transparency log from its statements and check every
                  checkpoint, tile and time stamp against it
  log keys        show the log's verifier key, key id and the TSA certificates

Receipts (offline, no Django):
  receipt verify RECEIPT [--data PATH] [--log-key VKEY] [--tsa-ca PEMFILE]
                  check an evidence receipt: statement, signed checkpoint, inclusion proof,
                  RFC 3161 time stamp; with --data, that the data still hashes to the record

The offline tool (no Django, no network):
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``dataip`` with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        sys.stderr.write(_PLATFORM_HELP.split("\n\n", 1)[0] + "\n")
        sys.stderr.write("dataip --help lists the commands.\n")
        return 2
    verb, rest = args[0], args[1:]
    if verb == "serve":
        return _serve(rest)
    if verb == "log" and rest[:1] in (["audit"], ["keys"]):
        verb, rest = "manage", ["log_" + rest[0], *rest[1:]]
    if verb == "manage":
        return _manage(rest)
    if verb == "receipt":
        from dataip import receipts  # noqa: PLC0415

        return receipts.main(rest)
    if verb in {"-h", "--help"}:
        sys.stdout.write(_PLATFORM_HELP)
        sys.stdout.flush()
        return _tool(["--help"])
    return _tool(args)


def _tool(args: list[str]) -> int:
    from dataip import tool  # noqa: PLC0415  (the offline tool, loaded only when used)

    return tool.main(args)


def _manage(args: list[str]) -> int:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    # Django prints "dataip manage" in its usage and help lines.
    execute_from_command_line(["dataip manage", *args])
    return 0


def _serve(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="dataip serve",
        description=(
            "Migrate the database, collect static files, then serve the platform with gunicorn "
            "and run the background-task worker beside it, until Ctrl-C (or SIGTERM)."
        ),
    )
    parser.add_argument(
        "--addr",
        type=_parse_addr,
        default=DEFAULT_ADDR,
        help=f"address to listen on, HOST:PORT or [IPV6]:PORT (default {DEFAULT_ADDR})",
    )
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=DEFAULT_WORKERS,
        help=f"gunicorn worker processes (default {DEFAULT_WORKERS})",
    )
    parser.add_argument(
        "--no-task-worker",
        dest="task_worker",
        action="store_false",
        help="do not start the background-task worker (run `dataip manage db_worker` yourself)",
    )
    options = parser.parse_args(args)

    try:
        _prepare()
    except KeyboardInterrupt:
        return 130

    web = [
        sys.executable,
        "-m",
        "gunicorn",
        "dataip.site.wsgi:application",
        f"--bind={options.addr}",
        f"--workers={options.workers}",
        # Threads: a long request (an evidence upload of many GB from a slow line) keeps its
        # worker busy for minutes; the gthread worker still answers gunicorn's heartbeat, where
        # a sync worker would be killed after --timeout seconds, and other requests go on.
        "--worker-class=gthread",
        f"--threads={DEFAULT_THREADS}",
        "--graceful-timeout=10",
        "--access-logfile=-",
        # The control socket defaults to one path per user: two instances would collide.
        "--no-control-socket",
    ]
    helpers = {
        "sequencer": [sys.executable, "-m", "dataip", "manage", "log_sequencer"],
        # Deadlines: deemed withdrawals and registrations after publicity, once a minute.
        "scheduler": [sys.executable, "-m", "dataip", "manage", "registry_tick", "--every", "60"],
    }
    if options.task_worker:
        helpers["worker"] = [sys.executable, "-m", "dataip", "manage", "db_worker", "--no-reload"]
    sys.stderr.write(f"dataip: serving http://{options.addr}/ (Ctrl-C stops)\n")
    sys.stderr.flush()
    return _Supervisor(web, helpers).run()


def _prepare() -> None:
    """Create the data directory, migrate, collect static files; leave no connection open."""
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    import django  # noqa: PLC0415
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connections  # noqa: PLC0415

    django.setup()
    # The children must use this very directory, whatever their working directory.
    os.environ["DATAIP_DATA_DIR"] = str(settings.DATAIP_DATA_DIR)
    sys.stderr.write(f"dataip: data directory {settings.DATAIP_DATA_DIR}\n")
    call_command("migrate", interactive=False, verbosity=1)
    call_command("collectstatic", interactive=False, verbosity=0)
    # Creates the log's and the TSA's keys on first start and shows their ids.
    call_command("log_keys", stdout=sys.stderr)
    connections.close_all()


def _parse_addr(value: str) -> str:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) <= _MAX_PORT:
        raise argparse.ArgumentTypeError(f"{value!r} is not HOST:PORT, e.g. {DEFAULT_ADDR}")
    if ":" in host and not (host.startswith("[") and host.endswith("]")):
        raise argparse.ArgumentTypeError(f"{value!r}: write an IPv6 address as [ADDRESS]:PORT")
    return value


def _positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive integer")
    return int(value)


class _Supervisor:
    """Runs the web server and its helpers (task worker, log sequencer), and stops all on a signal.

    The children get their own process group, so that a Ctrl-C in the terminal reaches only this
    process, which passes one SIGTERM (graceful stop) to each child; a second Ctrl-C, or the
    grace period running out, forces them. If this process dies without cleaning up, the
    kernel sends the children SIGTERM (Linux ``PR_SET_PDEATHSIG``).
    """

    def __init__(self, web: list[str], helpers: dict[str, list[str]]) -> None:
        self._commands = {"web": web, **helpers}
        self._signals: list[int] = []

    def run(self) -> int:
        previous = {
            signum: signal.signal(signum, self._on_signal)
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
        children: dict[str, subprocess.Popen[bytes]] = {}
        try:
            for name, command in self._commands.items():
                children[name] = _spawn(command)
            return self._watch(children)
        finally:
            self._stop(list(children.values()))
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _watch(self, children: dict[str, subprocess.Popen[bytes]]) -> int:
        """Wait for a signal (status 0) or the web server's exit (its status, never 0)."""
        restart_at: dict[str, float] = {}
        while not self._signals:
            status = children["web"].poll()
            if status is not None:
                _say(f"the web server exited with status {status}")
                return status or 1
            for name, child in children.items():
                if name != "web" and name not in restart_at and child.poll() is not None:
                    _say(f"the {name} exited with status {child.returncode}; restarting it")
                    restart_at[name] = time.monotonic() + _WORKER_RESTART_DELAY
            for name, when in list(restart_at.items()):
                if time.monotonic() >= when:
                    children[name] = _spawn(self._commands[name])
                    del restart_at[name]
            time.sleep(_POLL_SECONDS)
        _say("stopping")
        return 0

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._signals.append(signum)

    def _stop(self, children: list[subprocess.Popen[bytes]]) -> None:
        signals_seen = len(self._signals)
        _signal_all(children, signal.SIGTERM)
        # Wait for a graceful stop, unless a further Ctrl-C or SIGTERM asks to hurry.
        deadline = time.monotonic() + _STOP_GRACE_SECONDS
        while _running(children) and time.monotonic() < deadline:
            if len(self._signals) > signals_seen:
                break
            time.sleep(_POLL_SECONDS)
        if _running(children):
            _say("forcing the children to stop")
            _signal_all(children, signal.SIGTERM)
            deadline = time.monotonic() + _KILL_GRACE_SECONDS
            while _running(children) and time.monotonic() < deadline:
                time.sleep(_POLL_SECONDS)
        _signal_all(children, signal.SIGKILL)
        for child in children:
            child.wait()


def _spawn(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, process_group=0, preexec_fn=_die_with_parent)  # noqa: PLW1509


def _die_with_parent() -> None:
    # Runs in the child between fork and exec.
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _running(children: list[subprocess.Popen[bytes]]) -> bool:
    return any(child.poll() is None for child in children)


def _signal_all(children: list[subprocess.Popen[bytes]], signum: int) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signum)


def _say(message: str) -> None:
    sys.stderr.write(f"dataip: {message}\n")
    sys.stderr.flush()
