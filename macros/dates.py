"""The contract's date: a subset of EDTF (ISO 8601-2) that keeps its precision.

`YYYY`, `YYYY-MM` or `YYYY-MM-DD`, optionally followed by `?` (uncertain),
`~` (approximate) or `%` (both). The `edtf` package parses a far larger
language and accepts days that do not exist (2018-02-29), so the subset is
checked here against the standard library's calendar instead.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema

PATTERN = r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([?~%])?$"
_DATE = re.compile(PATTERN)

QUALIFIERS = {"": "", "?": "uncertain", "~": "approximate", "%": "uncertain and approximate"}


@dataclass(frozen=True, slots=True)
class ChronicleDate:
    year: int
    month: int | None = None
    day: int | None = None
    qualifier: str = ""

    @classmethod
    def parse(cls, value: Any) -> ChronicleDate:
        """Read a date as written, or as YAML typed it (a `date` or a bare year)."""
        if isinstance(value, ChronicleDate):
            return value
        if isinstance(value, datetime.datetime):
            raise ValueError("a date has no time of day: write YYYY-MM-DD")
        if isinstance(value, datetime.date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValueError(f"a date is a string like 2018-06-15, 2018-06 or 2018, not {value!r}")
        text = str(value).strip()
        match = _DATE.match(text)
        if not match:
            raise ValueError(
                f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD, "
                "optionally followed by ? (uncertain), ~ (approximate) or % (both)"
            )
        year, month, day, qualifier = match.groups()
        date = cls(int(year), int(month) if month else None, int(day) if day else None, qualifier or "")
        date._check_calendar(text)
        return date

    def _check_calendar(self, text: str) -> None:
        # Four digits keep a year below 10000; the calendar (and every date the pages print) starts at year 1.
        if not datetime.MINYEAR <= self.year <= datetime.MAXYEAR:
            raise ValueError(
                f"{text!r} is not a date: there is no year {self.year} (years run from "
                f"{datetime.MINYEAR} to {datetime.MAXYEAR})"
            )
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"{text!r} is not a date: there is no month {self.month}")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise ValueError(
                    f"{text!r} is not a date: {calendar.month_name[self.month]} {self.year} has {last} days"
                )

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def uncertain(self) -> bool:
        return self.qualifier in ("?", "%")

    @property
    def approximate(self) -> bool:
        return self.qualifier in ("~", "%")

    @property
    def sort_key(self) -> tuple[int, int, int]:
        # The earliest day the date can mean; a missing part sorts as 0 so that
        # "2018" comes before "2018-01" and that before "2018-01-01".
        return (self.year, self.month or 0, self.day or 0)

    @property
    def earliest(self) -> datetime.date:
        return datetime.date(self.year, self.month or 1, self.day or 1)

    def __lt__(self, other: ChronicleDate) -> bool:
        return self.sort_key < other.sort_key

    def __le__(self, other: ChronicleDate) -> bool:
        return self.sort_key <= other.sort_key

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
        if self.day:
            text += f"-{self.day:02d}"
        return text + self.qualifier

    def display(self) -> str:
        """Human form that keeps the precision and never invents a day or month."""
        if self.day:
            text = f"{self.day} {calendar.month_name[self.month]} {self.year}"
        elif self.month:
            text = f"{calendar.month_name[self.month]} {self.year}"
        else:
            text = str(self.year)
        if self.approximate:
            text = f"c. {text}"
        if self.uncertain:
            text = f"{text} (uncertain)"
        return text

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler):
        return core_schema.no_info_plain_validator_function(
            cls.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: GetJsonSchemaHandler):
        return {
            "anyOf": [
                {"type": "string", "pattern": PATTERN},
                {"type": "integer", "minimum": datetime.MINYEAR, "maximum": datetime.MAXYEAR},
            ],
            "description": "EDTF subset: YYYY, YYYY-MM or YYYY-MM-DD, optionally followed by ?, ~ or %",
            "examples": ["1933-11-16", "2018-06", "2017~", "2024?"],
        }
