"""The military date-time group (DTG): ``DDHHMMZ MON YY`` in UTC, e.g. ``261430Z NOV 26``."""

from __future__ import annotations

import datetime as dt

from humansec.errors import SchemaError

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def format_dtg(moment: dt.datetime) -> str:
    """Return ``moment`` as a date-time group in Zulu (UTC) time.

    ``moment`` must carry a time zone; it is converted to UTC first, so the day, month and
    year may change.

    >>> format_dtg(dt.datetime(2026, 11, 26, 14, 30, tzinfo=dt.UTC))
    '261430Z NOV 26'
    >>> format_dtg(dt.datetime(2027, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))))
    '312330Z DEC 26'
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        msg = (
            f"The date-time group needs a time zone; {moment.isoformat()} has none. "
            "Pass an aware datetime, e.g. datetime.now(datetime.UTC)."
        )
        raise SchemaError(msg)
    utc = moment.astimezone(dt.UTC)
    return f"{utc:%d%H%M}Z {_MONTHS[utc.month - 1]} {utc:%y}"


def now_dtg() -> str:
    """The date-time group of now."""
    return format_dtg(dt.datetime.now(dt.UTC))
