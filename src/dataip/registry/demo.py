"""The demo registry that ``make run`` loads (``dataip manage registry_demo``).

A newcomer gets a platform with realistic content: an administrator, two examiners, three
applicants acting for three made-up registrants (a legal person, an unincorporated organisation
and a natural person, with identity numbers whose check characters follow GB 32100-2015 and
GB 11643-1999), a public user who files objections, and fourteen applications modelled on the
national selection of registered datasets (parking records, water usage, vessel positions,
microRNA knockout mice, ...), with at least one in every state of the workflow.

Everything is generated: each dataset's files are written to ``<evidence_dir>/<slug>/`` and
hashed with SM3 (``dataip verify`` checks them against ``<slug>.manifest.json``), the samples
are CSV files cut from those files, and the materials are small PDFs (the application form is
the platform's own, uploaded back). Every write goes through the services, and every transition
happens at an explicit time, in the order of one timeline with the scheduler
(``services.registry_tick``) run every night in between.

The timeline is written in 2026 (``_at``), the last year the working-day calendar knows, from
2026-10-12 to :data:`TIMELINE_END` (2026-12-24 20:45, an objection filed on the first day of a
publicity); the applications it leaves open (two in publicity, one of them held by the
objection, and one awaiting amendment) are due on 2026-12-31, a week and more after it.
Nothing may be dated after the demo is loaded, so a load before the end moves the whole timeline
back by whole weeks (:func:`timeline_shift`; weekdays and times of day stay as written), the
fewest weeks that end it at or before the load and that the calendar lets play out as written.
For a load at any time this guarantees:

- every step, nightly run, event, objection, announcement and number of the timeline is at or
  before the load; what the services date by the clock (uploads, evidence, the log, the drafts
  not yet filed) is dated at the load;
- every application ends in its expected state (``DemoDataset.expect``, at least one in every
  state of the workflow): the moved timeline is first played out against the calendar's
  deadlines (:func:`_foresee`: a resubmission or an objection within its period, the registered
  and deemed-withdrawn applications' periods over by the last night), further weeks back are
  tried when it fails, and the database is checked against it after the replay;
- when the timeline is moved, the open applications' deadlines are on or after the day of the
  load, so that ``dataip serve``'s scheduler leaves them open until then. On the few days a year
  when an adjusted working day (调休) shortens a period so that no shift allows this (some
  Thursdays before 20:45), the fewest weeks that play out are taken and a deadline falls on the
  day before: the scheduler then registers or deems withdrawn what is due, as on any platform;
- a load after the end moves nothing: the deadlines of 2026-12-31 pass (or have passed), and the
  scheduler acts on them likewise.

Dates that are data (the datasets' contents, an agreement's date and validity) do not move.
Loading is deterministic for a given load time, and one transaction, so it is all there or
nothing is. It is idempotent: when the demo's accounts exist, nothing is done
(``DemoReport.loaded`` is False).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import math
import random
import shutil
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from xml.sax.saxutils import escape

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dataip.accounts import services as accounts
from dataip.accounts.models import RegistrantKind, Role, User
from dataip.accounts.validators import credit_code_check_character, resident_id_check_character
from dataip.core.hashing import FileRecord, hash_dataset
from dataip.core.manifest import manifest_text
from dataip.evidence.services import evidence_record_digest
from dataip.registry import documents, services
from dataip.registry.models import (
    Application,
    MaterialKind,
    ObjectionOutcome,
    ObjectionStatus,
    ProofKind,
    SamplePurpose,
    SourceType,
    Status,
)
from dataip.registry.workflow import TRANSITIONS, Action
from dataip.transparency.services import log_publish
from dataip.workdays.selectors import add_working_days

__all__ = [
    "APPLICATIONS",
    "LOGINS",
    "TIMELINE_END",
    "DemoApplication",
    "DemoConflict",
    "DemoLogin",
    "DemoReport",
    "demo_applications",
    "demo_load",
    "organisation_code",
    "timeline_shift",
]

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR = 2026
REVIEW_RECORDS = 60
DISPLAY_RECORDS = 5
#: The scheduler's nightly run in the timeline.
TICK_TIME = datetime.time(0, 5)
WEEK = datetime.timedelta(weeks=1)
#: Shifts tried, in weeks beyond the least one, for a timeline whose deadlines work out.
SHIFT_WEEKS_TRIED = 8
DEMO_NOTE = "（演示数据，内容为程序生成的虚构数据）"


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(YEAR, month, day, hour, minute, tzinfo=SHANGHAI)


# --- identity numbers -------------------------------------------------------------------------

#: GB 11714-1997: weights of the eight body characters of an organisation code.
_ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORGANISATION_MODULUS = 11


def organisation_code(body: str) -> str:
    """The nine-character organisation code (GB 11714-1997) of eight body characters.

    Character values are 0-9 for digits and 10-35 for A-Z; the check character is
    11 - (sum of value x weight mod 11), written X for 10 and 0 for 11. The code is positions
    9-17 of a unified social credit code (GB 32100-2015).
    """
    total = sum(int(c, 36) * w for c, w in zip(body, _ORGANISATION_WEIGHTS, strict=True))
    check = _ORGANISATION_MODULUS - total % _ORGANISATION_MODULUS
    return body + {10: "X", 11: "0"}.get(check, str(check))


def _credit_code(authority_type: str, region: str, body: str) -> str:
    first17 = authority_type + region + organisation_code(body)
    return first17 + credit_code_check_character(first17)


def _resident_id(region: str, birth: str, sequence: str) -> str:
    first17 = region + birth + sequence
    return first17 + resident_id_check_character(first17)


# --- accounts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    """One demo account as printed for the newcomer: who it is and how to sign in."""

    username: str
    password: str
    role_zh: str
    role_en: str
    acts_for: str
    sign_in: str  # the path to sign in at


@dataclass(frozen=True)
class _Registrant:
    key: str
    kind: str
    name: str
    id_number: str
    login: DemoLogin
    real_name: str
    phone: str


SIGN_IN = "/accounts/login/"
ADMIN_SIGN_IN = "/admin/"
API_DOCS = "/api/v1/docs"

# Fixed and printed: these accounts exist only to be tried out.
_ADMIN = DemoLogin("admin", "demo-admin-1", "管理员", "administrator", "", ADMIN_SIGN_IN)
_EXAMINERS = {
    "li": DemoLogin("examiner-li", "demo-examiner-1", "审查员", "examiner", "", SIGN_IN),
    "wang": DemoLogin("examiner-wang", "demo-examiner-2", "审查员", "examiner", "", SIGN_IN),
}
_PUBLIC = DemoLogin("public-zhao", "demo-public-1", "公众用户", "public user", "", SIGN_IN)

_REGISTRANTS = {
    registrant.key: registrant
    for registrant in (
        _Registrant(
            key="haishu",
            kind=RegistrantKind.LEGAL_PERSON,
            name="广州南沙海数科技有限公司",
            id_number=_credit_code("91", "440115", "MA9WN3T7"),
            login=DemoLogin(
                "haishu",
                "demo-applicant-1",
                "申请人",
                "applicant",
                "广州南沙海数科技有限公司（法人）",
                SIGN_IN,
            ),
            real_name="周海峰",
            phone="13826001001",
        ),
        _Registrant(
            key="yueqing",
            kind=RegistrantKind.UNINCORPORATED,
            name="粤清水务有限公司禅城供水分公司",
            id_number=_credit_code("91", "440604", "MA53RG2H"),
            login=DemoLogin(
                "yueqing",
                "demo-applicant-2",
                "申请人",
                "applicant",
                "粤清水务有限公司禅城供水分公司（非法人组织）",
                SIGN_IN,
            ),
            real_name="梁嘉欣",
            phone="13926002002",
        ),
        _Registrant(
            key="chensiyuan",
            kind=RegistrantKind.NATURAL_PERSON,
            name="陈思远",
            id_number=_resident_id("440106", "19880613", "031"),
            login=DemoLogin(
                "chensiyuan",
                "demo-applicant-3",
                "申请人",
                "applicant",
                "陈思远（自然人）",
                SIGN_IN,
            ),
            real_name="陈思远",
            phone="13660003003",
        ),
    )
}

#: Every demo account, in the order they are printed.
LOGINS: tuple[DemoLogin, ...] = (
    _ADMIN,
    *_EXAMINERS.values(),
    *(r.login for r in _REGISTRANTS.values()),
    _PUBLIC,
)


class DemoConflict(Exception):
    """Some, not all, of the demo's user names are taken: loading would mix with other data."""

    def __init__(self, taken: Sequence[str]) -> None:
        self.taken = list(taken)
        super().__init__(", ".join(taken))


@dataclass
class _World:
    admin: User
    examiners: dict[str, User]
    applicants: dict[str, User]
    public: User


def _email(username: str) -> str:
    return f"{username}@example.com"


def _accounts_create() -> _World:
    """The accounts, through the accounts services wherever one exists."""
    # No service creates an administrator with the Django admin: that is createsuperuser's job.
    admin = User.objects.create_superuser(
        _ADMIN.username,
        email=_email(_ADMIN.username),
        password=_ADMIN.password,
        role=Role.ADMINISTRATOR,
        real_name="刘文博",
    )
    examiners = {}
    for key, login in _EXAMINERS.items():
        user = accounts.user_register(
            username=login.username, password=login.password, email=_email(login.username)
        )
        examiners[key] = accounts.user_set_role(actor=admin, user=user, role=Role.EXAMINER)
    applicants = {}
    for key, registrant in _REGISTRANTS.items():
        user = accounts.user_register(
            username=registrant.login.username,
            password=registrant.login.password,
            email=_email(registrant.login.username),
        )
        applicants[key] = accounts.user_complete_real_name(
            actor=user,
            real_name=registrant.real_name,
            phone=registrant.phone,
            registrant_kind=registrant.kind,
            registrant_name=registrant.name,
            registrant_id_number=registrant.id_number,
        )
    public = accounts.user_register(
        username=_PUBLIC.username, password=_PUBLIC.password, email=_email(_PUBLIC.username)
    )
    return _World(admin=admin, examiners=examiners, applicants=applicants, public=public)


# --- the datasets -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A field of a table, as the structure description lists it."""

    name: str
    type: str
    note: str
    key: bool = False
    ref: str = ""  # "table.column" of a foreign key


@dataclass(frozen=True)
class Table:
    name: str  # Chinese, the file's name
    code: str  # the database table's name
    columns: tuple[Column, ...]


Rows = list[list[str]]


@dataclass(frozen=True)
class Step:
    """One thing that happens to an application, at its time in the timeline as written."""

    at: datetime.datetime
    action: str  # submit, review, amend, resubmit, publicise, reject, withdraw, object, resolve
    by: str = ""  # the examiner's key
    text: str = ""
    defects: tuple[tuple[str, str], ...] = ()
    changes: tuple[tuple[str, str], ...] = ()
    grounds: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoDataset:
    """One application of the demo: its data, what the applicant enters, and its history."""

    slug: str
    registrant: str
    expect: Status
    fields: Mapping[str, object]
    tables: tuple[Table, ...]  # the first is sampled
    rows: Callable[[random.Random], list[Rows]]
    proof: tuple[str, ...] = ()  # the source proof's paragraphs
    agreement: tuple[str, ...] = ()  # the agreement's clauses
    compliance: tuple[str, ...] = ()  # a third-party compliance assessment, if any
    story: tuple[Step, ...] = ()
    draft: bool = False  # left incomplete: fields as given, a review sample, nothing else


def _pseudonym(label: str, number: int, length: int = 12) -> str:
    """A stable pseudonym, as the applicants' desensitisation produces (a keyed hash)."""
    return hashlib.sha256(f"dataip-demo/{label}/{number}".encode()).hexdigest()[:length].upper()


def _minutes(start: datetime.datetime, rng: random.Random, days: int) -> datetime.datetime:
    return start + datetime.timedelta(minutes=rng.randrange(days * 24 * 60))


