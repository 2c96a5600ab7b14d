"""Demonstrate dataip on a sample dataset, then serve the platform (``make run``).

Generates a small, made-up 热泵行业低碳节能与储能策略数据集 under ``var/demo-dataset/`` (the same
bytes on every run, so the same hash value), then runs the offline tool on it as an applicant
would, printing each command and its output:

1. ``dataip hash`` with a manifest, giving the hash value (哈希值) and check code (哈希校验码);
2. ``dataip verify``: the data still matches the manifest;
3. ``dataip prove`` and ``dataip verify-proof``: one file shown to belong to the dataset;
4. ``dataip verify`` on a copy with one changed byte: the change is found (exit status 1).

Then it loads the demo registry (``dataip manage registry_demo``: accounts, and applications in
every state of the workflow, with their datasets under ``var/demo-evidence/``) and prints the demo
logins. Finally it replaces itself with ``dataip serve`` (Ctrl-C stops it), unless ``--no-serve``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261122
SITES = [("广州", "空气源"), ("深圳", "水源"), ("佛山", "地源"), ("东莞", "空气源")]
FIRST_DAY = dt.date(2026, 1, 1)
DAYS = 59  # January and February 2026
# (hour range, period, price in yuan/kWh, storage action): a Guangdong-style time-of-use tariff.
TARIFF = [
    (range(8), "谷", 0.28, "充电"),
    (range(8, 10), "平", 0.65, "待机"),
    (range(10, 12), "峰", 1.08, "放电"),
    (range(12, 14), "平", 0.65, "待机"),
    (range(14, 19), "峰", 1.08, "放电"),
    (range(19, 24), "平", 0.65, "待机"),
]
TARIFF_HOURS = 24

DESCRIPTION = """\
热泵行业低碳节能与储能策略数据集（演示用，数据为虚构）
Heat-pump low-carbon energy saving and storage strategy dataset (demonstration, made-up data)

