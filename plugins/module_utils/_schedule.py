# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

A Task Manager schedule in the user's words <-> the ``%SYS.Task`` schedule properties.
Pure (no IRIS, no Ansible imports beyond the error type); the argspec twin of the
``iris_devtools.iris._schedule`` doc fragment (``schedule_argument_spec()``).

User vocabulary (the canonical form ``normalise()`` returns and ``from_properties()`` parses back)::

    {"period": "on_demand"}
    {"period": "daily"|"weekly"|"monthly", "interval": N,
     "days": ["monday", ...]            (weekly only)
     "day_of_month": D                  (monthly only)
     "at": "HH:MM"                      (once a day)  OR
     "every_minutes"|"every_hours": N, "start": "HH:MM", "end": "HH:MM"   (several times a day;
                          end "23:59:59" when not given; None only when read back from an empty DailyEndTime)
     "start_date": "YYYY-MM-DD"|None, "end_date": "YYYY-MM-DD"|None}

Encodings (iris-sources.md §1.2; the tags are the document's):

* ``TimePeriod``: 0 daily, 1 weekly (code-live S11, S12), 2 monthly ([inf] S12 lists the order
  "daily, weekly, monthly, monthly-special, run-after, on-demand"), 5 on demand (code-live S12, S37).
  3 (monthly-special) and 4 (run after another task) have no user vocabulary here; they are parsed
  back as ``{"period": "other", "time_period": n}`` so a diff shows them and a wanted schedule
  replaces them.
* ``TimePeriodEvery``: every N days/weeks/months (code-live S11, S12); the property description gives the ranges
  daily 1-7, weekly 1-5, monthly 1-12, and ^TASKMGR asks for exactly those (audit B8: OCU quoting the property
  description; VSRC TASKMGR.int:148/151/158 NUMOPTION ranges).  ``INTERVAL_MAX``.
* ``TimePeriodDay``: weekly = weekday digits with Sunday = 1 (code-live S11); several weekdays as one
  digit string such as ``"246"`` is [inf]; monthly = the day of the month ([inf] S11).
* ``DailyFrequency``: 0 once a day, 1 several times a day (code-live S11, S12).
* ``DailyFrequencyTime``: unit of ``DailyIncrement``: 0 minutes (doc S4 defaults, code-live S12),
  1 hours ([inf]; S37 shows the display value "Hourly").
* ``DailyIncrement``: the count of minutes/hours, empty when once a day (doc S4, code-live S12).
* ``DailyStartTime`` / ``DailyEndTime``: seconds after midnight (code-live S11, S12).  Several times a day without
  an ``end``: the module writes ``DailyEndTime`` = 86399 (23:59:59) explicitly, as public code does (audit B14:
  Argus uses 86399); what IRIS does with an empty end is not sourced (TSUPER: ``InitialExpression = 0``).  A task
  with an empty end (written by an earlier version of this module) reads back as ``end: None``, which differs from
  the wanted ``"23:59:59"``, so the next run rewrites it (converges).
* ``StartDate`` / ``EndDate``: ``$HOROLOG`` day numbers (code-live S12 / code S37).  ``$HOROLOG``
  counts days from 31 December 1840 (day 0) [doc RCOS_vhorolog].
"""

from __future__ import annotations

import datetime
import re

from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import int_or_none

PERIODS = ("daily", "weekly", "monthly", "on_demand")
# iris-sources.md §1.2 TimePeriod: 0/1 code-live S11, 5 code-live S12/S37, 2 [inf] (S12's order of names).
TIME_PERIOD = {"daily": 0, "weekly": 1, "monthly": 2, "on_demand": 5}
TIME_PERIOD_NAMES = dict((number, name) for name, number in TIME_PERIOD.items())
# iris-sources.md §1.2 TimePeriodDay (weekly): Sunday = 1 (code-live S11); Monday = 2 ... Saturday = 7 follow [inf].
WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
WEEKDAY_DIGIT = dict((day, str(index + 1)) for index, day in enumerate(WEEKDAYS))
DIGIT_WEEKDAY = dict((digit, day) for day, digit in WEEKDAY_DIGIT.items())
# Canonical order of days in the user vocabulary: Monday first (ISO 8601), so diffs read naturally.
DAY_ORDER = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_ALIASES = dict([(day, day) for day in WEEKDAYS] + [(day[:3], day) for day in WEEKDAYS])
# iris-sources.md §1.2 DailyFrequencyTime: 0 minutes (doc S4), 1 hours [inf].
UNIT_MINUTES = 0
# TimePeriodEvery per period: "every x days, 1-7" / "every x weeks, 1-5" / "every x months, 1-12" (audit B8: OCU quoting
# the property description; VSRC TASKMGR.int:148/151/158 NUMOPTION ranges).
INTERVAL_MAX = {"daily": 7, "weekly": 5, "monthly": 12}
_INTERVAL_UNIT = {"daily": "days", "weekly": "weeks", "monthly": "months"}
# Several times a day without an end: 23:59:59, the last second of the day (audit B14: Argus code writes 86399).
DEFAULT_END = 86399
UNIT_HOURS = 1
# $HOROLOG day 0 is 31 December 1840 [doc RCOS_vhorolog]; iris-sources.md §1.2 StartDate (S12).
HOROLOG_EPOCH = datetime.date(1840, 12, 31)
SECONDS_PER_DAY = 86400

SUBOPTIONS = ("period", "interval", "days", "day_of_month", "at", "every_minutes", "every_hours", "start", "end",
              "start_date", "end_date")
# The %SYS.Task properties this module writes and reads (iris-sources.md §1.2).
PROPERTIES = ("TimePeriod", "TimePeriodEvery", "TimePeriodDay", "DailyFrequency", "DailyFrequencyTime",
              "DailyIncrement", "DailyStartTime", "DailyEndTime", "StartDate", "EndDate")

# The shapes accepted (ASCII digits); the values are checked by datetime's ISO parsers, whose other forms (accepted
# from Python 3.11 on, such as 0830 or 2026W011) stay refused so that every Python the module runs on agrees.
_TIME = re.compile(r"^(\d{1,2}):\d{2}(?::\d{2})?$", re.ASCII)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_HINT = "see the schedule option in the module documentation (ansible-doc iris_devtools.iris.iris_task)"


def schedule_argument_spec():
    """The argspec of the ``schedule`` option (twin of the ``iris_devtools.iris._schedule`` fragment)."""
    return dict(
        type="dict",
        options=dict(
            period=dict(type="str", choices=list(PERIODS), required=True),
            interval=dict(type="int"),
            days=dict(type="list", elements="str"),
            day_of_month=dict(type="int"),
            at=dict(type="str"),
            every_minutes=dict(type="int"),
            every_hours=dict(type="int"),
            start=dict(type="str"),
            end=dict(type="str"),
            start_date=dict(type="str"),
            end_date=dict(type="str"),
        ),
        # The argspec says what it can; normalise checks the rest (with hints the argspec's messages cannot give).
        mutually_exclusive=[("every_minutes", "every_hours")],
    )


def _fail(msg, hint=_HINT):
    raise IrisModuleError("Invalid schedule: %s." % msg, hint=hint)


# -- times and dates ------------------------------------------------------------------------------

def parse_time(text, option):
    """``"HH:MM"`` or ``"HH:MM:SS"`` -> seconds after midnight."""
    if isinstance(text, bool) or text is None:
        _fail("%s must be a time 'HH:MM', got %r" % (option, text))
    value = str(text).strip()
    if value.isdigit():
        # YAML 1.1 (what Ansible reads) turns an unquoted H:MM / HH:MM whose first digit is not 0 into a base-60
        # integer: 12:30 -> 750, 8:00 -> 480 (02:30 stays a string: a leading 0 does not match the sexagesimal form).
        # The argspec's type=str then hands over the digits.  Name the time the user most likely wrote.
        _fail("%s is the number %s, not a time; YAML reads an unquoted time such as 12:30 as a base-60 number (12:30 "
              "becomes 750)" % (option, value), hint="quote the time: %s: '%s'" % (option, _sexagesimal(int(value))))
    match = _TIME.match(value)
    if not match:
        _fail("%s must be a time 'HH:MM' (24-hour clock), got %r" % (option, value))
    try:
        # fromisoformat wants two hour digits (H:MM is accepted here too).
        moment = datetime.time.fromisoformat(value if len(match.group(1)) == 2 else "0" + value)
    except ValueError:
        _fail("%s %r is not a time of day (00:00 to 23:59)" % (option, value))
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _sexagesimal(number):
    """The unquoted time YAML 1.1 read as ``number`` (750 -> "12:30", 3723 -> "1:02:03"); "HH:MM" if none fits."""
    if number // 60 <= 23:
        return "%d:%02d" % (number // 60, number % 60)
    if number // 3600 <= 23:
        return "%d:%02d:%02d" % (number // 3600, number % 3600 // 60, number % 60)
    return "HH:MM"


def format_time(seconds):
    """Seconds after midnight -> ``"HH:MM"`` (``"HH:MM:SS"`` when the seconds are not zero)."""
    seconds = int(seconds)
    text = "%02d:%02d" % (seconds // 3600, seconds % 3600 // 60)
    if seconds % 60:
        text += ":%02d" % (seconds % 60)
    return text


def parse_date(text, option):
    """``"YYYY-MM-DD"`` (or a date object) -> ``datetime.date``."""
    if isinstance(text, datetime.datetime):
        return text.date()
    if isinstance(text, datetime.date):
        return text
    value = str(text).strip()
    if not _DATE.match(value):
        _fail("%s must be a date 'YYYY-MM-DD', got %r" % (option, value))
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        _fail("%s %r is not a calendar date" % (option, value))


def to_horolog(day):
    """``datetime.date`` -> ``$HOROLOG`` day number (iris-sources.md §1.2 StartDate, S12)."""
    return (day - HOROLOG_EPOCH).days


def from_horolog(number):
    """``$HOROLOG`` day number -> ``"YYYY-MM-DD"``."""
    return (HOROLOG_EPOCH + datetime.timedelta(days=int(number))).isoformat()


# -- user vocabulary -> canonical form --------------------------------------------------------------

def _positive_int(spec, key, maximum=None):
    value = spec.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError:
            _fail("%s must be a whole number, got %r" % (key, spec.get(key)))
    if value < 1 or (maximum is not None and value > maximum):
        _fail("%s must be between 1 and %s, got %s" % (key, maximum or "any number", value))
    return value


def _interval(spec, period):
    """TimePeriodEvery within the Task Manager's range for ``period`` (audit B8; INTERVAL_MAX)."""
    value = _positive_int(spec, "interval")
    maximum = INTERVAL_MAX[period]
    if value > maximum:
        unit = _INTERVAL_UNIT[period]
        _fail("interval %s is more than the Task Manager allows for period %s: every 1 to %d %s" % (value, period, maximum, unit),
              hint="use an interval from 1 to %d with period %s%s" % (
                  maximum, period, {"daily": " (or period weekly for a gap of weeks)",
                                    "weekly": " (or period monthly for a gap of months)",
                                    "monthly": ""}[period]))
    return value


def _days(values):
    if isinstance(values, str):
        values = [part for part in re.split(r"[\s,]+", values) if part]
    if not isinstance(values, (list, tuple)) or not values:
        _fail("days must be a non-empty list of weekday names (monday ... sunday)")
    days = set()
    for value in values:
        day = _DAY_ALIASES.get(str(value).strip().lower())
        if day is None:
            _fail("days: %r is not a weekday; use monday, tuesday, wednesday, thursday, friday, saturday, sunday "
                  "(or mon ... sun)" % (value,))
        days.add(day)
    return [day for day in DAY_ORDER if day in days]


def _given(spec, key):
    return spec.get(key) is not None


def normalise(spec):
    """Validate a user schedule and return its canonical form (see the module docstring).

    ``start_date`` None means "not managed" (IRIS sets the day the task is saved, S12); ``end_date``
    None means "no end date".  Raises IrisModuleError with what is wrong and how to fix it.
    """
    if spec is None:
        return None
    if not isinstance(spec, dict):
        _fail("schedule must be a dictionary")
    unknown = sorted(key for key in spec if key not in SUBOPTIONS)
    if unknown:
        _fail("unknown keys %s; known keys are %s" % (", ".join(unknown), ", ".join(SUBOPTIONS)))
    period = spec.get("period")
    if period not in PERIODS:
        _fail("period must be one of %s, got %r" % (", ".join(PERIODS), period))
    given = [key for key in SUBOPTIONS if key != "period" and _given(spec, key)]
    if period == "on_demand":
        if given:
            _fail("period on_demand runs only when started (run_now); it takes no %s" % ", ".join(given))
        return {"period": "on_demand"}

    out = {"period": period, "interval": _interval(spec, period) if _given(spec, "interval") else 1}
    if period == "weekly":
        if not _given(spec, "days"):
            _fail("period weekly needs days (for example days: [monday, thursday])")
        out["days"] = _days(spec["days"])
    elif _given(spec, "days"):
        _fail("days only go with period weekly (period is %s)" % period)
    if period == "monthly":
        if not _given(spec, "day_of_month"):
            _fail("period monthly needs day_of_month (1-31)")
        out["day_of_month"] = _positive_int(spec, "day_of_month", 31)
    elif _given(spec, "day_of_month"):
        _fail("day_of_month only goes with period monthly (period is %s)" % period)

    # every_minutes and every_hours exclude each other: schedule_argument_spec's mutually_exclusive.
    several = [key for key in ("every_minutes", "every_hours") if _given(spec, key)]
    if several:
        if _given(spec, "at"):
            _fail("at (once a day) and %s (several times a day) exclude each other; use start/end for the "
                  "window of a task that runs several times a day" % several[0])
        key = several[0]
        out[key] = _positive_int(spec, key, 1439 if key == "every_minutes" else 23)
        start = parse_time(spec["start"], "start") if _given(spec, "start") else 0
        out["start"] = format_time(start)
        # No end given: 23:59:59 is written (DEFAULT_END, audit B14), and the canonical form says so.
        end = parse_time(spec["end"], "end") if _given(spec, "end") else DEFAULT_END
        if end <= start and not _given(spec, "end"):
            _fail("start (%s) leaves no time to run: without end, the runs stop at %s" % (format_time(start), format_time(end)),
                  hint="set start earlier than %s" % format_time(end))
        if end <= start:
            _fail("end (%s) must be later than start (%s)" % (format_time(end), format_time(start)))
        out["end"] = format_time(end)
    else:
        for key in ("start", "end"):
            if _given(spec, key):
                _fail("%s is the window of a task that runs several times a day; it needs every_minutes or "
                      "every_hours (use at for a task that runs once a day)" % key)
        out["at"] = format_time(parse_time(spec["at"], "at") if _given(spec, "at") else 0)

    start_date = parse_date(spec["start_date"], "start_date") if _given(spec, "start_date") else None
    end_date = parse_date(spec["end_date"], "end_date") if _given(spec, "end_date") else None
    if start_date and end_date and end_date < start_date:
        _fail("end_date (%s) is before start_date (%s)" % (end_date.isoformat(), start_date.isoformat()))
    out["start_date"] = start_date.isoformat() if start_date else None
    out["end_date"] = end_date.isoformat() if end_date else None
    return out


# -- canonical form <-> %SYS.Task properties -------------------------------------------------------------

def to_properties(schedule):
    """Canonical schedule -> ``{property: value}`` for ``%SYS.Task`` (iris-sources.md §1.2).

    ``StartDate`` is left out when ``start_date`` is None (not managed; IRIS sets it).  On demand
    writes only ``TimePeriod`` = 5 and neutral values for the rest.
    """
    props = dict(TimePeriod=TIME_PERIOD[schedule["period"]], TimePeriodEvery=1, TimePeriodDay="",
                 DailyFrequency=0, DailyFrequencyTime="", DailyIncrement="", DailyStartTime=0, DailyEndTime="",
                 EndDate="")
    if schedule["period"] == "on_demand":
        return props
    props["TimePeriodEvery"] = schedule["interval"]
    if schedule["period"] == "weekly":
        # Sunday = 1 (code-live S11); several days as one digit string, e.g. "246" [inf].
        props["TimePeriodDay"] = "".join(sorted(WEEKDAY_DIGIT[day] for day in schedule["days"]))
    elif schedule["period"] == "monthly":
        props["TimePeriodDay"] = schedule["day_of_month"]  # day of the month [inf] (S11)
    if schedule.get("at") is not None:
        props["DailyStartTime"] = parse_time(schedule["at"], "at")  # DailyFrequency 0 = once (S11)
    else:
        props["DailyFrequency"] = 1  # several times a day (S11, S12)
        if schedule.get("every_minutes") is not None:
            props["DailyFrequencyTime"], props["DailyIncrement"] = UNIT_MINUTES, schedule["every_minutes"]  # S4, S12
        else:
            props["DailyFrequencyTime"], props["DailyIncrement"] = UNIT_HOURS, schedule["every_hours"]  # 1 = hours [inf]
        props["DailyStartTime"] = parse_time(schedule["start"], "start")
        # Always an explicit end (audit B14): normalise gives every several-times-a-day schedule one (DEFAULT_END).
        props["DailyEndTime"] = parse_time(schedule["end"], "end")
    if schedule.get("start_date") is not None:
        props["StartDate"] = to_horolog(parse_date(schedule["start_date"], "start_date"))
    if schedule.get("end_date") is not None:
        props["EndDate"] = to_horolog(parse_date(schedule["end_date"], "end_date"))
    return props


def from_properties(props):
    """``%SYS.Task`` properties (as read) -> canonical schedule; the inverse of ``to_properties``."""
    period_number = int_or_none(props.get("TimePeriod"))
    period = TIME_PERIOD_NAMES.get(period_number or 0)
    if period is None:
        return {"period": "other", "time_period": period_number}
    if period == "on_demand":
        return {"period": "on_demand"}
    out = {"period": period, "interval": int_or_none(props.get("TimePeriodEvery")) or 1}
    day = "" if props.get("TimePeriodDay") is None else str(props.get("TimePeriodDay")).strip()
    if period == "weekly":
        out["days"] = [d for d in DAY_ORDER if WEEKDAY_DIGIT[d] in day]
    elif period == "monthly":
        out["day_of_month"] = int_or_none(day)
    start = int_or_none(props.get("DailyStartTime")) or 0
    if (int_or_none(props.get("DailyFrequency")) or 0) == 1:
        increment = int_or_none(props.get("DailyIncrement"))
        if (int_or_none(props.get("DailyFrequencyTime")) or 0) == UNIT_HOURS:
            out["every_hours"] = increment
        else:
            out["every_minutes"] = increment
        out["start"] = format_time(start)
        end = int_or_none(props.get("DailyEndTime"))
        out["end"] = format_time(end) if end is not None else None
    else:
        out["at"] = format_time(start)
    start_date = int_or_none(props.get("StartDate"))
    end_date = int_or_none(props.get("EndDate"))
    out["start_date"] = from_horolog(start_date) if start_date else None
    out["end_date"] = from_horolog(end_date) if end_date else None
    return out


def merge_unmanaged(desired, current_start_date):
    """The desired canonical schedule with ``start_date`` filled in when the user left it unmanaged.

    ``current_start_date`` is the task's StartDate as ``"YYYY-MM-DD"`` (or None): a schedule written
    without ``start_date`` leaves ``StartDate`` as it is (``to_properties``), so it stays that date.
    """
    if desired is None or "start_date" not in desired or desired["start_date"] is not None:
        return desired
    out = dict(desired)
    out["start_date"] = current_start_date
    return out