def _fmt_time(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _fmt_seconds(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _days(first: datetime.date, count: int) -> list[datetime.date]:
    return [first + datetime.timedelta(days=n) for n in range(count)]


_JAN_1 = datetime.datetime(YEAR, 1, 1)  # noqa: DTZ001 - a local time in the data, no zone


def _c(name: str, type_: str, note: str, *, key: bool = False, ref: str = "") -> Column:
    return Column(name, type_, note, key, ref)


# 1. parking -----------------------------------------------------------------------------------

_PARKING_LOTS = (
    *(("天河", p) for p in ("体育西路", "珠江新城", "岗顶", "车陂", "天河北", "石牌桥")),
    *(("越秀", p) for p in ("北京路", "东山口", "环市东", "中山五路", "农林下路", "西门口")),
    *(("海珠", p) for p in ("江南西", "客村", "琶洲", "滨江东", "昌岗", "宝岗")),
    *(("番禺", p) for p in ("市桥", "大石", "万博", "钟村", "洛浦", "南村")),
)
_PARKING_ENTRIES = 1200
_PAYMENT_METHODS = ("微信支付", "支付宝", "银联云闪付", "ETC 无感支付", "现金")


def _parking(rng: random.Random) -> list[Rows]:
    lots = []
    for number, (district, place) in enumerate(_PARKING_LOTS, start=1):
        roadside = number % 4 == 0
        lots.append(
            [
                f"GZP{number:03d}",
                f"{place}{'路侧泊位' if roadside else '停车场'}",
                f"{district}区",
                "路侧" if roadside else "封闭",
                str(rng.randrange(20, 60) if roadside else rng.randrange(120, 900)),
                f"{rng.choice((5, 6, 8, 10, 12)):.2f}",
            ]
        )
    arrivals = sorted(_minutes(_JAN_1, rng, 181) for _ in range(_PARKING_ENTRIES))
    entries, payments = [], []
    for number, arrival in enumerate(arrivals, start=1):
        lot = rng.choice(lots)
        stay = min(int(rng.lognormvariate(4.2, 0.8)) + 1, 24 * 60)
        departure = arrival + datetime.timedelta(minutes=stay)
        electric = rng.random() < 0.32  # noqa: PLR2004 - share of new-energy vehicles
        record = f"E{arrival:%Y%m%d}{number:05d}"
        entries.append(
            [
                record,
                lot[0],
                _pseudonym("plate", rng.randrange(3000), 16),
                "新能源" if electric else "燃油",
                _fmt_time(arrival),
                _fmt_time(departure),
                str(stay),
            ]
        )
        if stay > 15:  # noqa: PLR2004 - the first 15 minutes are free
            price = float(lot[5])
            due = math.ceil(stay / 60) * price
            paid = max(due - price, 0.0) if electric else due  # first hour free for EVs
            payments.append(
                [
                    f"PAY{number:07d}",
                    record,
                    f"{due:.2f}",
                    f"{paid:.2f}",
                    rng.choice(_PAYMENT_METHODS),
                    _fmt_time(departure),
                ]
            )
    return [entries, payments, lots]


PARKING = DemoDataset(
    slug="gz-parking",
    registrant="haishu",
    expect=Status.REGISTERED,
    fields={
        "data_name": "广州市停车场出入与缴费记录数据集",
        "summary": "本数据集汇集广州市天河、越秀、海珠、番禺四区 24 个停车场（含封闭停车场和路侧泊"
        "位）2026 年 1 月至 6 月的车辆出入记录、缴费记录和停车场基础信息。车牌号已加盐哈希脱敏，"
        "时间对齐到分钟，可用于停车需求预测、泊位周转分析和收费策略优化。" + DEMO_NOTE,
        "industry_division": {"section": "G", "division": "54"},
        "source_type": SourceType.SELF_PRODUCED,
        "source_description": "本公司运营的停车场道闸识别系统与收费系统在日常运营中自行产生",
        "source_process": "停车场出入口道闸的车牌识别设备在车辆进出时生成出入记录；"
        "收费终端和线上支付渠道在缴费完成时生成缴费流水；两者实时写入本公司停车运营数据库，"
        "停车场信息由运营部门维护。",
        "is_public_data": False,
        "substantive_processing": True,
        "innovative_labour": False,
        "processing_rules": "去重；车牌号加盐哈希脱敏；出入时间对齐到分钟；"
        "剔除停留超过 24 小时的异常记录；出入记录与缴费流水按记录编号关联。",
        "processing_description": "1. 采集：每日 02:00 从运营数据库导出前一日的出入记录和缴费流水。"
        "\n2. 清洗：同一车辆 60 秒内重复识别的入场记录只保留第一条；"
        "停留超过 24 小时或出场早于入场的记录剔除。\n3. 脱敏：车牌号以 SM3 加盐哈希替换，"
        "取前 16 位十六进制字符，盐值由专人保管。\n4. 整合：缴费流水按记录编号与出入记录关联，"
        "补齐停车场所在区、类型和收费标准。",
        "application_scenario": "为停车场运营方提供泊位周转与收费策略分析，"
        "为交通管理部门的停车规划、新能源汽车充电桩选址和周边商业选址提供数据支持，"
        "并形成停车动态监测、泊位实时查询等数据产品。",
    },
    tables=(
        Table(
            "出入记录",
            "parking_entry",
            (
                _c("记录编号", "VARCHAR(16)", "E + 入场日期 + 序号", key=True),
                _c("停车场编号", "VARCHAR(8)", "停车场", ref="停车场信息.停车场编号"),
                _c("车牌号（脱敏）", "CHAR(16)", "车牌号的 SM3 加盐哈希前 16 位"),
                _c("车辆类型", "VARCHAR(8)", "燃油、新能源"),
                _c("入场时间", "DATETIME", "精确到分钟"),
                _c("出场时间", "DATETIME", "精确到分钟"),
                _c("停留时长（分钟）", "INT", "出场时间减入场时间"),
            ),
        ),
        Table(
            "缴费记录",
            "parking_payment",
            (
                _c("缴费流水号", "VARCHAR(12)", "收费系统流水号", key=True),
                _c("记录编号", "VARCHAR(16)", "对应的出入记录", ref="出入记录.记录编号"),
                _c("应收金额（元）", "DECIMAL(8,2)", "按小时计费，首 15 分钟免费"),
                _c("实收金额（元）", "DECIMAL(8,2)", "新能源车首小时免费"),
                _c("支付方式", "VARCHAR(16)", "微信支付、支付宝、银联云闪付、ETC 无感支付、现金"),
                _c("缴费时间", "DATETIME", "精确到分钟"),
            ),
        ),
        Table(
            "停车场信息",
            "parking_lot",
            (
                _c("停车场编号", "VARCHAR(8)", "GZP + 三位序号", key=True),
                _c("停车场名称", "VARCHAR(64)", "停车场或路侧泊位名称"),
                _c("所在区", "VARCHAR(8)", "广州市的区"),
                _c("类型", "VARCHAR(4)", "封闭、路侧"),
                _c("泊位数", "INT", "个"),
                _c("收费标准（元/小时）", "DECIMAL(6,2)", "白天时段标准"),
            ),
        ),
    ),
    rows=_parking,
    proof=(
        "本公司为广州市 24 个停车场及路侧泊位的经营管理单位，"
        "持有各停车场的经营备案回执及路侧泊位特许经营协议（复印件附后）。",
        "出入记录由各停车场出入口的车牌识别道闸设备自动生成，"
        "缴费记录由收费终端及线上支付渠道在缴费完成时生成，"
        "均实时写入本公司停车运营数据库（系统名称：海数智慧停车运营平台 V3.2）。",
        "附：道闸设备清单与安装验收记录、运营数据库的数据字典与访问日志截图。",
    ),
    story=(
        Step(_at(10, 12, 9, 30), "submit"),
        Step(_at(10, 13, 10, 0), "review", by="li"),
        Step(_at(10, 16, 15, 0), "publicise", by="li"),
    ),
)


# 2. vessel positions --------------------------------------------------------------------------

_AIS_STATIONS = (
    ("ST01", "珠江口", 22.25, 113.75),
    ("ST02", "大亚湾", 22.60, 114.65),
    ("ST03", "湛江港", 21.15, 110.45),
)
_VESSEL_TYPES = (
    ("渔船", 0.45, (18, 45), (4.0, 9.0)),
    ("货船", 0.25, (90, 230), (9.0, 14.0)),
    ("油轮", 0.08, (120, 250), (8.0, 13.0)),
    ("客船", 0.10, (40, 120), (12.0, 22.0)),
    ("拖轮", 0.12, (25, 40), (5.0, 10.0)),
)
_VESSELS = 40


def _ais(rng: random.Random) -> list[Rows]:
    vessels, positions = [], []
    kinds = [t for t, *_ in _VESSEL_TYPES]
    weights = [w for _, w, *_ in _VESSEL_TYPES]
    report = 0
    for number in range(1, _VESSELS + 1):
        kind = rng.choices(kinds, weights)[0]
        _, _, (low, high), (slow, fast) = next(t for t in _VESSEL_TYPES if t[0] == kind)
        length = rng.randrange(low, high)
        vessel = _pseudonym("mmsi", number)
        vessels.append(
            [
                vessel,
                kind,
                str(length),
                f"{length / rng.uniform(5.5, 7.5):.1f}",
                f"{length / rng.uniform(18, 30):.1f}",
            ]
        )
        station, _, lat, lon = rng.choice(_AIS_STATIONS)
        lat, lon = lat + rng.uniform(-0.3, 0.3), lon + rng.uniform(-0.4, 0.4)
        course = rng.uniform(0, 360)
        moment = _minutes(datetime.datetime(YEAR, 3, 1), rng, 30)  # noqa: DTZ001 - local time
        for _ in range(rng.randrange(30, 46)):
            fishing = kind == "渔船" and rng.random() < 0.4  # noqa: PLR2004
            speed = rng.uniform(0.5, 3.0) if fishing else rng.uniform(slow, fast)
            step = rng.randrange(3, 11)
            course = (course + rng.gauss(0, 8)) % 360
            lat += speed * math.cos(math.radians(course)) * step / 60 / 60
            lon += (
                speed
                * math.sin(math.radians(course))
                * step
                / 60
                / 60
                / math.cos(math.radians(lat))
            )
            moment += datetime.timedelta(minutes=step)
            report += 1
            positions.append(
                [
                    f"R{report:07d}",
                    vessel,
                    _fmt_seconds(moment),
                    f"{lon:.6f}",
                    f"{lat:.6f}",
                    f"{speed:.1f}",
                    f"{course:.1f}",
                    str(round(course + rng.gauss(0, 3)) % 360),
                    "捕捞作业" if fishing else "在航（机动）",
                    station,
                ]
            )
    positions.sort(key=lambda row: row[2])
    return [positions, vessels]


AIS = DemoDataset(
    slug="coastal-ais",
    registrant="haishu",
    expect=Status.REGISTERED,
    fields={
        "data_name": "广东沿海船舶 AIS 轨迹数据集",
        "summary": "本数据集由本公司在珠江口、大亚湾和湛江港的岸基 AIS 接收站接收的船舶自动识别系统"
        "报文解码而成，包含 2026 年 3 月 40 艘船舶的船位报告（位置、航速、航迹向、航首向、"
        "航行状态）和船舶静态信息，船舶识别号已脱敏，可用于渔船与商船避碰预警和航道通航密度分析。"
        + DEMO_NOTE,
        "industry_division": {"section": "G", "division": "55"},
        "source_type": SourceType.PUBLIC_COLLECTION,
        "source_description": "本公司岸基 AIS 接收站接收的船舶公开广播报文",
        "collection_method": "本公司在珠江口、大亚湾、湛江港建设的 3 座岸基 AIS 接收站，"
        "接收船舶依照《国际海上人命安全公约》在 VHF 161.975 MHz 和 162.025 MHz 公开广播的 AIS 报文"
        "，解码后写入本公司数据库；不接入任何非公开信道，不采集船员个人信息。",
        "is_public_data": False,
        "substantive_processing": True,
        "innovative_labour": True,
        "processing_rules": "报文解码与校验；剔除位置跳变和重复报文；船舶识别号（MMSI）哈希脱敏；"
        "按船舶拼接轨迹并计算航行状态。",
        "processing_description": "1. 解码：按 ITU-R M.1371 解析 1、2、3 类（船位）和 5 类（静态）"
        "报文，校验和不符的报文丢弃。\n2. 清洗：相邻两点隐含航速超过 40 节的位置视为跳变剔除；"
        "同一船舶同一时刻的重复报文只保留一条。\n3. 脱敏：MMSI 以加盐哈希替换。\n4. 加工："
        "按船舶和时间拼接轨迹，以自研模型识别捕捞作业等航行状态，用于避碰预警。",
        "application_scenario": "为远洋和近海渔船提供与商船的避碰预警，为海事部门分析航道通航密度、"
        "为港口优化船舶调度提供依据；数据产品可在海洋大数据产业联盟内共享使用。",
    },
    tables=(
        Table(
            "船位报告",
            "ais_position",
            (
                _c("报告编号", "VARCHAR(8)", "R + 七位序号", key=True),
                _c(
                    "船舶编号（脱敏）",
                    "CHAR(12)",
                    "MMSI 的加盐哈希",
                    ref="船舶静态信息.船舶编号（脱敏）",
                ),
                _c("报告时间", "DATETIME", "北京时间，精确到秒"),
                _c("经度", "DECIMAL(9,6)", "WGS-84，东经为正"),
                _c("纬度", "DECIMAL(8,6)", "WGS-84，北纬为正"),
                _c("航速（节）", "DECIMAL(4,1)", "对地航速"),
                _c("航迹向（度）", "DECIMAL(4,1)", "对地航向，0-360"),
                _c("航首向（度）", "INT", "船首方向，0-359"),
                _c("航行状态", "VARCHAR(16)", "在航（机动）、捕捞作业等"),
                _c("接收站", "CHAR(4)", "ST01 珠江口、ST02 大亚湾、ST03 湛江港"),
            ),
        ),
        Table(
            "船舶静态信息",
            "ais_vessel",
            (
                _c("船舶编号（脱敏）", "CHAR(12)", "MMSI 的加盐哈希", key=True),
                _c("船舶类型", "VARCHAR(8)", "渔船、货船、油轮、客船、拖轮"),
                _c("船长（米）", "INT", "米"),
                _c("船宽（米）", "DECIMAL(4,1)", "米"),
                _c("吃水（米）", "DECIMAL(4,1)", "米"),
            ),
        ),
    ),
    rows=_ais,
    proof=(
        "本公司持有 3 座岸基 AIS 接收站的无线电台执照（复印件附后），"
        "接收站仅接收船舶依法公开广播的AIS 报文。",
        "采集与使用：报文经解码、清洗、脱敏后用于本公司的船舶避碰预警服务，"
        "收益来自向渔业企业和港口提供的预警与分析服务合同（合同清单附后）。",
    ),
    story=(
        Step(_at(10, 12, 14, 20), "submit"),
        Step(_at(10, 14, 9, 40), "review", by="wang"),
        Step(_at(10, 20, 16, 0), "publicise", by="wang"),
    ),
)


# 3. electricity and carbon --------------------------------------------------------------------

_PARKS = (
    ("广州", "智能制造", "汽车制造"),
    ("广州", "生物医药", "医药制造"),
    ("深圳", "新材料", "新材料"),
    ("深圳", "新能源汽车", "汽车制造"),
    ("佛山", "家电", "家用电器制造"),
    ("佛山", "有色金属", "有色金属压延加工"),
    ("东莞", "电子信息", "计算机、通信和其他电子设备制造"),
    ("东莞", "服装", "纺织服装"),
    ("惠州", "石化", "石油化工"),
    ("珠海", "航空装备", "航空装备制造"),
    ("江门", "纸业", "造纸"),
    ("中山", "装备制造", "通用设备制造"),
)
#: National average grid emission factor for 2022 (kgCO2/kWh), published by the Ministry of
#: Ecology and Environment; the holder applies it to the electricity not from clean sources.
_GRID_FACTOR = 0.5703
_CARBON_DAYS = 120


def _carbon(rng: random.Random) -> list[Rows]:
    parks, daily = [], []
    record = 0
    bases = []
    for number, (city, theme, industry) in enumerate(_PARKS, start=1):
        code = f"YQ{number:03d}"
        parks.append(
            [code, f"{city}{theme}产业园（示例）", city, industry, str(rng.randrange(30, 400))]
        )
        bases.append((code, rng.uniform(80_000, 600_000), rng.uniform(0.08, 0.35)))
    for day in _days(datetime.date(YEAR, 1, 1), _CARBON_DAYS):
        for code, base, clean_share in bases:
            weekend = day.weekday() >= 5  # noqa: PLR2004 - Saturday
            spring_festival = datetime.date(YEAR, 2, 15) <= day <= datetime.date(YEAR, 2, 23)
            load = (
                base
                * (0.55 if spring_festival else 0.8 if weekend else 1.0)
                * rng.uniform(0.93, 1.07)
            )
            clean = load * clean_share * rng.uniform(0.9, 1.1)
            carbon = (load - clean) * _GRID_FACTOR / 1000
            record += 1
            daily.append(
                [
                    f"C{record:06d}",
                    code,
                    day.isoformat(),
                    f"{load:.1f}",
                    f"{clean:.1f}",
                    f"{_GRID_FACTOR:.4f}",
                    f"{carbon:.3f}",
                ]
            )
    return [daily, parks]


CARBON = DemoDataset(
    slug="gd-park-carbon",
    registrant="haishu",
    expect=Status.REGISTERED,
    fields={
        "data_name": "广东省产业园区用电碳排放监测数据集",
        "summary": "本数据集以广东省 12 个产业园区 2026 年 1 月至 4 月的日用电量为基础，"
        "区分清洁能源电量，按全国电网平均排放因子核算日碳排放量，具有实时性强、覆盖面广的特点，"
        "可为园区碳排放监测、绿色发展目标的制定与考核提供依据。" + DEMO_NOTE,
        "industry_division": {"section": "D", "division": "44"},
        "source_type": SourceType.AGREEMENT,
        "source_description": "依据与南粤电力数据服务有限公司签订的数据使用协议，"
        "取得园区汇总用电数据",
        "agreement_holder": "南粤电力数据服务有限公司",
        "agreement_scope": "仅限本公司用于园区碳排放核算模型开发、碳监测分析服务及其衍生数据产品；"
        "不得向第三方提供原始用电数据，不得识别或还原单个企业的用电情况。",
        "agreement_valid_until": "2029-06-30",
        "is_public_data": False,
        "substantive_processing": True,
        "innovative_labour": True,
        "processing_rules": "园区汇总用电量校核与缺失值补齐；区分清洁能源电量；"
        "按排放因子核算日碳排放量。",
        "processing_description": "1. 校核：日用电量与当月抄表总量偏差超过 2% 的园区，"
        "按抄表总量等比例修正。\n2. 补齐：单日缺失值以前后各 7 日同星期的均值补齐，"
        "并在内部日志中标记。\n3. 核算：碳排放量（吨）=（用电量 − 清洁能源电量）"
        "× 0.5703 kgCO2/kWh ÷ 1000。\n4. 模型：以自研园区负荷模型识别异常用能，用于碳监测预警。",
        "application_scenario": "为地方政府和园区管理机构提供园区碳排放监测、"
        "预警和绿色发展考核的数据支持；相关数据资产已可按企业会计准则入表并用于碳监测数据服务。",
    },
    tables=(
        Table(
            "日用电与碳排放",
            "park_daily_carbon",
            (
                _c("记录编号", "VARCHAR(8)", "C + 六位序号", key=True),
                _c("园区编号", "VARCHAR(8)", "园区", ref="园区信息.园区编号"),
                _c("日期", "DATE", "自然日"),
                _c("用电量（千瓦时）", "DECIMAL(12,1)", "园区汇总用电量"),
                _c("清洁能源电量（千瓦时）", "DECIMAL(12,1)", "光伏、风电等绿电"),
                _c("排放因子（kgCO2/kWh）", "DECIMAL(6,4)", "全国电网平均排放因子"),
                _c("碳排放量（吨CO2）", "DECIMAL(10,3)", "按上式核算"),
            ),
        ),
        Table(
            "园区信息",
            "industrial_park",
            (
                _c("园区编号", "VARCHAR(8)", "YQ + 三位序号", key=True),
                _c("园区名称", "VARCHAR(64)", "示例名称"),
                _c("所在市", "VARCHAR(8)", "广东省的地级市"),
                _c("主导产业", "VARCHAR(32)", "园区的主导产业"),
                _c("入驻企业数", "INT", "家"),
            ),
        ),
    ),
    rows=_carbon,
    agreement=(
        "甲方（原数据持有人）：南粤电力数据服务有限公司；乙方（数据使用方）："
        "广州南沙海数科技有限公司。",
        "数据内容：广东省 12 个产业园区的日汇总用电量和清洁能源电量，不含单个企业的分项用电数据。",
        "使用范围：仅限乙方用于园区碳排放核算模型开发、碳监测分析服务及其衍生数据产品；"
        "乙方不得向第三方提供原始数据，不得识别或还原单个企业的用电情况。",
        "有效期：自 2026 年 1 月 1 日起至 2029 年 6 月 30 日止。期满未续签的，"
        "乙方停止使用并删除原始数据。",
        "加工成果：乙方对原始数据进行实质性加工形成的数据集合及其权益归乙方所有。",
    ),
    story=(
        Step(_at(10, 14, 10, 0), "submit"),
        Step(_at(10, 19, 9, 0), "review", by="li"),
        Step(_at(10, 22, 15, 30), "publicise", by="li"),
        Step(
            _at(10, 26, 20, 15),
            "object",
            text="本人所在企业位于其中一个园区，认为该数据集包含本企业的分项用电数据，"
            "且未经本企业同意。",
        ),
        Step(
            _at(11, 3, 11, 0),
            "resolve",
            by="li",
            text="经核查，该数据集仅含园区汇总用电量和清洁能源电量，不含单个企业的分项用电数据；"
            "申请人提交的数据获取协议合法有效，明确禁止识别或还原单个企业的用电情况。异议不成立。",
        ),
    ),
)


# 4. tunnel ammonia ----------------------------------------------------------------------------

_TUNNEL_PROJECTS = (
    "北江引水隧洞 3 标",
    "东江调水隧洞 1 标",
    "云浮输水隧洞 2 标",
    "韶关铁路隧道 5 标",
)
_TUNNEL_SITES = 16
_TUNNEL_READINGS = 60
#: Warning and alarm thresholds in ppm, near GBZ 2.1's limits for ammonia (20 and 30 mg/m3).
_NH3_WARNING, _NH3_ALARM = 25.0, 40.0


def _tunnel(rng: random.Random) -> list[Rows]:
    sites: Rows = []
    readings: Rows = []
    record = 0
    for number in range(1, _TUNNEL_SITES + 1):
        code = f"NH{number:03d}"
        sites.append(
            [
                code,
                _TUNNEL_PROJECTS[(number - 1) % len(_TUNNEL_PROJECTS)],
                str(rng.randrange(100, 3000, 50)),
                rng.choice(("NH3-E200", "NH3-E300")),
            ]
        )
        moment = datetime.datetime(YEAR, 5, rng.randrange(4, 29), 8, 0)  # noqa: DTZ001
        for _ in range(_TUNNEL_READINGS):
            moment += datetime.timedelta(minutes=10)
            blasting = rng.random() < 0.05  # noqa: PLR2004 - after blasting, gas spikes
            ppm = rng.uniform(28, 55) if blasting else rng.lognormvariate(1.8, 0.5)
            level = "报警" if ppm >= _NH3_ALARM else "预警" if ppm >= _NH3_WARNING else "正常"
            record += 1
            readings.append(
                [
                    f"Q{record:06d}",
                    code,
                    _fmt_time(moment),
                    f"{ppm:.2f}",
                    f"{rng.uniform(18, 27):.1f}",
                    f"{rng.uniform(70, 95):.1f}",
                    level,
                ]
            )
    readings.sort(key=lambda row: row[2])
    return [readings, sites]


TUNNEL = DemoDataset(
    slug="tunnel-nh3",
    registrant="haishu",
    expect=Status.UNDER_REVIEW,
    fields={
        "data_name": "隧洞施工现场氨气浓度监测数据集",
        "summary": "本数据集采集 4 个隧洞施工标段 16 个监测点位的氨气浓度、温度和湿度，"
        "经算法模型处理后给出每条读数的预警等级，可用于隧洞施工现场氨气浓度的预警和报警，"
        "保障施工人员安全。" + DEMO_NOTE,
        "industry_division": {"section": "E", "division": "48"},
        "source_type": SourceType.SELF_PRODUCED,
        "source_description": "本公司在施工现场部署的气体监测设备自行采集",
        "source_process": "本公司依据与施工单位签订的安全监测服务合同，"
        "在隧洞内按距洞口距离布设电化学氨气传感器，每 10 分钟上报一次读数至本公司监测平台。",
        "is_public_data": False,
        "substantive_processing": True,
        "innovative_labour": True,
        "processing_rules": "传感器漂移校正；剔除通信中断产生的零值；"
        "按阈值和爆破作业记录判定预警等级。",
        "processing_description": "1. 校正：每周以标准气体标定，按标定结果线性校正读数。\n2. 清洗："
        "通信中断产生的零值和重复上报剔除。\n3. 判定：读数不低于 25 ppm 为预警、"
        "不低于 40 ppm 为报警；自研模型结合爆破作业记录估算单位范围内的气体浓度。",
        "application_scenario": "为隧洞施工现场提供氨气浓度的实时预警和报警，"
        "与其他气体监测数据一起构成施工安全综合预警服务。",
    },
    tables=(
        Table(
            "浓度记录",
            "nh3_reading",
            (
                _c("记录编号", "VARCHAR(8)", "Q + 六位序号", key=True),
                _c("点位编号", "VARCHAR(8)", "监测点位", ref="监测点位.点位编号"),
                _c("采集时间", "DATETIME", "每 10 分钟一次"),
                _c("氨气浓度（ppm）", "DECIMAL(6,2)", "校正后的读数"),
                _c("温度（℃）", "DECIMAL(4,1)", "洞内温度"),
                _c("相对湿度（%）", "DECIMAL(4,1)", "洞内湿度"),
                _c("预警等级", "VARCHAR(4)", "正常、预警（≥25 ppm）、报警（≥40 ppm）"),
            ),
        ),
        Table(
            "监测点位",
            "nh3_site",
            (
                _c("点位编号", "VARCHAR(8)", "NH + 三位序号", key=True),
                _c("工程名称", "VARCHAR(64)", "施工标段"),
                _c("距洞口（米）", "INT", "米"),
                _c("传感器型号", "VARCHAR(16)", "电化学传感器型号"),
            ),
        ),
    ),
    rows=_tunnel,
    proof=(
        "本公司与各施工单位签订的隧洞施工安全监测服务合同（复印件附后），"
        "约定监测数据归本公司所有。",
        "监测设备清单、安装位置图与每周标定记录附后。",
    ),
    story=(
        Step(_at(11, 18, 15, 0), "submit"),
        Step(_at(11, 20, 10, 0), "review", by="li"),
    ),
)


# 5. intellectual-property decisions -----------------------------------------------------------

_IP_KINDS = (
    (
        "专利无效宣告",
        ("维持有效", "全部无效", "部分无效"),
        ("《专利法》第二十二条第三款", "《专利法》第二十六条第三款"),
    ),
    (
        "专利复审",
        ("撤销驳回决定", "维持驳回决定"),
        ("《专利法》第二十二条第三款", "《专利法实施细则》第二十条"),
    ),
    ("商标评审", ("予以核准注册", "不予核准注册"), ("《商标法》第三十条", "《商标法》第三十二条")),
    (
        "知识产权民事裁判",
        ("判令停止侵权并赔偿", "驳回诉讼请求"),
        ("《专利法》第六十四条", "《反不正当竞争法》第六条"),
    ),
)
_IP_FIELDS = ("新能源汽车", "医疗器械", "通信", "日化用品", "食品", "服装", "软件", "家用电器")
_IP_FOCUS = (
    "权利要求 1 是否具备创造性",
    "说明书是否充分公开",
    "诉争商标与引证商标是否构成近似商标",
    "被诉侵权技术方案是否落入保护范围",
    "是否属于在先使用并有一定影响的商标",
    "区别技术特征是否被对比文件公开",
)
_PERSONS = ("李国强", "王建华", "张丽娟", "刘志明", "陈海燕", "黄伟东", "吴晓敏", "林志坚")
_COMPANIES = (
    "深圳市恒科电子有限公司",
    "佛山市美厨电器有限公司",
    "广州市青禾食品有限公司",
    "东莞市锐图软件有限公司",
)
_IP_CASES = 600


def _ip(rng: random.Random) -> list[Rows]:
    cases, rules = [], []
    for number in range(1, _IP_CASES + 1):
        kind, outcomes, clauses = rng.choice(_IP_KINDS)
        code = f"IPC{number:05d}"
        # Natural persons appear by name: the data was not desensitised (why it is refused).
        party = rng.choice(_PERSONS) if rng.random() < 0.4 else rng.choice(_COMPANIES)  # noqa: PLR2004
        focus = rng.choice(_IP_FOCUS)
        clause = rng.choice(clauses)
        decided = datetime.date(2021, 1, 1) + datetime.timedelta(days=rng.randrange(5 * 365))
        cases.append(
            [
                code,
                kind,
                decided.isoformat(),
                rng.choice(_IP_FIELDS),
                party,
                focus,
                rng.choice(outcomes),
                clause,
            ]
        )
        rules.append(
            [
                f"R{number:05d}",
                code,
                f"判断{focus.replace('是否', '')}时，"
                "应当以本领域技术人员或相关公众的一般认知为准。",
                clause,
            ]
        )
    return [cases, rules]


IP_RULES = DemoDataset(
    slug="ip-decisions",
    registrant="haishu",
    expect=Status.REJECTED,
    fields={
        "data_name": "知识产权评审与司法裁判规则数据集",
        "summary": "本数据集对公开的专利无效宣告与复审决定、"
        "商标评审裁定和知识产权民事裁判文书进行解构，提取案件类型、技术或商品领域、当事人、"
        "争议焦点、结论和援引条款，并归纳裁判规则要旨，"
        "可用于知识产权检索分析和风险评估。" + DEMO_NOTE,
        "industry_division": {"section": "M", "division": "75"},
        "source_type": SourceType.PUBLIC_COLLECTION,
        "source_description": "国家知识产权局公开的审查决定和公开的知识产权裁判文书",
        "collection_method": "从国家知识产权局官方网站公开的复审无效决定、商标评审裁定，"
        "以及公开的知识产权裁判文书中，按公开的检索接口逐条下载，遵守网站的访问频率要求。",
        "is_public_data": False,
        "substantive_processing": True,
        "innovative_labour": True,
        "processing_rules": "文书结构化解析；要素抽取；争议焦点与结论归一化；裁判规则要旨归纳。",
        "processing_description": "1. 解析：按文书结构切分当事人、事实、理由和结论部分。\n2. 抽取："
        "以自研模型抽取案件类型、领域、争议焦点和援引条款。\n3. 归纳："
        "同一争议焦点的决定和裁判归纳为规则要旨。",
        "application_scenario": "为企业提供知识产权检索分析、侵权风险评估和维权策略参考，"
        "为质押融资中的知识产权价值评估提供数据支持。",
    },
    tables=(
        Table(
            "案件",
            "ip_case",
            (
                _c("案件编号", "VARCHAR(8)", "IPC + 五位序号", key=True),
                _c("案件类型", "VARCHAR(16)", "专利无效宣告、专利复审、商标评审、知识产权民事裁判"),
                _c("决定日期", "DATE", "决定或裁判作出日期"),
                _c("技术或商品领域", "VARCHAR(16)", "领域分类"),
                _c("当事人", "VARCHAR(64)", "请求人或原告"),
                _c("争议焦点", "VARCHAR(64)", "归一化的争议焦点"),
                _c("结论", "VARCHAR(16)", "决定或判决结论"),
                _c("援引条款", "VARCHAR(32)", "主要法律依据"),
            ),
        ),
        Table(
            "裁判规则",
            "ip_rule",
            (
                _c("规则编号", "VARCHAR(8)", "R + 五位序号", key=True),
                _c("案件编号", "VARCHAR(8)", "来源案件", ref="案件.案件编号"),
                _c("规则要旨", "TEXT", "归纳的规则"),
                _c("适用条款", "VARCHAR(32)", "法律依据"),
            ),
        ),
    ),
    rows=_ip,
    proof=(
        "数据来源于国家知识产权局和人民法院依法公开的决定与裁判文书，"
        "采集时遵守网站的使用条款和访问频率要求，未绕过任何访问限制。",
        "本公司以该数据提供检索分析服务，收益来自服务合同（合同清单附后）。",
    ),
    story=(
        Step(_at(10, 15, 16, 0), "submit"),
        Step(_at(10, 20, 10, 0), "review", by="li"),
        Step(
            _at(10, 28, 15, 0),
            "reject",
            by="li",
            grounds=("not_desensitised",),
            text="审核样例“当事人”字段中的自然人（如李国强、王建华等）以真实姓名出现，"
            "申请人未对文书中的自然人信息进行脱敏处理，属于“数据集合未进行脱敏处理”的情形，"
            "不予登记。",
        ),
    ),
)


# 6. medical pre-training data ------------------------------------------------------------------

_DIAGNOSES = (
    ("呼吸内科", "J06.9", "急性上呼吸道感染", "咳嗽、咽痛 3 天", ("对乙酰氨基酚片", "复方甘草片")),
    ("心血管内科", "I10", "原发性高血压", "头晕 1 周，血压升高", ("硝苯地平控释片", "厄贝沙坦片")),
    ("内分泌科", "E11.9", "2 型糖尿病", "口干、多饮 2 个月", ("二甲双胍片", "阿卡波糖片")),
    ("消化内科", "K29.7", "胃炎", "上腹隐痛 2 周", ("奥美拉唑肠溶胶囊", "铝碳酸镁咀嚼片")),
    ("骨科", "M54.5", "下背痛", "腰痛 5 天", ("塞来昔布胶囊",)),
    ("呼吸内科", "J45.9", "哮喘", "反复喘息 1 个月", ("布地奈德福莫特罗吸入粉雾剂",)),
    ("泌尿外科", "N39.0", "尿路感染", "尿频、尿痛 2 天", ("左氧氟沙星片",)),
    ("皮肤科", "L20.9", "特应性皮炎", "皮肤瘙痒 1 个月", ("丁酸氢化可的松乳膏", "氯雷他定片")),
    ("眼科", "H10.9", "结膜炎", "眼红、异物感 3 天", ("左氧氟沙星滴眼液",)),
    ("神经内科", "G43.9", "偏头痛", "反复头痛半年", ("布洛芬缓释胶囊",)),
    ("儿科", "J20.9", "急性支气管炎", "发热、咳嗽 2 天", ("氨溴索口服溶液",)),
)
_AGE_BANDS = ("0-17", "18-29", "30-44", "45-59", "60-74", "75+")
_VISITS = 800


def _medical(rng: random.Random) -> list[Rows]:
    visits: Rows = []
    prescriptions: Rows = []
    for number in range(1, _VISITS + 1):
        department, icd, name, complaint, drugs = rng.choice(_DIAGNOSES)
        visit = f"V{number:06d}"
        day = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(730))
        visits.append(
            [
                visit,
                _pseudonym("patient", rng.randrange(500)),
                department,
                day.isoformat(),
                rng.choice(("男", "女")),
                "0-17" if department == "儿科" else rng.choice(_AGE_BANDS[1:]),
                complaint,
                icd,
                name,
            ]
        )
        for drug in drugs:
            prescriptions.append(
                [
                    f"P{len(prescriptions) + 1:07d}",
                    visit,
                    drug,
                    rng.choice(
                        (
                            "每次 1 片",
                            "每次 2 片",
                            "每次 1 粒",
                            "适量外用",
                            "每次 1 吸",
                            "每次 10 毫升",
                        )
                    ),
                    rng.choice(("每日 1 次", "每日 2 次", "每日 3 次")),
                    str(rng.choice((3, 5, 7, 14, 28))),
                ]
            )
    return [visits, prescriptions]


MEDICAL = DemoDataset(
    slug="medical-pretraining",
    registrant="haishu",
    expect=Status.PUBLICITY,
    fields={
        "data_name": "医疗大模型预训练脱敏病历数据集",
        "summary": "本数据集依据与两家合作医院签订的数据合作协议取得门诊病历，"
        "经假名化和去标识化处理，覆盖 10 个科室的就诊、诊断（ICD-10）和用药记录，"
        "为医疗大模型的预训练和监督微调提供数据，可支持智能辅助诊断、"
        "智能编码和医学问答等场景。" + DEMO_NOTE,
        "industry_division": {"section": "I", "division": "65"},
        "source_type": SourceType.AGREEMENT,
        "source_description": "依据与合作医院签订的数据合作协议取得的去标识化门诊病历",
        "agreement_holder": "广州粤湾医院、南沙康和医院",
        "agreement_scope": "经两院伦理委员会批准，仅用于医疗大模型的预训练与监督微调及相关科研；"
        "不得尝试重新识别患者身份，不得向第三方提供原始病历。",
        "agreement_valid_until": "2028-12-31",
        "is_public_data": False,
        "substantive_processing": True,
        "innovative_labour": False,
        "processing_rules": "去标识化（删除姓名、证件号、联系方式、住址）；患者编号假名化；"
        "年龄分段；诊断编码统一为 ICD-10；用药名称统一为通用名。",
        "processing_description": "1. 去标识化：在医院内网完成，删除直接标识符，"
        "出生日期改为年龄段。\n2. 假名化：患者编号以医院保管的密钥做加盐哈希。\n3. 标准化："
        "诊断映射为 ICD-10 编码，药品统一为通用名。\n4. 质检：抽样 5% 人工复核，"
        "残留标识符为零方可出院。",
        "application_scenario": "为医疗大模型的预训练和监督微调提供数据，支持智能辅助诊断、"
        "病案智能编码、医学问答等细分场景。",
    },
    tables=(
        Table(
            "就诊记录",
            "visit",
            (
                _c("就诊编号", "VARCHAR(8)", "V + 六位序号", key=True),
                _c("患者编号（假名）", "CHAR(12)", "加盐哈希，不可还原"),
                _c("科室", "VARCHAR(16)", "就诊科室"),
                _c("就诊日期", "DATE", "门诊日期"),
                _c("性别", "CHAR(1)", "男、女"),
                _c("年龄段", "VARCHAR(8)", "岁"),
                _c("主诉", "VARCHAR(64)", "去标识化后的主诉"),
                _c("诊断编码（ICD-10）", "VARCHAR(8)", "主要诊断"),
                _c("诊断名称", "VARCHAR(32)", "ICD-10 名称"),
            ),
        ),
        Table(
            "用药记录",
            "prescription",
            (
                _c("处方编号", "VARCHAR(8)", "P + 七位序号", key=True),
                _c("就诊编号", "VARCHAR(8)", "就诊", ref="就诊记录.就诊编号"),
                _c("药品通用名", "VARCHAR(32)", "通用名"),
                _c("用量", "VARCHAR(16)", "每次用量"),
                _c("频次", "VARCHAR(8)", "每日次数"),
                _c("疗程（天）", "INT", "天"),
            ),
        ),
    ),
    rows=_medical,
    agreement=(
        "甲方（原数据持有人）：广州粤湾医院、南沙康和医院；乙方：广州南沙海数科技有限公司。",
        "数据内容：甲方 2024 年至 2025 年的门诊病历，在甲方内网完成去标识化后提供。",
        "使用范围：经甲方伦理委员会批准，仅用于医疗大模型的预训练、监督微调及相关科研；"
        "乙方不得尝试重新识别患者身份，不得向第三方提供原始病历。",
        "有效期：自 2026 年 1 月 1 日起至 2028 年 12 月 31 日止。",
    ),
    compliance=(
        "评估机构：广州明律数据合规评估中心（示例）。",
        "评估范围：数据来源的合法性、去标识化效果、数据安全管理制度。",
        "结论：数据来源有合作协议和伦理批件支持；抽样 400 条记录未发现残留的直接标识符；"
        "建议持续开展重识别风险评估。",
    ),
    story=(
        Step(_at(11, 16, 10, 0), "submit"),
        Step(_at(11, 19, 10, 0), "review", by="wang"),
        Step(_at(12, 24, 9, 30), "publicise", by="wang"),
        # Filed on the first day: the timeline's last step, a week before the deadlines.
        Step(
            _at(12, 24, 20, 45),
            "object",
            text="本人曾在广州粤湾医院就诊，怀疑本人的病历被纳入该数据集而未经本人同意，"
            "请求核实数据授权和去标识化情况。",
        ),
    ),
)


# 7. brain imaging -----------------------------------------------------------------------------

_REGIONS = tuple(
    f"{side}{name}"
    for name in ("中央前回", "海马", "楔前叶", "额上回", "颞中回", "后扣带回")
    for side in ("左侧", "右侧")
)
_SUBJECTS = 60


def _brain(rng: random.Random) -> list[Rows]:
    subjects: Rows = []
    features: Rows = []
    for number in range(1, _SUBJECTS + 1):
        subject = f"S{_pseudonym('subject', number, 8)}"
        subjects.append(
            [
                subject,
                rng.choice(("男", "女")),
                rng.choice(("18-25", "26-35", "36-45", "46-55", "56-65")),
                "左利手" if rng.random() < 0.1 else "右利手",  # noqa: PLR2004
                rng.choice(("2025A", "2025B")),
            ]
        )
        for region in _REGIONS:
            features.append(
                [
                    f"F{len(features) + 1:06d}",
                    subject,
                    region,
                    f"{rng.uniform(2.2, 3.2):.3f}",
                    f"{rng.uniform(3000, 20000):.0f}",
                    f"{rng.uniform(0.8, 1.3):.3f}",
                    f"{rng.uniform(0.3, 0.9):.3f}",
                ]
            )
    return [features, subjects]


BRAIN = DemoDataset(
    slug="brain-imaging",
    registrant="haishu",
    expect=Status.SUBMITTED,
    fields={
        "data_name": "多模态成年人群脑影像特征数据集",
        "summary": "本数据集依据与岭南脑科学研究院签订的数据合作协议取得 60 名成年被试的结构像和静"
        "息态功能像处理结果，提取 12 个脑区的皮层厚度、灰质体积、低频振幅和功能同伦指标，"
        "可用于大脑发育研究和神经退行性疾病的早期识别研究。" + DEMO_NOTE,
        "industry_division": {"section": "M", "division": "73"},
        "source_type": SourceType.AGREEMENT,
        "source_description": "依据与岭南脑科学研究院签订的数据合作协议取得的脑影像处理结果",
        "agreement_holder": "岭南脑科学研究院（示例）",
        "agreement_scope": "采集经研究院伦理委员会批准；乙方仅用于脑影像特征模型研究与科研数据服务"
        "，不得识别被试身份。",
        "agreement_valid_until": "2029-12-31",
        "is_public_data": False,
        "substantive_processing": True,
        "innovative_labour": True,
        "processing_rules": "去除非脑组织；空间标准化；时域与空间模式分析；"
        "按 AAL 图谱提取脑区指标。",
        "processing_description": "1. 预处理：颅骨剥离、头动校正、配准到 MNI 空间。\n2. 特征："
        "计算皮层厚度、灰质体积、低频振幅（ALFF）和体素镜像同伦连接（VMHC）。\n3. 汇总："
        "按 AAL 图谱脑区取均值。",
        "application_scenario": "用于大脑发育过程研究、阿尔茨海默病等神经退行性疾病的早期识别研究，"
        "并可结合环境健康数据开展跨学科研究。",
    },
    tables=(
        Table(
            "影像特征",
            "brain_feature",
            (
                _c("特征编号", "VARCHAR(8)", "F + 六位序号", key=True),
                _c("被试编号", "CHAR(9)", "假名", ref="被试.被试编号"),
                _c("脑区（AAL）", "VARCHAR(16)", "AAL 图谱脑区"),
                _c("皮层厚度（mm）", "DECIMAL(5,3)", "毫米"),
                _c("灰质体积（mm³）", "INT", "立方毫米"),
                _c("低频振幅（mALFF）", "DECIMAL(5,3)", "标准化 ALFF"),
                _c("功能同伦（VMHC）", "DECIMAL(5,3)", "体素镜像同伦连接"),
            ),
        ),
        Table(
            "被试",
            "subject",
            (
                _c("被试编号", "CHAR(9)", "S + 假名", key=True),
                _c("性别", "CHAR(1)", "男、女"),
                _c("年龄段", "VARCHAR(8)", "岁"),
                _c("利手", "VARCHAR(4)", "左利手、右利手"),
                _c("扫描批次", "CHAR(5)", "批次"),
            ),
        ),
    ),
    rows=_brain,
    agreement=(
        "甲方（原数据持有人）：岭南脑科学研究院（示例）；乙方：广州南沙海数科技有限公司。",
        "数据内容：经伦理委员会批准采集的成年被试脑影像处理结果，不含被试身份信息。",
        "使用范围：乙方仅用于脑影像特征模型研究与科研数据服务，不得识别被试身份。",
        "有效期：自 2026 年 3 月 1 日起至 2029 年 12 月 31 日止。",
    ),
    compliance=(
        "评估机构：广州明律数据合规评估中心（示例）。",
        "结论：采集有伦理批件和知情同意书支持，数据不含可识别被试身份的信息。",
    ),
    story=(Step(_at(11, 25, 10, 0), "submit"),),
)


# 8. water zones -------------------------------------------------------------------------------

_STREETS = ("祖庙街道", "石湾镇街道", "张槎街道", "南庄镇")
_ZONES = 18
_WATER_DAYS = 90


def _water_zones(rng: random.Random) -> list[Rows]:
    zones, daily = [], []
    params = []
    for number in range(1, _ZONES + 1):
        code = f"DMA{number:03d}"
        users = rng.randrange(800, 6000)
        zones.append(
            [
                code,
                f"{_STREETS[(number - 1) % 4]} {number} 号分区",
                _STREETS[(number - 1) % 4],
                str(users),
                f"{rng.uniform(5, 40):.1f}",
            ]
        )
        params.append((code, users, rng.uniform(0.08, 0.22)))
    record = 0
    for day in _days(datetime.date(YEAR, 1, 1), _WATER_DAYS):
        for code, users, loss in params:
            supply = users * 0.62 * rng.uniform(0.9, 1.1)
            sold = supply * (1 - loss * rng.uniform(0.85, 1.15))
            record += 1
            daily.append(
                [
                    f"W{record:06d}",
                    code,
                    day.isoformat(),
                    f"{supply:.1f}",
                    f"{sold:.1f}",
                    f"{supply / 24 * loss * rng.uniform(1.5, 2.5):.2f}",
                    f"{(supply - sold) / supply * 100:.2f}",
                ]
            )
    return [daily, zones]


_WATER_SUMMARY = (
    "本数据集汇集佛山市禅城区 18 个独立计量分区（DMA）的日供水量、售水量和夜间最小流量，"
    "计算产销差率，可用于管网漏损控制、分区计量管理和供水调度。"
)

WATER_ZONES = DemoDataset(
    slug="chancheng-dma",
    registrant="yueqing",
    expect=Status.REGISTERED,
    fields={
        "data_name": "佛山市禅城区公用水务分区水量数据集",
        "summary": _WATER_SUMMARY + DEMO_NOTE,
        "industry_division": {"section": "D", "division": "46"},
        "source_type": SourceType.SELF_PRODUCED,
        "source_description": "本分公司供水管网的分区计量设备和营业收费系统自行产生",
        "source_process": "各计量分区进水口的电磁流量计每 15 分钟上传一次流量，"
        "营业收费系统按抄表周期生成售水量；两者汇入本分公司的智慧水务平台。",
        "is_public_data": False,
        "substantive_processing": True,
        "innovative_labour": False,
        "processing_rules": "流量计数据补齐与校核；售水量按抄表周期分摊到日；"
        "计算产销差率和夜间最小流量。",
        "processing_description": "1. 校核：流量计读数与水厂出厂水量对比，"
        "偏差超过 3% 的时段标记复核。\n2. 分摊：售水量按抄表周期内的日供水量比例分摊到日。\n"
        "3. 计算：夜间最小流量取 02:00-04:00 的最小值。",
        "application_scenario": "用于管网漏损控制与分区计量管理：识别产销差率和夜间最小流量异常的分"
        "区，指导检漏和管网改造，并为供水调度提供依据。",
    },
    tables=(
        Table(
            "日水量",
            "dma_daily",
            (
                _c("记录编号", "VARCHAR(8)", "W + 六位序号", key=True),
                _c("分区编号", "VARCHAR(8)", "计量分区", ref="计量分区.分区编号"),
                _c("日期", "DATE", "自然日"),
                _c("供水量（立方米）", "DECIMAL(10,1)", "分区进水量"),
                _c("售水量（立方米）", "DECIMAL(10,1)", "按日分摊的售水量"),
                _c("夜间最小流量（立方米/小时）", "DECIMAL(8,2)", "02:00-04:00 最小值"),
                _c("产销差率（%）", "DECIMAL(5,2)", "（供水量 − 售水量）÷ 供水量"),
            ),
        ),
        Table(
            "计量分区",
            "dma",
            (
                _c("分区编号", "VARCHAR(8)", "DMA + 三位序号", key=True),
                _c("分区名称", "VARCHAR(32)", "分区名称"),
                _c("所属街道", "VARCHAR(16)", "禅城区的街道或镇"),
                _c("用户数", "INT", "户"),
                _c("管长（公里）", "DECIMAL(5,1)", "分区内管网长度"),
            ),
        ),
    ),
    rows=_water_zones,
    proof=(
        "本分公司为禅城区公共供水企业的分支机构，依法经营区域内的公共供水（供水经营许可证复印件附后"
        "）。",
        "分区计量设备清单、安装验收记录及智慧水务平台的数据字典附后。",
    ),
    story=(
        Step(_at(10, 13, 11, 0), "submit"),
        Step(_at(10, 15, 10, 30), "review", by="wang"),
        Step(
            _at(10, 16, 17, 0),
            "amend",
            by="wang",
            defects=(
                ("summary", "数据简介未说明数据的时间范围，请补充。"),
                ("processing_description", "请说明售水量按日分摊时如何处理跨月的抄表周期。"),
            ),
        ),
        Step(
            _at(10, 22, 9, 15),
            "resubmit",
            changes=(
                (
                    "summary",
                    "本数据集汇集佛山市禅城区 18 个独立计量分区（DMA）"
                    "2026 年 1 月 1 日至 3 月 31 日的日供水量、售水量和夜间最小流量，计算产销差率，"
                    "可用于管网漏损控制、分区计量管理和供水调度。" + DEMO_NOTE,
                ),
                (
                    "processing_description",
                    "1. 校核：流量计读数与水厂出厂水量对比，偏差超过 3% 的时段标记复核。\n2. 分摊："
                    "售水量按抄表周期内的日供水量比例分摊到日；"
                    "跨月的抄表周期按各月天数内的供水量拆分后分摊。\n3. 计算："
                    "夜间最小流量取 02:00-04:00 的最小值。",
                ),
            ),
        ),
        Step(_at(10, 23, 10, 0), "review", by="wang"),
        Step(_at(10, 27, 14, 0), "publicise", by="wang"),
    ),
)


# 9. enterprise water behaviour ----------------------------------------------------------------

_WATER_INDUSTRIES = (
    "非金属矿物制品业",
    "金属制品业",
    "纺织业",
    "食品制造业",
    "电气机械和器材制造业",
    "橡胶和塑料制品业",
    "家具制造业",
)
_WATER_PARKS = ("张槎针织产业园", "南庄陶瓷产业园", "石湾工业园", "祖庙商务区")
_ENTERPRISES = 150


def _enterprise_water(rng: random.Random) -> list[Rows]:
    enterprises: Rows = []
    monthly: Rows = []
    for number in range(1, _ENTERPRISES + 1):
        user = _pseudonym("enterprise", number, 10)
        enterprises.append(
            [
                user,
                rng.choice(_WATER_INDUSTRIES),
                rng.choice(("大型", "中型", "小型", "微型")),
                rng.choice(_WATER_PARKS),
            ]
        )
        base = rng.lognormvariate(7.0, 1.0)
        trend = rng.uniform(-0.3, 0.3)
        volumes = [base * (1 + trend * m / 12) * rng.uniform(0.85, 1.15) for m in range(12)]
        mean = sum(volumes) / len(volumes)
        spread = math.sqrt(sum((v - mean) ** 2 for v in volumes) / len(volumes))
        for month, volume in enumerate(volumes, start=1):
            monthly.append(
                [
                    f"M{len(monthly) + 1:06d}",
                    user,
                    f"2025-{month:02d}",
                    f"{volume:.0f}",
                    f"{(trend + rng.gauss(0, 0.05)) * 100:.1f}",
                    "是" if rng.random() < 0.04 else "否",  # noqa: PLR2004
                    f"{max(0.0, 1 - spread / mean):.2f}",
                ]
            )
    return [monthly, enterprises]


ENTERPRISE_WATER = DemoDataset(
    slug="enterprise-water",
    registrant="yueqing",
    expect=Status.AMENDMENT_REQUESTED,
    fields={
        "data_name": "禅城区企业用水行为分析数据集",
        "summary": "本数据集汇集禅城区 150 家工业企业 2025 年的月度用水量、同比变化和缴费情况，"
        "结合园区提供的企业行业与规模信息，计算用水稳定性指数，可为金融机构的信贷反欺诈、"
        "贷前审批和贷后监测提供企业经营状况的参考。" + DEMO_NOTE,
        "industry_division": {"section": "D", "division": "46"},
        "source_type": SourceType.OTHER,
        "source_routes": [SourceType.SELF_PRODUCED, SourceType.AGREEMENT],
        "source_description": "自行生产：本分公司营业收费系统的企业用水与缴费记录；协议获取："
        "禅城区智慧园区运营有限公司提供的企业行业与规模信息",
        "source_process": "营业收费系统按月抄表生成企业用水量和缴费记录。",
        "agreement_holder": "禅城区智慧园区运营有限公司（示例）",
        "agreement_scope": "企业行业分类与规模信息，仅用于企业用水行为分析模型。",
        "agreement_valid_until": "2028-12-31",
        "is_public_data": False,
        "substantive_processing": True,
        "innovative_labour": True,
        "processing_rules": "企业用户编号脱敏；月度用水量同比计算；用水稳定性指数建模。",
        "processing_description": "1. 脱敏：用户编号以加盐哈希替换，不含企业名称和地址。\n2. 计算："
        "同比变化按上年同月计算。\n3. 建模：用水稳定性指数 = 1 − 月度用水量的变异系数。",
        "application_scenario": "为持牌金融机构的信贷反欺诈、贷前审批、"
        "额度管理和贷后监测提供企业经营状况参考，缓解银企信息不对称。",
    },
    tables=(
        Table(
            "月度用水",
            "enterprise_monthly",
            (
                _c("记录编号", "VARCHAR(8)", "M + 六位序号", key=True),
                _c("用户编号（脱敏）", "CHAR(10)", "加盐哈希", ref="企业用户.用户编号（脱敏）"),
                _c("月份", "CHAR(7)", "YYYY-MM"),
                _c("用水量（立方米）", "INT", "当月抄表水量"),
                _c("同比变化（%）", "DECIMAL(5,1)", "较上年同月"),
                _c("是否逾期缴费", "CHAR(1)", "是、否"),
                _c("用水稳定性指数", "DECIMAL(3,2)", "0-1，越大越稳定"),
            ),
        ),
        Table(
            "企业用户",
            "enterprise",
            (
                _c("用户编号（脱敏）", "CHAR(10)", "加盐哈希", key=True),
                _c("行业大类", "VARCHAR(16)", "GB/T 4754-2017 大类名称"),
                _c("企业规模", "VARCHAR(4)", "大型、中型、小型、微型"),
                _c("所在园区", "VARCHAR(16)", "园区"),
            ),
        ),
    ),
    rows=_enterprise_water,
    proof=(
        "企业用水与缴费记录由本分公司营业收费系统在供水服务中产生（供水经营许可证复印件附后）。",
    ),
    agreement=(
        "甲方（原数据持有人）：禅城区智慧园区运营有限公司（示例）；乙方："
        "粤清水务有限公司禅城供水分公司。",
        "数据内容：园区内企业的行业分类与规模信息。",
        "使用范围：仅用于乙方的企业用水行为分析模型。",
        "有效期：自 2025 年 12 月 1 日起至 2028 年 12 月 31 日止。",
    ),
    story=(
        Step(_at(11, 10, 10, 0), "submit"),
        Step(_at(12, 14, 9, 30), "review", by="li"),
        Step(
            _at(12, 17, 16, 0),
            "amend",
            by="li",
            defects=(
                (
                    "agreement_scope",
                    "协议使用范围未说明是否允许向金融机构提供加工后的数据产品，"
                    "请补充并上传协议的相应条款。",
                ),
                ("samples.display", "展示样例含“用户编号（脱敏）”字段，建议删除该字段后重新上传。"),
            ),
        ),
    ),
)


# 10. pipe pressure ----------------------------------------------------------------------------

_ROADS = (
    "季华路",
    "汾江路",
    "佛山大道",
    "岭南大道",
    "绿景路",
    "同济路",
    "文华路",
    "魁奇路",
    "张槎路",
    "南庄大道",
)
_PRESSURE_SITES = 30
_PRESSURE_READINGS = 40


def _pressure(rng: random.Random) -> list[Rows]:
    sites: Rows = []
    readings: Rows = []
    for number in range(1, _PRESSURE_SITES + 1):
        code = f"P{number:03d}"
        first, second = rng.sample(_ROADS, 2)
        sites.append(
            [
                code,
                f"{first}与{second}交叉口",
                str(rng.choice((200, 300, 400, 600, 800))),
                rng.choice(("球墨铸铁管", "钢管", "PE 管")),
            ]
        )
        moment = datetime.datetime(YEAR, 6, rng.randrange(1, 29), 0, 0)  # noqa: DTZ001
        for _ in range(_PRESSURE_READINGS):
            moment += datetime.timedelta(minutes=15)
            low = rng.random() < 0.03  # noqa: PLR2004
            pressure = rng.uniform(0.12, 0.16) if low else rng.uniform(0.22, 0.38)
            readings.append(
                [
                    f"PR{len(readings) + 1:06d}",
                    code,
                    _fmt_time(moment),
                    f"{pressure:.3f}",
                    f"{rng.uniform(20, 400):.1f}",
                    "压力偏低" if low else "",
                ]
            )
    return [readings, sites]


PRESSURE = DemoDataset(
    slug="pipe-pressure",
    registrant="yueqing",
    expect=Status.DEEMED_WITHDRAWN,
    fields={
        "data_name": "禅城区供水管网压力监测数据集",
        "summary": "本数据集汇集禅城区 30 个管网压力监测点每 15 分钟一次的压力和瞬时流量，"
        "标记压力偏低的时段，可用于管网压力管理、爆管预警和二次供水调度。" + DEMO_NOTE,
        "industry_division": {"section": "D", "division": "46"},
        "source_type": SourceType.SELF_PRODUCED,
        "source_description": "本分公司管网压力监测设备自行采集",
        "source_process": "管网关键节点安装的压力变送器和流量计每 15 分钟上传一次读数至智慧水务平台"
        "。",
        "is_public_data": False,
        "substantive_processing": True,
        "innovative_labour": False,
        "processing_rules": "读数校核；通信中断补齐；压力低于 0.16 MPa 标记为压力偏低。",
        "processing_description": "1. 校核：超出量程的读数剔除。\n2. 补齐："
        "单点中断不超过 1 小时的，以前后读数线性插值。\n3. 标记："
        "压力低于 0.16 MPa 标记为压力偏低。",
        "application_scenario": "用于管网压力管理和爆管预警，指导二次供水泵站调度。",
    },
    tables=(
        Table(
            "压力记录",
            "pressure_reading",
            (
                _c("记录编号", "VARCHAR(8)", "PR + 六位序号", key=True),
                _c("监测点编号", "VARCHAR(4)", "监测点", ref="监测点.监测点编号"),
                _c("采集时间", "DATETIME", "每 15 分钟一次"),
                _c("压力（MPa）", "DECIMAL(5,3)", "兆帕"),
                _c("瞬时流量（立方米/小时）", "DECIMAL(7,1)", "立方米每小时"),
                _c("异常标记", "VARCHAR(8)", "压力偏低或空"),
            ),
        ),
        Table(
            "监测点",
            "pressure_site",
            (
                _c("监测点编号", "VARCHAR(4)", "P + 三位序号", key=True),
                _c("位置描述", "VARCHAR(32)", "道路交叉口"),
                _c("管径（毫米）", "INT", "毫米"),
                _c("管材", "VARCHAR(8)", "球墨铸铁管、钢管、PE 管"),
            ),
        ),
    ),
    rows=_pressure,
    proof=("压力监测设备清单与安装记录附后。",),
    story=(
        Step(_at(10, 21, 10, 30), "submit"),
        Step(_at(10, 23, 15, 0), "review", by="wang"),
        Step(
            _at(11, 2, 10, 0),
            "amend",
            by="wang",
            defects=(
                (
                    "materials.source_proof",
                    "来源证明材料未体现压力监测设备的运维和校准记录，请补充。",
                ),
            ),
        ),
    ),
)


# 11. Mandarin speech --------------------------------------------------------------------------

_PROVINCES = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江",
    "安徽",
    "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州",
    "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "香港", "澳门", "台湾",
)  # fmt: skip
_WHEN = ("明天上午", "今天晚上", "下周一", "这个周末", "下午三点", "刚才")
_WHO = ("我", "我们", "你", "他们", "妈妈", "同事")
_WHAT = (
    "要去银行办理业务",
    "在地铁站门口等你",
    "想订一张去北京的火车票",
    "把会议改到了十点",
    "去超市买点水果",
    "打电话问一下快递到哪了",
    "帮忙查一下明天的天气",
    "准备去医院复查",
    "把照片发到家庭群里",
)
_SPEAKERS = 120
_UTTERANCES = 1200


