"""The ``dataip`` command: dispatch, ``manage``, and ``serve`` as a real server on loopback."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import types
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import dataip
from dataip import cli

DATAIP = str(Path(sys.executable).with_name("dataip"))
REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DATAIP, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


# --- dispatch -----------------------------------------------------------------------------


@pytest.fixture
def fake_tool(monkeypatch):
    """Replace ``dataip.tool`` by a recorder, to see exactly what ``main`` hands it."""
    calls: list[list[str]] = []

    def main(argv):
        calls.append(argv)
        return 7

    module = types.ModuleType("dataip.tool")
    module.main = main  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "dataip.tool", module)
    monkeypatch.setattr(dataip, "tool", module, raising=False)
    return calls


@pytest.mark.parametrize(
    "argv",
    [
        ["hash", "data", "--manifest", "m.json"],
        ["verify", "data", "--manifest", "m.json"],
        ["prove", "a.csv", "--manifest", "m.json", "--out", "p.json"],
        ["verify-proof", "a.csv", "p.json"],
        ["--version"],
        ["--lang", "en", "hash", "x"],
        ["no-such-verb"],
    ],
)
def test_every_other_verb_goes_to_the_offline_tool(fake_tool, argv):
    assert cli.main(argv) == 7
    assert fake_tool == [argv]


def test_help_lists_the_platform_verbs_then_the_tools(fake_tool, capsys):
    assert cli.main(["--help"]) == 7
    assert fake_tool == [["--help"]]
    out = capsys.readouterr().out
    assert re.search(r"^  serve ", out, re.MULTILINE)
    assert re.search(r"^  manage ", out, re.MULTILINE)


def test_no_arguments_is_a_usage_error(fake_tool, capsys):
    assert cli.main([]) == 2
    assert fake_tool == []
    assert "dataip --help" in capsys.readouterr().err


def test_the_offline_verbs_never_import_django(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("id,value\n1,2\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from dataip.cli import main\n"
        "status = main(['hash', sys.argv[1], '--json'])\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print('DJANGO-MODULES', loaded, file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["file_count"] == 1
    assert "DJANGO-MODULES []" in result.stderr


def test_dataip_help_shows_both_halves():
    result = run("--help")
    assert result.returncode == 0, result.stderr
    for verb in ("serve", "manage", "hash", "verify", "prove", "verify-proof"):
        assert re.search(rf"^\s+{verb}\s", result.stdout, re.MULTILINE), verb


def test_python_m_dataip_is_the_same_command():
    result = subprocess.run(
        [sys.executable, "-m", "dataip", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"dataip {dataip.__version__}"


# --- manage -------------------------------------------------------------------------------


def test_manage_runs_django_commands(dataip_data_dir):
    result = run("manage", "check")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert (dataip_data_dir / "keys" / "django-secret-key").is_file()


def test_manage_fails_on_an_unknown_command():
    result = run("manage", "no_such_command")
    assert result.returncode == 1
    assert "Unknown command: 'no_such_command'" in result.stderr
    assert "dataip manage help" in result.stderr


# --- serve: arguments ---------------------------------------------------------------------


@pytest.mark.parametrize("addr", ["127.0.0.1:8000", "localhost:1", "[::1]:65535", "0.0.0.0:80"])
def test_serve_accepts_addresses(addr):
    assert cli._parse_addr(addr) == addr


@pytest.mark.parametrize(
    "addr", ["8000", ":8000", "127.0.0.1:", "127.0.0.1:0", "host:65536", "::1:8000", "h:x"]
)
def test_serve_refuses_bad_addresses(addr, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["serve", "--addr", addr])
    assert exit_info.value.code == 2
    assert "--addr" in capsys.readouterr().err


@pytest.mark.parametrize("workers", ["0", "-1", "two"])
def test_serve_refuses_bad_worker_counts(workers, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["serve", "--workers", workers])
    assert exit_info.value.code == 2
    assert "--workers" in capsys.readouterr().err


# --- serve: the supervisor ----------------------------------------------------------------


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


@pytest.fixture
def quick_supervisor(monkeypatch):
    monkeypatch.setattr(cli, "_WORKER_RESTART_DELAY", 0.1)
    monkeypatch.setattr(cli, "_STOP_GRACE_SECONDS", 0.5)
    monkeypatch.setattr(cli, "_KILL_GRACE_SECONDS", 0.5)


def signal_self_later(seconds: float, signum: int = signal.SIGTERM) -> threading.Timer:
    timer = threading.Timer(seconds, os.kill, (os.getpid(), signum))
    timer.start()
    return timer


@pytest.mark.usefixtures("quick_supervisor")
def test_a_worker_that_dies_is_restarted(tmp_path):
    starts = tmp_path / "starts"
    worker = python(f"open({str(starts)!r}, 'a').write('x'); raise SystemExit(3)")
    web_pid = tmp_path / "web.pid"
    web = python(
        f"import os, time; open({str(web_pid)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    )
    timer = signal_self_later(2.0)
    try:
        assert cli._Supervisor(web, {"worker": worker}).run() == 0
    finally:
        timer.cancel()
    assert len(starts.read_text()) >= 3
    assert not alive(int(web_pid.read_text()))


@pytest.mark.usefixtures("quick_supervisor")
def test_when_the_web_server_exits_the_worker_is_stopped(tmp_path):
    worker_pid = tmp_path / "worker.pid"
    worker = python(
        f"import os, time; open({str(worker_pid)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    )
    web = python("import time; time.sleep(1); raise SystemExit(3)")
    assert cli._Supervisor(web, {"worker": worker}).run() == 3
    assert not alive(int(worker_pid.read_text()))


@pytest.mark.usefixtures("quick_supervisor")
def test_a_child_that_ignores_sigterm_is_killed(tmp_path):
    ready = tmp_path / "ready"
    stubborn = python(
        "import signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"open({str(ready)!r}, 'w').close()\n"
        "time.sleep(60)\n"
    )
    timer = signal_self_later(1.5, signal.SIGINT)
    started = time.monotonic()
    try:
        assert cli._Supervisor(stubborn, {}).run() == 0
    finally:
        timer.cancel()
    assert ready.exists()
    assert time.monotonic() - started < 10


# --- serve: a real server -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  (loopback http)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


class Server:
    """``dataip serve`` started in the background, its output kept in files."""

    def __init__(self, dataip_data_dir: Path, logs: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.stdout = logs / f"serve-{self.port}.out"
        self.stderr = logs / f"serve-{self.port}.err"
        # SQLite, as this test is about the data directory; tests.support importable.
        env = {**os.environ, "DATAIP_DATA_DIR": str(dataip_data_dir), "PYTHONPATH": str(REPO)}
        env.pop("DATABASE_URL", None)
        self.env = env
        with self.stdout.open("wb") as out, self.stderr.open("wb") as err:
            self.process = subprocess.Popen(
                [DATAIP, "serve", "--addr", f"127.0.0.1:{self.port}", "--workers", "1"],
                stdout=out,
                stderr=err,
                env=env,
            )

    def output(self) -> str:
        return self.stdout.read_text() + self.stderr.read_text()

    def wait_until_healthy(self) -> dict[str, str]:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"dataip serve exited:\n{self.output()}"
            try:
                status, _, body = get(f"{self.base}/api/v1/health")
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
                continue
            assert status == 200
            health: dict[str, str] = json.loads(body)
            return health
        pytest.fail(f"dataip serve did not answer within {START_TIMEOUT} s:\n{self.output()}")

    def wait_for_output(self, text: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while text not in self.output():
            if time.monotonic() > deadline:
                pytest.fail(f"dataip serve never printed {text!r}:\n{self.output()}")
            time.sleep(0.1)

    def stop(self, signum: int = signal.SIGINT) -> int:
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"dataip serve did not stop within {STOP_TIMEOUT} s:\n{self.output()}")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def start_server(dataip_data_dir, tmp_path):
    servers: list[Server] = []

    def start() -> Server:
        server = Server(dataip_data_dir, tmp_path)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.kill()


@pytest.mark.server
def test_serve_runs_the_platform_until_stopped(start_server, dataip_data_dir):
    server = start_server()
    assert server.wait_until_healthy() == {
        "status": "ok",
        "version": dataip.__version__,
        "database": "sqlite",
    }

    status, _, body = get(f"{server.base}/")
    assert status == 200
    stylesheet = re.search(r'href="(/static/dataip/site\.[0-9a-f]{12}\.css)"', body.decode())
    assert stylesheet, "the home page links a hashed stylesheet"
    status, headers, css = get(server.base + stylesheet.group(1))
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert "immutable" in headers["Cache-Control"]
    assert css == (Path(cli.__file__).parent / "site/static/dataip/site.css").read_bytes()

    # The web server, the task worker, the log sequencer and the deadline scheduler run beside
    # each other...
    children = children_of(server.process.pid)
    assert len(children) == 4
    marker = dataip_data_dir.parent / "task-ran"
    enqueue = f"from tests.support.tasks import touch; touch.enqueue({str(marker)!r})"
    result = run("manage", "shell", "--no-imports", "--command", enqueue, env=server.env)
    assert result.returncode == 0, result.stderr
    deadline = time.monotonic() + START_TIMEOUT
    while not marker.exists():
        assert time.monotonic() < deadline, f"the task never ran:\n{server.output()}"
        time.sleep(0.1)
    # A statement left pending (as by a process that died after its commit) is published by the
    # sequencer, with a signed checkpoint under the key printed at start.
    leave_pending = (
        "from dataip.transparency.models import PendingStatement as P; "
        "from dataip.transparency.services import statement_leaf as leaf; "
        "text, h = leaf({'type': 'test/v1'}); P.objects.create(statement=text, leaf_hash=h)"
    )
    result = run("manage", "shell", "--no-imports", "--command", leave_pending, env=server.env)
    assert result.returncode == 0, result.stderr
    deadline = time.monotonic() + START_TIMEOUT
    while (status := get(f"{server.base}/log/checkpoint")[0]) != 200:
        assert status == 404
        assert time.monotonic() < deadline, f"no checkpoint published:\n{server.output()}"
        time.sleep(0.1)
    _, _, vkey = get(f"{server.base}/log/key")
    assert f"log verifier key:  {vkey.decode().strip()}" in server.output()
    # ...and Ctrl-C stops them all.
    assert server.stop(signal.SIGINT) == 0
    assert not any(alive(pid) for pid in children)
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", server.port)),
    ):
        pass

    assert (dataip_data_dir / "db.sqlite3").is_file()
    assert (dataip_data_dir / "static" / "staticfiles.json").is_file()
    key_file = dataip_data_dir / "keys" / "django-secret-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_bytes()
    keys = {p.name: p.read_bytes() for p in key_file.parent.iterdir()}
    private = ["django-secret-key", "log-signing-key", "tsa-key-ca.pem", "tsa-key.pem"]
    assert sorted(keys) == [".tsa.lock", *private[:2], "tsa-chain.pem", *private[2:]]
    for name in private:
        assert stat.S_IMODE((key_file.parent / name).stat().st_mode) == 0o600, name

    # A second start on the same directory keeps the keys; SIGTERM stops it as well.
    again = start_server()
    again.wait_until_healthy()
    assert again.stop(signal.SIGTERM) == 0
    assert key_file.read_bytes() == key
    assert {p.name: p.read_bytes() for p in key_file.parent.iterdir()} == keys
