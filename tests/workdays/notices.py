"""The State Council's holiday notices, transcribed by hand from the notices themselves.

Golden data for the calendar: typed from the published text (国务院办公厅关于 20XX 年部分节假日
安排的通知, as printed by Xinhua / 中国政府网), not taken from the chinesecalendar package nor
from the code under test. Each entry is (first day off, last day off, adjusted working days).

- 2024: 国办发明电〔2023〕7号, 2023-10-25.
- 2025: 国办发明电〔2024〕12号, 2024-11-12 (the first under the holiday rules revised in
  November 2024: Spring Festival and Labour Day one day longer).
- 2026: published 2025-11-04.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

D = datetime.date


@dataclass(frozen=True)
class Festival:
    name: str
    first: datetime.date
    last: datetime.date
    #: The weekend days worked instead (调休上班).
    worked: tuple[datetime.date, ...] = ()

    def days_off(self) -> list[datetime.date]:
        n = (self.last - self.first).days + 1
        return [self.first + datetime.timedelta(days=i) for i in range(n)]


NOTICES: dict[int, list[Festival]] = {
    2024: [
        # 一、元旦：1月1日放假，与周末连休。
        Festival("元旦", D(2024, 1, 1), D(2024, 1, 1)),
        # 二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。
        Festival("春节", D(2024, 2, 10), D(2024, 2, 17), (D(2024, 2, 4), D(2024, 2, 18))),
        # 三、清明节：4月4日至6日放假调休，共3天。4月7日（星期日）上班。
        Festival("清明节", D(2024, 4, 4), D(2024, 4, 6), (D(2024, 4, 7),)),
        # 四、劳动节：5月1日至5日放假调休，共5天。4月28日（星期日）、5月11日（星期六）上班。
        Festival("劳动节", D(2024, 5, 1), D(2024, 5, 5), (D(2024, 4, 28), D(2024, 5, 11))),
        # 五、端午节：6月10日放假，与周末连休。
        Festival("端午节", D(2024, 6, 10), D(2024, 6, 10)),
        # 六、中秋节：9月15日至17日放假调休，共3天。9月14日（星期六）上班。
        Festival("中秋节", D(2024, 9, 15), D(2024, 9, 17), (D(2024, 9, 14),)),
        # 七、国庆节：10月1日至7日放假调休，共7天。9月29日（星期日）、10月12日（星期六）上班。
        Festival("国庆节", D(2024, 10, 1), D(2024, 10, 7), (D(2024, 9, 29), D(2024, 10, 12))),
    ],
    2025: [
        # 一、元旦：1月1日（周三）放假1天，不调休。
        Festival("元旦", D(2025, 1, 1), D(2025, 1, 1)),
        # 二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。
        #     1月26日（周日）、2月8日（周六）上班。
        Festival("春节", D(2025, 1, 28), D(2025, 2, 4), (D(2025, 1, 26), D(2025, 2, 8))),
        # 三、清明节：4月4日（周五）至6日（周日）放假，共3天。
        Festival("清明节", D(2025, 4, 4), D(2025, 4, 6)),
        # 四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
        Festival("劳动节", D(2025, 5, 1), D(2025, 5, 5), (D(2025, 4, 27),)),
        # 五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
        Festival("端午节", D(2025, 5, 31), D(2025, 6, 2)),
        # 六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。
        #     9月28日（周日）、10月11日（周六）上班。
        Festival(
            "国庆节、中秋节", D(2025, 10, 1), D(2025, 10, 8), (D(2025, 9, 28), D(2025, 10, 11))
        ),
    ],
    2026: [
        # 一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
        Festival("元旦", D(2026, 1, 1), D(2026, 1, 3), (D(2026, 1, 4),)),
        # 二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。
        #     2月14日（周六）、2月28日（周六）上班。
        Festival("春节", D(2026, 2, 15), D(2026, 2, 23), (D(2026, 2, 14), D(2026, 2, 28))),
        # 三、清明节：4月4日（周六）至6日（周一）放假，共3天。
        Festival("清明节", D(2026, 4, 4), D(2026, 4, 6)),
        # 四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
        Festival("劳动节", D(2026, 5, 1), D(2026, 5, 5), (D(2026, 5, 9),)),
        # 五、端午节：6月19日（周五）至21日（周日）放假，共3天。
        Festival("端午节", D(2026, 6, 19), D(2026, 6, 21)),
        # 六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
        Festival("中秋节", D(2026, 9, 25), D(2026, 9, 27)),
        # 七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。
        #     9月20日（周日）、10月10日（周六）上班。
        Festival("国庆节", D(2026, 10, 1), D(2026, 10, 7), (D(2026, 9, 20), D(2026, 10, 10))),
    ],
}


def notice_working_day(day: datetime.date) -> bool:
    """The notice's answer, computed here from the transcription alone."""
    festivals = NOTICES[day.year]
    if any(day in f.days_off() for f in festivals):
        return False
    if any(day in f.worked for f in festivals):
        return True
    return day.weekday() < 5