def _speech(rng: random.Random) -> list[Rows]:
    speakers = [
        [
            f"SPK{number:03d}",
            rng.choice(("男", "女")),
            rng.choice(("18-25", "26-35", "36-45", "46-60")),
            _PROVINCES[(number - 1) % len(_PROVINCES)],
            rng.choice(("安卓手机", "苹果手机")),
        ]
        for number in range(1, _SPEAKERS + 1)
    ]
    utterances = []
    for number in range(1, _UTTERANCES + 1):
        speaker = speakers[rng.randrange(_SPEAKERS)][0]
        text = f"{rng.choice(_WHEN)}{rng.choice(_WHO)}{rng.choice(_WHAT)}"
        utterances.append(
            [
                f"U{number:05d}",
                speaker,
                f"{speaker}_{number:05d}.wav",
                f"{len(text) * 0.27 + rng.uniform(0.4, 1.2):.2f}",
                text,
                "返工后合格" if rng.random() < 0.06 else "合格",  # noqa: PLR2004
            ]
        )
    return [utterances, speakers]


SPEECH = DemoDataset(
    slug="mandarin-speech",
    registrant="chensiyuan",
    expect=Status.REGISTERED,
    fields={
        "data_name": "普通话手机语音转写标注数据集",
        "summary": "本数据集由申请人组织 120 名覆盖全国 34 个省级行政区的朗读者用手机录制口语化句子"
        "，经专业人员逐句转写、标注和质检形成，包含语音条目的转写文本、时长和说话人属性，"
        "可用于语音识别和语音合成模型训练。" + DEMO_NOTE,
        "industry_division": {"section": "I", "division": "65"},
        "source_type": SourceType.OTHER,
        "source_routes": [SourceType.SELF_PRODUCED, SourceType.AGREEMENT],
        "source_description": "自行生产：申请人组织录制并转写标注；协议获取："
        "朗读者签署的录音授权协议",
        "source_process": "申请人通过自行开发的录音小程序发放文本，朗读者用手机录音上传；"
        "申请人组织转写员逐句转写，质检员复核。",
        "data_composition": "语音条目表和说话人表；音频文件按条目编号命名，另行保存。",
        "agreement_holder": "参与录音的 120 名朗读者（逐一签署录音授权协议）",
        "agreement_scope": "录音可用于语音识别与语音合成模型训练，并可许可第三方用于模型训练；"
        "不得用于声纹识别或身份识别。",
        "agreement_valid_until": "2030-12-31",
        "is_public_data": False,
        "substantive_processing": True,
        "innovative_labour": False,
        "processing_rules": "静音切分；逐句转写；双人质检；"
        "说话人信息仅保留性别、年龄段和籍贯省份。",
        "processing_description": "1. 切分：按静音切分为句子。\n2. 转写：转写员逐句转写并标注噪声。"
        "\n3. 质检：另一名质检员复核，不合格的返工。\n4. 去标识：说话人只保留性别、年龄段、"
        "籍贯省份和设备类型。",
        "application_scenario": "用于语音识别和语音合成模型的训练与评测；"
        "登记证书可作为数据权益的初步证据，用于许可使用和维权。",
    },
    tables=(
        Table(
            "语音条目",
            "utterance",
            (
                _c("条目编号", "VARCHAR(8)", "U + 五位序号", key=True),
                _c("说话人编号", "VARCHAR(8)", "说话人", ref="说话人.说话人编号"),
                _c("音频文件名", "VARCHAR(32)", "WAV，16 kHz，16 位"),
                _c("时长（秒）", "DECIMAL(5,2)", "秒"),
                _c("转写文本", "VARCHAR(200)", "逐字转写"),
                _c("质检结果", "VARCHAR(8)", "合格、返工后合格"),
            ),
        ),
        Table(
            "说话人",
            "speaker",
            (
                _c("说话人编号", "VARCHAR(8)", "SPK + 三位序号", key=True),
                _c("性别", "CHAR(1)", "男、女"),
                _c("年龄段", "VARCHAR(8)", "岁"),
                _c("籍贯省份", "VARCHAR(8)", "省级行政区"),
                _c("录音设备", "VARCHAR(8)", "安卓手机、苹果手机"),
            ),
        ),
    ),
    rows=_speech,
    proof=("录音小程序的后台记录（录音任务、上传时间）和转写质检记录附后。",),
    agreement=(
        "甲方：参与录音的朗读者（120 人，每人一份）；乙方：陈思远。",
        "授权内容：甲方授权乙方对其朗读录音进行转写、标注和加工，并用于语音识别与语音合成模型训练，"
        "乙方可许可第三方用于模型训练。",
        "限制：不得用于声纹识别或身份识别。有效期至 2030 年 12 月 31 日。",
    ),
    story=(
        Step(_at(10, 19, 21, 0), "submit"),
        Step(_at(10, 21, 10, 0), "review", by="wang"),
        Step(_at(11, 9, 14, 0), "publicise", by="wang"),
    ),
)


