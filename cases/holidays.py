"""State Council holiday arrangements (国务院办公厅关于部分节假日安排的通知), seeded by a data
migration. Admins edit the HolidayCalendar table when a new year's notice is published.

2025 and 2026 are the published arrangements (holidays and 调休 make-up working days).
2027: the State Council notice was not available when this table was written, so only the
statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision: 元旦1, 春节4, 清明1,
劳动节2, 端午1, 中秋1, 国庆3 days) are listed, on their 2027 dates; add the bridging days
and make-up working days in the admin when the notice is out (docs/deadlines.md).
"""

from __future__ import annotations

import datetime as dt

HOLIDAY, WORKDAY = "holiday", "workday"


def _span(name: str, first: str, last: str) -> list[tuple[str, str, str]]:
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return [((start + dt.timedelta(days=i)).isoformat(), HOLIDAY, name) for i in range((end - start).days + 1)]


def _work(name: str, *days: str) -> list[tuple[str, str, str]]:
    return [(day, WORKDAY, f"{name}调休上班") for day in days]


CALENDAR: list[tuple[str, str, str]] = [
    # 2025 (国办发明电〔2024〕12号)
    *_span("元旦", "2025-01-01", "2025-01-01"),
    *_span("春节", "2025-01-28", "2025-02-04"),
    *_work("春节", "2025-01-26", "2025-02-08"),
    *_span("清明节", "2025-04-04", "2025-04-06"),
    *_span("劳动节", "2025-05-01", "2025-05-05"),
    *_work("劳动节", "2025-04-27"),
    *_span("端午节", "2025-05-31", "2025-06-02"),
    *_span("国庆节、中秋节", "2025-10-01", "2025-10-08"),
    *_work("国庆节", "2025-09-28", "2025-10-11"),
    # 2026 (国办发明电〔2025〕7号)
    *_span("元旦", "2026-01-01", "2026-01-03"),
    *_work("元旦", "2026-01-04"),
    *_span("春节", "2026-02-15", "2026-02-23"),
    *_work("春节", "2026-02-14", "2026-02-28"),
    *_span("清明节", "2026-04-04", "2026-04-06"),
    *_span("劳动节", "2026-05-01", "2026-05-05"),
    *_work("劳动节", "2026-05-09"),
    *_span("端午节", "2026-06-19", "2026-06-21"),
    *_span("中秋节", "2026-09-25", "2026-09-27"),
    *_span("国庆节", "2026-10-01", "2026-10-07"),
    *_work("国庆节", "2026-09-20", "2026-10-10"),
    # 2027: statutory holidays only (see the module docstring)
    *_span("元旦", "2027-01-01", "2027-01-01"),
    *_span("春节", "2027-02-05", "2027-02-08"),
    *_span("清明节", "2027-04-05", "2027-04-05"),
    *_span("劳动节", "2027-05-01", "2027-05-02"),
    *_span("端午节", "2027-06-09", "2027-06-09"),
    *_span("中秋节", "2027-09-15", "2027-09-15"),
    *_span("国庆节", "2027-10-01", "2027-10-03"),
]