devices.csv             设备台账 / heat pumps: site, source, rated output, COP, storage
operation/2026-01.csv   日运行记录 / daily operation: outdoor temperature, heat, electricity,
operation/2026-02.csv     COP, storage charge and discharge (kWh)
strategy/tariff.csv     分时电价与储能策略 / time-of-use tariff and storage action per hour
"""


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(header)] + [",".join(str(value) for value in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


def generate_dataset(target: Path) -> None:
    """Write the sample dataset; the same bytes every time."""
    if target.exists():
        shutil.rmtree(target)
    rng = random.Random(SEED)
    devices: list[tuple[str, int, float, int]] = []
    device_rows: list[list[object]] = []
    for number in range(1, 9):
        device_id = f"HP-{number:03d}"
        site, source = SITES[(number - 1) % len(SITES)]
        rated_kw = rng.choice([60, 80, 120, 160])
        rated_cop = round(rng.uniform(3.2, 4.6), 2)
        storage = rng.choice([100, 200, 400])
        commissioned = FIRST_DAY - dt.timedelta(days=rng.randrange(200, 1500))
        devices.append((device_id, rated_kw, rated_cop, storage))
        device_rows.append([device_id, site, source, rated_kw, rated_cop, storage, commissioned])
    write_csv(
        target / "devices.csv",
        ["device_id", "site", "source", "rated_kw", "rated_cop", "storage_kwh", "commissioned"],
        device_rows,
    )
    by_month: dict[str, list[list[object]]] = {}
    for offset in range(DAYS):
        day = FIRST_DAY + dt.timedelta(days=offset)
        for device_id, rated_kw, rated_cop, storage in devices:
            outdoor = round(rng.gauss(12.0, 4.0), 1)
            heat = round(rated_kw * rng.uniform(6.0, 14.0) * (1.2 - outdoor / 40), 1)
            cop = round(rated_cop * (0.8 + outdoor / 100) * rng.uniform(0.95, 1.05), 2)
            charge = round(storage * rng.uniform(0.6, 0.95), 1)
            discharge = round(charge * rng.uniform(0.88, 0.93), 1)
            by_month.setdefault(day.strftime("%Y-%m"), []).append(
                [day, device_id, outdoor, heat, round(heat / cop, 1), cop, charge, discharge]
            )
    for month, rows in by_month.items():
        write_csv(
            target / "operation" / f"{month}.csv",
            [
                "date",
                "device_id",
                "outdoor_temp_c",
                "heat_kwh",
                "electricity_kwh",
                "cop",
                "storage_charge_kwh",
                "storage_discharge_kwh",
            ],
            rows,
        )
    tariff = [
        [f"{hour:02d}:00", period, price, action]
        for hours, period, price, action in TARIFF
        for hour in hours
    ]
    if len(tariff) != TARIFF_HOURS:
        raise AssertionError("the tariff must cover every hour once")
    write_csv(target / "strategy" / "tariff.csv", ["hour", "period", "price", "action"], tariff)
    (target / "README.txt").write_text(DESCRIPTION, encoding="utf-8", newline="\n")


def run(dataip: str, *args: str, expect: int = 0) -> None:
    """Run ``dataip ARGS``, output straight to the terminal; stop unless it exits ``expect``."""
    shown = " ".join(shlex.quote(os.path.relpath(a) if os.path.isabs(a) else a) for a in args)
    print(f"\n$ dataip {shown}", flush=True)
    status = subprocess.run([dataip, *args], check=False).returncode
    if status != expect:
        sys.exit(f"demo: dataip {args[0]} exited with status {status}, expected {expect}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--addr", default="127.0.0.1:8000", help="where to serve the platform")
    parser.add_argument("--no-serve", dest="serve", action="store_false", help="end after the demo")
    parser.add_argument("--var", type=Path, default=ROOT / "var", help="where to write the demo")
    options = parser.parse_args()

    dataip = shutil.which("dataip", path=str(Path(sys.executable).parent)) or shutil.which("dataip")
    if dataip is None:
        sys.exit("demo: no `dataip` command: run `make venv` first")
    dataset = options.var / "demo-dataset"
    evidence = options.var / "demo-evidence"
    tampered = options.var / "demo-tampered"
    manifest = evidence / "manifest.json"
    proof = evidence / "devices.csv.proof.json"

    print(f"Sample dataset: {dataset}", flush=True)
    generate_dataset(dataset)
    evidence.mkdir(parents=True, exist_ok=True)

    run(dataip, "hash", str(dataset), "--manifest", str(manifest))
    run(dataip, "verify", str(dataset), "--manifest", str(manifest))
    run(dataip, "prove", "devices.csv", "--manifest", str(manifest), "--out", str(proof))
    root = json.loads(manifest.read_text(encoding="utf-8"))["root"]
    run(dataip, "verify-proof", str(dataset / "devices.csv"), str(proof), "--root", root)

    if tampered.exists():
        shutil.rmtree(tampered)
    shutil.copytree(dataset, tampered)
    changed = tampered / "operation" / "2026-02.csv"
    changed.write_bytes(changed.read_bytes().replace(b"HP-008", b"HP-009", 1))
    print("\n# One byte changed in a copy: verify must find it (exit status 1).")
    run(dataip, "verify", str(tampered), "--manifest", str(manifest), expect=1)

    print("\n# The demo registry: accounts, and applications in every state (loaded once).")
    run(dataip, "manage", "migrate", "--noinput", "--verbosity", "0")
    run(
        dataip,
        "manage",
        "registry_demo",
        "--url",
        f"http://{options.addr}",
        "--evidence-dir",
        str(evidence),
    )

    if options.serve:
        serve(dataip, options.addr)
    return 0


def serve(dataip: str, addr: str) -> NoReturn:
    print(
        f"\nThe platform: http://{addr}/  (API: http://{addr}/api/v1/docs)\n"
        "Sign in with the demo logins above. Ctrl-C stops it.\n",
        flush=True,
    )
    # This process becomes the server: Ctrl-C reaches it directly, as if typed at `dataip serve`.
    os.execv(dataip, [dataip, "serve", "--addr", addr])  # noqa: S606  (our own command)


if __name__ == "__main__":
    sys.exit(main())