# 12. microRNA knockout mice -------------------------------------------------------------------

_MIRNAS = (
    ("miR-21", "肿瘤"), ("miR-155", "免疫"), ("miR-126", "心血管"), ("miR-1-1", "心血管"),
    ("miR-133a", "心血管"), ("miR-17~92 簇", "肿瘤"), ("miR-143/145 簇", "心血管"),
    ("miR-34a", "肿瘤"),
    ("miR-122", "代谢"), ("miR-146a", "免疫"), ("miR-223", "免疫"), ("miR-208a", "心血管"),
    ("miR-124", "神经"), ("miR-137", "神经"), ("miR-9", "神经"), ("let-7", "代谢"),
)  # fmt: skip
_PHENOTYPES = {
    "肿瘤": ("肿瘤发生率", "肿瘤体积"),
    "免疫": ("脾脏重量", "血清 IgG 水平", "T 细胞比例"),
    "心血管": ("心率", "收缩压", "心室壁厚度"),
    "代谢": ("体重", "空腹血糖", "血清甘油三酯"),
    "神经": ("旷场总路程", "水迷宫逃避潜伏期", "脑重"),
}
_STRAINS = 60
_PHENOTYPE_RECORDS = 900


def _microrna(rng: random.Random) -> list[Rows]:
    strains = []
    for number in range(1, _STRAINS + 1):
        mirna, field_ = _MIRNAS[(number - 1) % len(_MIRNAS)]
        strains.append(
            [
                f"KO{number:03d}",
                mirna,
                rng.choice(("全身敲除", "条件性敲除（Cre-loxP）")),
                rng.choice(("C57BL/6J", "C57BL/6N", "BALB/c")),
                field_,
                f"LIT-{rng.randrange(1, 400):04d}",
            ]
        )
    records = []
    for number in range(1, _PHENOTYPE_RECORDS + 1):
        strain = rng.choice(strains)
        effect = rng.choice(("升高", "降低", "无显著差异"))
        p_value = rng.uniform(0.2, 0.9) if effect == "无显著差异" else rng.uniform(0.0001, 0.049)
        records.append(
            [
                f"PH{number:05d}",
                strain[0],
                rng.choice(_PHENOTYPES[strain[4]]),
                rng.choice(("雄性", "雌性")),
                str(rng.choice((4, 8, 12, 16, 24, 52))),
                effect,
                f"{p_value:.4f}",
            ]
        )
    return [records, strains]


