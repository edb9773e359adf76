from __future__ import annotations

import datetime as dt

import pytest

from humansec.errors import SchemaError
from humansec.export.dtg import format_dtg


def at(*parts: int, hours: float = 0) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.timezone(dt.timedelta(hours=hours)))  # type: ignore[misc]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 11, 26, 14, 30), "261430Z NOV 26"),
        (at(2026, 1, 5, 0, 0), "050000Z JAN 26"),
        (at(2026, 12, 31, 23, 59), "312359Z DEC 26"),
        # local time across midnight, a month end and a year end: the DTG is Zulu
        (at(2027, 1, 1, 0, 30, hours=1), "312330Z DEC 26"),
        (at(2026, 12, 31, 22, 15, hours=-3), "010115Z JAN 27"),
        (at(2026, 3, 1, 1, 10, hours=2), "282310Z FEB 26"),
        (at(2028, 3, 1, 0, 5, hours=1), "292305Z FEB 28"),  # leap year
        (at(2099, 12, 31, 23, 0), "312300Z DEC 99"),
        (at(2100, 1, 1, 0, 0), "010000Z JAN 00"),
    ],
)
def test_dtg_is_zulu_day_hour_minute_month_year(moment: dt.datetime, expected: str) -> None:
    assert format_dtg(moment) == expected


def test_dtg_refuses_a_naive_time() -> None:
    with pytest.raises(SchemaError, match="time zone"):
        format_dtg(dt.datetime(2026, 11, 26, 14, 30))
