"""Register rows keyed by the Chinese headers of IMPORT_FORMAT.md, written as CSV: the
import measure of `manage.py bench` and (with XLSX added) the import tests
(tests/reports/fixtures/registers.py) use this one generator."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Iterable, Sequence
from typing import Any

from stdnum.cn import ric, uscc

from reports.demo_data import gb11714_check_char

HEADERS = [
    "案号",
    "登记日期",
    "受理日期",
    "申请人",
    "申请人身份证号",
    "申请人电话",
    "涉及职工人数",
    "被申请人",
    "统一社会信用代码",
    "争议类型",
    "请求金额",
    "处理结果",
    "协议金额",
    "挽回金额",
    "结案日期",
    "案卷类型",
    "移送去向",
]


def resident_id(birth: dt.date, serial: int) -> str:
    """A valid ID number of someone born in Chaoyang (110105, a region code since 1980)."""
    body = f"110105{birth:%Y%m%d}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum drops the last character


def credit_code(serial: int) -> str:
    body = f"5{serial:07d}"
    first17 = "91110115" + body + gb11714_check_char(body)
    return first17 + uscc.calc_check_digit(first17)


def row(**values: Any) -> dict[str, Any]:
    """A valid settled-and-closed row; keyword arguments (Chinese headers) override."""
    base: dict[str, Any] = {
        "案号": "",
        "登记日期": "2018-03-05",
        "受理日期": "2018-03-06",
        "申请人": "王小明",
        "申请人身份证号": resident_id(dt.date(1990, 1, 1), 11),
        "申请人电话": "13800138000",
        "涉及职工人数": "1",
        "被申请人": "北京兴旺商贸有限公司",
        "统一社会信用代码": credit_code(1),
        "争议类型": "劳动报酬",
        "请求金额": "12000.50",
        "处理结果": "调解成功",
        "协议金额": "10000",
        "挽回金额": "10000",
        "结案日期": "2018-03-20",
        "案卷类型": "简易",
        "移送去向": "",
    }
    base.update(values)
    return base


def many_rows(count: int, seed: int = 8) -> list[dict[str, Any]]:
    """`count` distinct valid rows over 2016-2023 with every outcome."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data)
    outcomes = ["调解成功"] * 5 + ["调解不成"] * 2 + ["撤回", "不予受理", "调解中"]
    types = ["劳动报酬", "PAY", "解除终止劳动合同", "社会保险", "工伤", "TIM"]
    rows = []
    for index in range(count):
        received = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(2900))
        accepted = received + dt.timedelta(days=rng.randrange(4))
        closed = accepted + dt.timedelta(days=rng.randrange(1, 40))
        outcome = rng.choice(outcomes)
        agreed = rng.randrange(1000, 80000) if outcome == "调解成功" else None
        recovered = agreed if agreed and rng.random() < 0.8 else (agreed // 2 if agreed else None)
        collective = rng.random() < 0.05
        names = [f"申请人{index}甲", f"申请人{index}乙"] if collective else [f"申请人{index}"]
        rows.append(
            row(
                登记日期=received.isoformat(),
                受理日期="" if outcome == "不予受理" else accepted.isoformat(),
                申请人="、".join(names),
                申请人身份证号="、".join(
                    resident_id(dt.date(1960, 1, 1) + dt.timedelta(days=index // 400), (index % 400) * 2 + k)
                    for k in range(len(names))
                ),
                申请人电话="、".join(f"139{(index * 2 + k) % 100000000:08d}" for k in range(len(names))),
                涉及职工人数=str(len(names) + (10 if collective else 0)),
                被申请人=f"北京第{index % 700}号商贸有限公司",
                统一社会信用代码=credit_code(index % 700) if index % 3 else "",
                争议类型=rng.choice(types),
                请求金额=f"{rng.randrange(500, 200000)}.{rng.randrange(100):02d}",
                处理结果=outcome,
                协议金额="" if agreed is None else str(agreed),
                挽回金额="" if recovered is None else str(recovered),
                结案日期="" if outcome == "调解中" or rng.random() < 0.1 else closed.isoformat(),
                案卷类型=rng.choice(["实体", "简易", ""]),
                移送去向=rng.choice(["", "", "", "法院", "仲裁"]) if outcome in ("调解不成", "撤回") else "",
            )
        )
    return rows


def to_csv(rows: Iterable[dict[str, Any]], *, headers: Sequence[str] = HEADERS, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for values in rows:
        writer.writerow([values.get(h, "") for h in headers])
    return buffer.getvalue().encode(encoding)