MICRORNA = DemoDataset(
    slug="microrna-ko-mice",
    registrant="chensiyuan",
    expect=Status.PUBLICITY,
    fields={
        "data_name": "microRNA 敲除小鼠表型数据集",
        "summary": "本数据集由申请人从公开发表的文献和公开数据库中采集 60 个 microRNA 敲除小鼠品系"
        "及其表型记录，经人工审阅、术语统一和效应方向标注，覆盖肿瘤、心血管、神经、免疫、"
        "代谢等领域，帮助研究者快速筛选符合研究需要的基因工程小鼠。" + DEMO_NOTE,
        "industry_division": {"section": "M", "division": "73"},
        "source_type": SourceType.PUBLIC_COLLECTION,
        "source_description": "公开发表的科研文献和公开的小鼠基因组数据库",
        "collection_method": "申请人检索公开发表的开放获取文献和公开数据库的 microRNA 敲除小鼠条目"
        "，人工阅读原文摘录品系和表型信息，记录文献编号以便溯源。",
        "is_public_data": False,
        "substantive_processing": True,
        "innovative_labour": True,
        "processing_rules": "文献去重；表型术语统一；效应方向和显著性标注；品系信息规范化。",
        "processing_description": "1. 去重：同一品系在多篇文献中的相同表型合并为一条，"
        "保留全部文献编号。\n2. 统一：表型名称统一为中文标准术语。\n3. 标注："
        "按原文统计结果标注效应方向和 P 值。",
        "application_scenario": "帮助生物医药研究者按研究领域和表型筛选 microRNA 敲除小鼠品系，"
        "辅助实验设计和基因功能研究。",
    },
    tables=(
        Table(
            "表型记录",
            "phenotype",
            (
                _c("表型编号", "VARCHAR(8)", "PH + 五位序号", key=True),
                _c("品系编号", "VARCHAR(8)", "品系", ref="品系.品系编号"),
                _c("表型", "VARCHAR(16)", "统一后的表型名称"),
                _c("性别", "VARCHAR(4)", "雄性、雌性"),
                _c("周龄", "INT", "检测时的周龄"),
                _c("效应方向", "VARCHAR(8)", "相对野生型：升高、降低、无显著差异"),
                _c("P 值", "DECIMAL(6,4)", "原文报告的显著性"),
            ),
        ),
        Table(
            "品系",
            "strain",
            (
                _c("品系编号", "VARCHAR(8)", "KO + 三位序号", key=True),
                _c("敲除的 microRNA", "VARCHAR(16)", "miRBase 名称"),
                _c("敲除策略", "VARCHAR(16)", "全身敲除、条件性敲除"),
                _c("遗传背景", "VARCHAR(16)", "小鼠品系背景"),
                _c("研究领域", "VARCHAR(8)", "肿瘤、心血管、神经、免疫、代谢"),
                _c("文献编号", "VARCHAR(8)", "申请人文献库的编号"),
            ),
        ),
    ),
    rows=_microrna,
    proof=(
        "数据均摘录自公开发表的开放获取文献和公开数据库，文献清单（文献编号与出处对照表）附后。",
        "申请人以该数据提供文献检索与品系筛选咨询，收益记录附后。",
    ),
    story=(
        Step(_at(11, 23, 22, 0), "submit"),
        Step(_at(11, 26, 10, 0), "review", by="wang"),
        Step(_at(12, 24, 10, 30), "publicise", by="wang"),
    ),
)


# 13. Cantonese dialogue -----------------------------------------------------------------------

_CANTONESE = (
    ("今日好热啊", "今天很热啊"),
    ("你食咗饭未呀", "你吃饭了没有"),
    ("我哋几点出发", "我们几点出发"),
    ("呢度点去地铁站", "这里怎么去地铁站"),
    ("唔该晒", "非常感谢"),
    ("等阵先", "等一下"),
    ("佢讲紧电话", "他正在打电话"),
    ("买餸要早啲去", "买菜要早点去"),
    ("听日落唔落雨", "明天下不下雨"),
    ("呢件衫几钱", "这件衣服多少钱"),
)
_CANTONESE_SPEAKERS = 40
_TURNS = 800


def _cantonese(rng: random.Random) -> list[Rows]:
    speakers = [
        [
            f"YY{n:03d}",
            rng.choice(("男", "女")),
            rng.choice(("18-25", "26-40", "41-60")),
            rng.choice(("广州", "佛山", "肇庆", "江门")),
        ]
        for n in range(1, _CANTONESE_SPEAKERS + 1)
    ]
    turns = []
    dialogue, turn, clock = 0, 0, 0.0
    for number in range(1, _TURNS + 1):
        if turn == 0 or rng.random() < 0.12:  # noqa: PLR2004 - a new dialogue
            dialogue, turn, clock = dialogue + 1, 0, 0.0
        turn += 1
        text, gloss = rng.choice(_CANTONESE)
        length = len(text) * 0.22 + rng.uniform(0.3, 0.8)
        turns.append(
            [
                f"T{number:05d}",
                f"D{dialogue:04d}",
                speakers[rng.randrange(_CANTONESE_SPEAKERS)][0],
                str(turn),
                f"{clock:.2f}",
                f"{clock + length:.2f}",
                text,
                gloss,
            ]
        )
        clock += length + rng.uniform(0.1, 0.6)
    return [turns, speakers]


CANTONESE = DemoDataset(
    slug="cantonese-dialogue",
    registrant="chensiyuan",
    expect=Status.WITHDRAWN,
    fields={
        "data_name": "粤语日常对话语音转写数据集",
        "summary": "本数据集由申请人组织 40 名粤语母语者录制日常对话，"
        "逐轮转写为粤语文本并附普通话释义，包含对话轮次、起止时间和说话人属性，"
        "可用于粤语语音识别和方言翻译模型训练。" + DEMO_NOTE,
        "industry_division": {"section": "I", "division": "65"},
        "source_type": SourceType.OTHER,
        "source_routes": [SourceType.SELF_PRODUCED, SourceType.AGREEMENT],
        "source_description": "自行生产：申请人组织录制并转写；协议获取：说话人签署的录音授权协议",
        "source_process": "申请人组织说话人两两对话录音，转写员逐轮转写并标注普通话释义。",
        "data_composition": "对话条目表和说话人表；音频文件另行保存。",
        "agreement_holder": "参与录音的 40 名说话人",
        "agreement_scope": "用于粤语语音识别和方言翻译模型训练。",
        "agreement_valid_until": "2030-12-31",
        "is_public_data": False,
        "substantive_processing": True,
        "innovative_labour": False,
        "processing_rules": "按轮次切分；逐轮转写；普通话释义；说话人信息去标识。",
        "processing_description": "1. 切分：按说话人轮次切分。\n2. 转写：粤语逐字转写，"
        "附普通话释义。\n3. 去标识：说话人只保留性别、年龄段和城市。",
        "application_scenario": "用于粤语语音识别、方言翻译和粤语语音助手的模型训练。",
    },
    tables=(
        Table(
            "对话条目",
            "dialogue_turn",
            (
                _c("条目编号", "VARCHAR(8)", "T + 五位序号", key=True),
                _c("对话编号", "VARCHAR(8)", "D + 四位序号"),
                _c("说话人编号", "VARCHAR(8)", "说话人", ref="说话人.说话人编号"),
                _c("轮次", "INT", "对话中的第几轮"),
                _c("起始时间（秒）", "DECIMAL(7,2)", "相对对话开始"),
                _c("结束时间（秒）", "DECIMAL(7,2)", "相对对话开始"),
                _c("转写文本（粤语）", "VARCHAR(200)", "粤语逐字转写"),
                _c("普通话释义", "VARCHAR(200)", "普通话意译"),
            ),
        ),
        Table(
            "说话人",
            "speaker",
            (
                _c("说话人编号", "VARCHAR(8)", "YY + 三位序号", key=True),
                _c("性别", "CHAR(1)", "男、女"),
                _c("年龄段", "VARCHAR(8)", "岁"),
                _c("城市", "VARCHAR(8)", "常住城市"),
            ),
        ),
    ),
    rows=_cantonese,
    proof=("录音任务记录和转写质检记录附后。",),
    agreement=(
        "甲方：参与录音的说话人（40 人，每人一份）；乙方：陈思远。",
        "授权内容：用于粤语语音识别和方言翻译模型训练。有效期至 2030 年 12 月 31 日。",
    ),
    story=(
        Step(_at(10, 26, 20, 0), "submit"),
        Step(
            _at(10, 28, 9, 0),
            "withdraw",
            text="部分说话人的录音授权协议尚未收齐，先行撤回，补齐后再行申请。",
        ),
    ),
)


# 14. EV charging, a draft ---------------------------------------------------------------------


def _charging(rng: random.Random) -> list[Rows]:
    sessions = []
    for number in range(1, REVIEW_RECORDS + 1):
        start = _minutes(datetime.datetime(YEAR, 9, 1), rng, 30)  # noqa: DTZ001
        fast = rng.random() < 0.6  # noqa: PLR2004
        energy = rng.uniform(15, 60) if fast else rng.uniform(8, 30)
        hours = energy / (60 if fast else 7)
        sessions.append(
            [
                f"CH{number:06d}",
                f"GZC{rng.randrange(1, 40):03d}",
                "快充" if fast else "慢充",
                _fmt_time(start),
                _fmt_time(start + datetime.timedelta(hours=hours)),
                f"{energy:.1f}",
                f"{energy * rng.uniform(1.0, 1.6):.2f}",
            ]
        )
    return [sessions]


CHARGING = DemoDataset(
    slug="gz-ev-charging",
    registrant="haishu",
    expect=Status.DRAFT,
    draft=True,
    fields={
        "data_name": "广州市公共充电桩充电行为数据集",
        "summary": "广州市公共充电桩的充电订单记录。",
        "industry_division": {"section": "F", "division": "52"},
        "source_type": SourceType.SELF_PRODUCED,
        "source_description": "本公司运营的公共充电桩",
    },
    tables=(
        Table(
            "充电订单",
            "charging_session",
            (
                _c("订单编号", "VARCHAR(8)", "CH + 六位序号", key=True),
                _c("充电站编号", "VARCHAR(8)", "GZC + 三位序号"),
                _c("充电桩类型", "VARCHAR(4)", "快充、慢充"),
                _c("开始时间", "DATETIME", "精确到分钟"),
                _c("结束时间", "DATETIME", "精确到分钟"),
                _c("充电量（千瓦时）", "DECIMAL(6,1)", "千瓦时"),
                _c("费用（元）", "DECIMAL(8,2)", "电费与服务费"),
            ),
        ),
    ),
    rows=_charging,
)

#: The demo's applications, in the order they are listed.
APPLICATIONS: tuple[DemoDataset, ...] = (
    PARKING,
    AIS,
    CARBON,
    WATER_ZONES,
    SPEECH,
    MEDICAL,
    MICRORNA,
    ENTERPRISE_WATER,
    TUNNEL,
    BRAIN,
    IP_RULES,
    PRESSURE,
    CANTONESE,
    CHARGING,
)


# --- files: the dataset, samples, materials ---------------------------------------------------


def _csv(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@dataclass
class _Generated:
    tables: list[Rows]
    record_count: int
    root: str = ""
    check_code: str = ""
    file_count: int = 0
    total_bytes: int = 0


def _dataset_write(dataset: DemoDataset, directory: Path) -> _Generated:
    """Write the dataset's files (the same bytes every time), hash them (SM3), keep a manifest."""
    tables = dataset.rows(random.Random(f"dataip-demo/{dataset.slug}"))  # noqa: S311 - demo data
    generated = _Generated(tables=tables, record_count=sum(len(rows) for rows in tables))
    if dataset.draft:
        return generated
    target = directory / dataset.slug
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for table, rows in zip(dataset.tables, tables, strict=True):
        (target / f"{table.name}.csv").write_bytes(_csv([c.name for c in table.columns], rows))
    readme = [str(dataset.fields["data_name"]), DEMO_NOTE, ""]
    readme += [
        f"{t.name}.csv：{len(r)} 条记录" for t, r in zip(dataset.tables, tables, strict=True)
    ]
    (target / "说明.txt").write_text("\n".join(readme) + "\n", encoding="utf-8")
    records: list[FileRecord] = []
    digest = hash_dataset(target, alg="sm3", jobs=1, on_file=records.append)
    manifest = directory / f"{dataset.slug}.manifest.json"
    manifest.write_text(manifest_text(digest, records), encoding="utf-8")
    generated.root, generated.check_code = digest.root_hex, digest.check_code
    generated.file_count, generated.total_bytes = digest.file_count, digest.total_bytes
    return generated


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415 - heavy, only the PDFs need it
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: PLC0415

    if documents.FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(documents.FONT))
    return documents.FONT


def _pdf(title: str, paragraphs: Sequence[str], rows: Sequence[tuple[str, str]] = ()) -> bytes:
    """A small A4 PDF in STSong-Light: a title, a table of label and value, paragraphs."""
    from reportlab.lib import colors  # noqa: PLC0415
    from reportlab.lib.enums import TA_CENTER  # noqa: PLC0415
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415
    from reportlab.lib.styles import ParagraphStyle  # noqa: PLC0415
    from reportlab.lib.units import mm  # noqa: PLC0415
    from reportlab.platypus import (  # noqa: PLC0415
        Flowable,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=19, wordWrap="CJK")
    heading = ParagraphStyle(
        "title", parent=body, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=6 * mm
    )

    def markup(text: str) -> str:
        return escape(text).replace("\n", "<br/>")

    story: list[Flowable] = [Paragraph(markup(title), heading)]
    if rows:
        width = A4[0] - 40 * mm
        grid = Table(
            [[Paragraph(markup(a), body), Paragraph(markup(b), body)] for a, b in rows],
            colWidths=[38 * mm, width - 38 * mm],
        )
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
                    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story += [grid, Spacer(1, 5 * mm)]
    story += [Paragraph(markup(p), body) for p in paragraphs]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=title,
        creator="dataip demo",
        invariant=True,
    )
    document.build(story)
    return buffer.getvalue()


def _structure_xlsx(dataset: DemoDataset) -> bytes:
    """The structure description (FAQ 七(四)2) in the platform template's columns."""
    from openpyxl import Workbook  # noqa: PLC0415 - heavy

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook has its sheet
    sheet.title = "数据结构说明"
    sheet.append([name for name, _, _ in documents.STRUCTURE_COLUMNS])
    for table in dataset.tables:
        for column in table.columns:
            if column.key:
                attribute = "非空、唯一"
            elif column.ref:
                attribute = f"非空，外键（{column.ref}）"
            else:
                attribute = "非空" if column.type != "TEXT" else "可空"
            sheet.append(
                [
                    f"{table.code}（{table.name}）",
                    column.name,
                    column.type,
                    attribute,
                    "是" if column.key else "否",
                    column.note,
                ]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _chinese_date(moment: datetime.datetime) -> str:
    return f"{moment.year} 年 {moment.month} 月 {moment.day} 日"


def _source_label(value: object) -> str:
    return str(SourceType(str(value)).label)


def _materials(
    dataset: DemoDataset, registrant: _Registrant, generated: _Generated
) -> list[tuple[str, str, bytes]]:
    """(kind, file name, content) of every material but the application form."""
    fields = dataset.fields
    name = str(fields["data_name"])
    signed = _chinese_date(dataset.story[0].at - datetime.timedelta(days=3))
    named = fields.get("source_routes")
    routes = [str(r) for r in named] if isinstance(named, list) else [str(fields["source_type"])]
    rows = [
        ("申请人", registrant.name),
        ("数据名称", name),
        ("数据来源类型", _source_label(fields["source_type"])),
        ("数据来源", str(fields["source_description"])),
    ]
    if "source_process" in fields:
        rows.append(("数据生产过程", str(fields["source_process"])))
    if "collection_method" in fields:
        rows.append(("采集方式", str(fields["collection_method"])))
    if "agreement_holder" in fields:
        rows.append(("原数据持有人", str(fields["agreement_holder"])))
        rows.append(("使用范围", str(fields["agreement_scope"])))
        rows.append(("协议有效期至", str(fields["agreement_valid_until"])))
    rows.append(("数据量", f"{generated.record_count:,} 条记录"))
    signature = [f"申请人（盖章或签字）：{registrant.name}", f"日期：{signed}"]
    files: list[tuple[str, str, bytes]] = [
        (
            MaterialKind.SOURCE_STATEMENT,
            "数据来源说明.pdf",
            _pdf("数据来源说明", ["申请人承诺以上说明真实、准确、完整。", *signature], rows),
        ),
        (MaterialKind.STRUCTURE_DESCRIPTION, "数据结构说明.xlsx", _structure_xlsx(dataset)),
        (
            MaterialKind.COMMITMENT_LETTER,
            "申请人承诺书.pdf",
            _pdf(
                "申请人承诺书",
                [
                    "致：数据知识产权登记机构",
                    f"本申请人{registrant.name}（统一社会信用代码或公民身份号码：{registrant.id_number}）"
                    f"就申请登记的数据“{name}”（以下简称“该数据”），郑重承诺如下：",
                    *documents.COMMITMENTS,
                    "特此承诺。",
                    *signature,
                ],
            ),
        ),
    ]
    if any(r in (SourceType.SELF_PRODUCED, SourceType.PUBLIC_COLLECTION) for r in routes):
        files.append(
            (
                MaterialKind.SOURCE_PROOF,
                "来源证明材料.pdf",
                _pdf("来源证明材料", [*dataset.proof, *signature], rows[:2]),
            )
        )
    if SourceType.AGREEMENT in routes:
        files.append(
            (
                MaterialKind.AGREEMENT,
                "数据获取协议.pdf",
                _pdf(
                    "数据获取协议（摘要）",
                    [*dataset.agreement, f"签订日期：{_chinese_date(_at(1, 1, 9))}"],
                ),
            )
        )
    if dataset.compliance:
        files.append(
            (
                MaterialKind.COMPLIANCE_REPORT,
                "合规评估报告.pdf",
                _pdf("数据合规评估报告（摘要）", list(dataset.compliance), rows[:2]),
            )
        )
    return files


# --- loading ----------------------------------------------------------------------------------


def _draft_fill(
    dataset: DemoDataset, world: _World, directory: Path
) -> tuple[Application, _Generated]:
    """Create the draft with its fields, evidence, samples and materials (a draft: less)."""
    registrant = _REGISTRANTS[dataset.registrant]
    applicant = world.applicants[dataset.registrant]
    generated = _dataset_write(dataset, directory)
    # The draft was started a few days before its first step (a draft alone: as loaded).
    started = dataset.story[0].at - datetime.timedelta(days=3) if dataset.story else None
    application = services.application_create(
        actor=applicant, data_name=str(dataset.fields["data_name"]), now=started
    )
    changes: dict[str, object] = {k: v for k, v in dataset.fields.items() if k != "data_name"}
    if not dataset.draft:
        changes.setdefault(
            "data_composition",
            "；".join(
                f"{t.name}（{'、'.join(c.name for c in t.columns)}）：{len(r):,} 条"
                for t, r in zip(dataset.tables, generated.tables, strict=True)
            ),
        )
        changes["record_count"] = generated.record_count
        evidence, _ = evidence_record_digest(
            owner=applicant,
            alg="sm3",
            root=generated.root,
            check_code_text=generated.check_code,
            file_count=generated.file_count,
            total_bytes=generated.total_bytes,
            label=str(dataset.fields["data_name"]),
        )
        changes["evidence"] = str(evidence.uuid)
    services.application_update(
        actor=applicant, application=application, changes=changes, version=None
    )
    main, rows = dataset.tables[0], generated.tables[0]
    columns = [c.name for c in main.columns]
    services.sample_upload(
        actor=applicant,
        application=application,
        purpose=SamplePurpose.REVIEW,
        name=f"{main.name}-审核样例.csv",
        data=_csv(columns, rows[:REVIEW_RECORDS]),
    )
    if dataset.draft:
        return application, generated
    services.sample_upload(
        actor=applicant,
        application=application,
        purpose=SamplePurpose.DISPLAY,
        name=f"{main.name}-展示样例.csv",
        data=_csv(columns, rows[:DISPLAY_RECORDS]),
    )
    for kind, name, data in _materials(dataset, registrant, generated):
        services.material_upload(
            actor=applicant, application=application, kind=kind, name=name, data=data
        )
    _form_upload(application, applicant)
    return application, generated


def _form_upload(application: Application, applicant: User) -> None:
    """Generate the application form and upload it back, as the applicant does once stamped."""
    application.refresh_from_db()
    for old in application.materials.filter(kind=MaterialKind.APPLICATION_FORM):
        services.material_delete(actor=applicant, material=old)
    services.material_upload(
        actor=applicant,
        application=application,
        kind=MaterialKind.APPLICATION_FORM,
        name="数据知识产权登记申请书（盖章）.pdf",
        data=documents.application_form_pdf(application),
    )


def _objection_letter(step: Step) -> bytes:
    return _pdf("异议材料", [step.text, f"异议人：{_PUBLIC.username}", _chinese_date(step.at)])


def _perform(step: Step, application: Application, dataset: DemoDataset, world: _World) -> None:
    applicant = world.applicants[dataset.registrant]
    now = step.at
    if step.action == "submit":
        services.application_submit(actor=applicant, application=application, now=now)
    elif step.action == "withdraw":
        services.application_withdraw(
            actor=applicant, application=application, reason=step.text, now=now
        )
    elif step.action == "resubmit":
        services.application_update(
            actor=applicant, application=application, changes=dict(step.changes), version=None
        )
        _form_upload(application, applicant)
        services.application_resubmit(actor=applicant, application=application, now=now)
    elif step.action == "object":
        services.objection_file(
            actor=world.public,
            application=application,
            reasons=step.text,
            files=[("异议材料.pdf", _objection_letter(step))],
            now=now,
        )
    else:
        _examine(step, application, world.examiners[step.by])
    application.refresh_from_db()


def _examine(step: Step, application: Application, examiner: User) -> None:
    now = step.at
    if step.action == "review":
        services.application_start_review(actor=examiner, application=application, now=now)
    elif step.action == "amend":
        services.application_request_amendment(
            actor=examiner,
            application=application,
            defects=[services.Defect(field=f, message=m) for f, m in step.defects],
            now=now,
        )
    elif step.action == "publicise":
        services.application_start_publicity(actor=examiner, application=application, now=now)
    elif step.action == "reject":
        services.application_reject(
            actor=examiner,
            application=application,
            grounds=list(step.grounds),
            reasoning=step.text,
            now=now,
        )
    elif step.action == "resolve":
        services.objection_resolve(
            actor=examiner,
            objection=application.objections.get(status=ObjectionStatus.OPEN),
            outcome=ObjectionOutcome.NOT_ESTABLISHED,
            proof_kind=ProofKind.NONE,
            resolution=step.text,
            now=now,
        )
    else:
        raise ValueError(f"unknown action {step.action!r}")


@dataclass(frozen=True)
class DemoApplication:
    """One line of the demo's summary."""

    number: str  # empty for a draft
    status: Status
    data_name: str
    registrant: str


@dataclass(frozen=True)
class DemoReport:
    loaded: bool  # False: the demo was there already and nothing changed
    applications: list[DemoApplication] = field(default_factory=list)
    #: When loaded: the timeline's last step, and how far back it was moved (see timeline_shift).
    history_end: datetime.datetime | None = None
    shift: datetime.timedelta = datetime.timedelta(0)


def _usernames_taken() -> list[str]:
    """The demo's user names that exist already (user names are unique regardless of case)."""
    names = [login.username for login in LOGINS]
    query = Q()
    for name in names:
        query |= Q(username__iexact=name)
    taken = {u.lower() for u in User.objects.filter(query).values_list("username", flat=True)}
    return [name for name in names if name.lower() in taken]


def demo_load(*, evidence_dir: Path) -> DemoReport:
    """Load the demo registry; do nothing when its accounts exist already.

    ``evidence_dir``: where each dataset's files and manifest are written (kept, so that
    ``dataip verify`` can check them). The timeline is moved back to end before now (see
    :func:`timeline_shift`). Raises :class:`DemoConflict` when only some of the demo's user
    names are taken, and the services' errors (say, a year of the calendar that is missing).
    """
    taken = _usernames_taken()
    if len(taken) == len(LOGINS):
        return DemoReport(loaded=False, applications=demo_applications())
    if taken:
        raise DemoConflict(taken)
    now = timezone.now()
    evidence_dir.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        shift = timeline_shift(now=now)
        datasets = _shifted(APPLICATIONS, shift)
        world = _accounts_create()
        drafts = [(dataset, _draft_fill(dataset, world, evidence_dir)[0]) for dataset in datasets]
        _timeline_run(drafts, world)
        for dataset, application in drafts:
            application.refresh_from_db()
            if application.status != dataset.expect:
                raise RuntimeError(
                    f"demo {dataset.slug}: {application.status}, expected {dataset.expect}"
                )
    # The services integrate after commit; inside an outer transaction (tests) nothing would be.
    log_publish()
    return DemoReport(
        loaded=True,
        applications=demo_applications(),
        history_end=TIMELINE_END - shift,
        shift=shift,
    )


def _timeline(
    datasets: Sequence[DemoDataset],
) -> list[tuple[datetime.datetime, int, Step | None]]:
    """Every step of every dataset (its index) in time order, a nightly run (None) between."""
    steps = sorted(
        (
            (step.at, index, step)
            for index, dataset in enumerate(datasets)
            for step in dataset.story
        ),
        key=lambda item: (item[0], item[1]),
    )
    if not steps:
        return []
    day = steps[0][0].date() + datetime.timedelta(days=1)
    last = steps[-1][0].date()
    events: list[tuple[datetime.datetime, int, Step | None]] = list(steps)
    while day <= last:
        events.append((datetime.datetime.combine(day, TICK_TIME, tzinfo=SHANGHAI), -1, None))
        day += datetime.timedelta(days=1)
    return sorted(events, key=lambda item: (item[0], item[1]))


def _timeline_run(drafts: Sequence[tuple[DemoDataset, Application]], world: _World) -> None:
    """Every step of every application in time order, the scheduler run each night between."""
    for at, index, step in _timeline([dataset for dataset, _ in drafts]):
        if step is None:
            services.registry_tick(now=at)
            continue
        dataset, application = drafts[index]
        _perform(step, application, dataset, world)


# --- when the timeline happens ----------------------------------------------------------------

#: The last step of the timeline as written (the objection filed on the first day of publicity).
TIMELINE_END = max(step.at for dataset in APPLICATIONS for step in dataset.story)

#: The workflow's action for each kind of step.
_STEP_ACTIONS = {
    "submit": Action.SUBMIT,
    "withdraw": Action.WITHDRAW,
    "review": Action.START_REVIEW,
    "amend": Action.REQUEST_AMENDMENT,
    "resubmit": Action.RESUBMIT,
    "publicise": Action.START_PUBLICITY,
    "reject": Action.REJECT,
    "object": Action.FILE_OBJECTION,
    "resolve": Action.RESOLVE_OBJECTION,
}


def _shifted(datasets: Sequence[DemoDataset], shift: datetime.timedelta) -> list[DemoDataset]:
    return [replace(d, story=tuple(replace(s, at=s.at - shift) for s in d.story)) for d in datasets]


@dataclass
class _Foreseen:
    """An application as the timeline will leave it: its state, deadlines, an open objection."""

    status: Status = Status.DRAFT
    amendment_due: datetime.date | None = None
    publicity_ends: datetime.date | None = None
    held: bool = False


def _foresee(
    datasets: Sequence[DemoDataset], *, publicity_days: int, amendment_days: int
) -> tuple[list[_Foreseen], list[str]]:
    """Play the timeline out on paper with the calendar's deadlines: the final states, and why
    replaying it would not give each dataset its expected state (empty: it would).

    The deadlines are those the services compute (``add_working_days`` from the day of the
    request or of the start of publicity); the nightly run follows ``services.registry_tick``,
    a resolution after the publicity ``services.objection_resolve``.
    """
    states = [_Foreseen() for _ in datasets]
    problems: list[str] = []
    for at, index, step in _timeline(datasets):
        day = timezone.localdate(at)
        if step is None:
            for state in states:
                _night(state, day)
            continue
        problem = _foresee_step(
            states[index],
            step,
            day,
            publicity_days=publicity_days,
            amendment_days=amendment_days,
        )
        if problem:
            problems.append(f"{datasets[index].slug}: {problem}")
    problems += [
        f"{dataset.slug}: {state.status}, expected {dataset.expect}"
        for dataset, state in zip(datasets, states, strict=True)
        if state.status != dataset.expect
    ]
    return states, problems


def _night(state: _Foreseen, day: datetime.date) -> None:
    """The scheduler's run on ``day``: deemed withdrawn, or registered, once a period is over."""
    due, ends = state.amendment_due, state.publicity_ends
    if state.status == Status.AMENDMENT_REQUESTED and due is not None and due < day:
        state.status = Status.DEEMED_WITHDRAWN
    elif state.status == Status.PUBLICITY and ends is not None and ends < day and not state.held:
        state.status = Status.REGISTERED


def _foresee_step(
    state: _Foreseen, step: Step, day: datetime.date, *, publicity_days: int, amendment_days: int
) -> str:
    """Apply ``step`` to ``state``; what would fail when it is replayed (empty: nothing)."""
    rule = TRANSITIONS[_STEP_ACTIONS[step.action]]
    if state.status not in rule.sources:
        return f"{step.action} on {day} finds it {state.status}"
    state.status = rule.target or state.status
    problem = ""
    if step.action == "amend":
        state.amendment_due = add_working_days(start=day, days=amendment_days)
    elif step.action == "resubmit":
        if state.amendment_due is not None and day > state.amendment_due:
            problem = f"resubmitted on {day}, due {state.amendment_due}"
        state.amendment_due = None
    elif step.action == "publicise":
        state.publicity_ends = add_working_days(start=day, days=publicity_days)
    elif step.action in {"object", "resolve"} and state.publicity_ends is not None:
        over = day > state.publicity_ends
        if step.action == "object" and over:
            problem = f"objection on {day}, publicity ended {state.publicity_ends}"
        state.held = step.action == "object"
        if step.action == "resolve" and over:
            state.status = Status.REGISTERED
    return problem


def _open_until(states: Sequence[_Foreseen]) -> datetime.date | None:
    """The earliest deadline of an application left waiting on one (amendment, publicity)."""
    deadlines = [
        s.amendment_due if s.status == Status.AMENDMENT_REQUESTED else s.publicity_ends
        for s in states
        if s.status in {Status.AMENDMENT_REQUESTED, Status.PUBLICITY}
    ]
    return min((d for d in deadlines if d is not None), default=None)


def timeline_shift(*, now: datetime.datetime) -> datetime.timedelta:
    """How far back the timeline is moved for a load at ``now``: whole weeks, none after its end.

    The least number of weeks that puts :data:`TIMELINE_END` at or before ``now`` is tried
    first, then up to :data:`SHIFT_WEEKS_TRIED` - 1 more, each played out with the working-day
    calendar's deadlines (:func:`_foresee`). The first that gives every application its expected
    state and leaves the open applications' deadlines on or after the day of ``now`` is taken;
    failing that (an adjusted working day, 调休, shortening a period), the first that gives every
    application its state. Raises ``RuntimeError`` when none does, and ``CalendarUnknown`` when
    a year the timeline moves into is not in the calendar.
    """
    if now >= TIMELINE_END:
        return datetime.timedelta(0)
    least = -((now - TIMELINE_END) // WEEK)
    jurisdiction = services.default_jurisdiction()
    today = timezone.localdate(now)
    fallback: datetime.timedelta | None = None
    problems: list[str] = []
    for weeks in range(least, least + SHIFT_WEEKS_TRIED):
        shift = weeks * WEEK
        states, problems = _foresee(
            _shifted(APPLICATIONS, shift),
            publicity_days=jurisdiction.publicity_days,
            amendment_days=jurisdiction.amendment_days,
        )
        if problems:
            continue
        open_until = _open_until(states)
        if open_until is None or open_until >= today:
            return shift
        if fallback is None:
            fallback = shift
    if fallback is None:
        raise RuntimeError(
            f"demo: no shift of {least} to {least + SHIFT_WEEKS_TRIED - 1} weeks works out "
            f"for a load at {now.isoformat()}: {'; '.join(problems)}"
        )
    return fallback


def demo_applications() -> list[DemoApplication]:
    """The demo's applications as they are now, in the demo's order."""
    ids = [r.id_number for r in _REGISTRANTS.values()]
    rows = Application.objects.filter(registrant__id_number__in=ids).select_related("registrant")
    order = {(d.registrant, str(d.fields["data_name"])): n for n, d in enumerate(APPLICATIONS)}
    keys = {r.id_number: r.key for r in _REGISTRANTS.values()}
    found = [
        (
            order.get((keys[a.registrant.id_number], a.data_name), len(order)),
            DemoApplication(
                number=a.application_number or "",
                status=Status(a.status),
                data_name=a.data_name,
                registrant=a.registrant.name,
            ),
        )
        for a in rows
    ]
    return [line for _, line in sorted(found, key=lambda item: (item[0], item[1].number))]
