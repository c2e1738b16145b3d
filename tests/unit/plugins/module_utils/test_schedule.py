# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Schedule translation: user vocabulary -> canonical form -> %SYS.Task properties -> back (iris-sources.md §1.2)."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _schedule as s
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

H_2026_01_01 = (datetime.date(2026, 1, 1) - datetime.date(1840, 12, 31)).days  # 67571
NEUTRAL = dict(TimePeriodEvery=1, TimePeriodDay="", DailyFrequency=0, DailyFrequencyTime="", DailyIncrement="",
               DailyStartTime=0, DailyEndTime="", EndDate="")


def props(**kwargs):
    out = dict(NEUTRAL)
    out.update(kwargs)
    return out


# (user input, canonical form, properties written)
VALID = [
    ({"period": "on_demand"}, {"period": "on_demand"}, props(TimePeriod=5)),
    ({"period": "daily"},
     {"period": "daily", "interval": 1, "at": "00:00", "start_date": None, "end_date": None},
     props(TimePeriod=0)),
    ({"period": "daily", "interval": 3, "at": "02:30"},
     {"period": "daily", "interval": 3, "at": "02:30", "start_date": None, "end_date": None},
     props(TimePeriod=0, TimePeriodEvery=3, DailyStartTime=9000)),
    ({"period": "daily", "at": "7:05:09"},
     {"period": "daily", "interval": 1, "at": "07:05:09", "start_date": None, "end_date": None},
     props(TimePeriod=0, DailyStartTime=7 * 3600 + 5 * 60 + 9)),
    ({"period": "weekly", "days": ["Friday", "mon", "SUNDAY", "mon"], "at": "23:59"},
     {"period": "weekly", "interval": 1, "days": ["monday", "friday", "sunday"], "at": "23:59", "start_date": None,
      "end_date": None},
     props(TimePeriod=1, TimePeriodDay="126", DailyStartTime=86340)),
    ({"period": "weekly", "days": "tue, thu", "interval": 2},
     {"period": "weekly", "interval": 2, "days": ["tuesday", "thursday"], "at": "00:00", "start_date": None,
      "end_date": None},
     props(TimePeriod=1, TimePeriodEvery=2, TimePeriodDay="35")),
    ({"period": "monthly", "day_of_month": 31, "at": "01:00"},
     {"period": "monthly", "interval": 1, "day_of_month": 31, "at": "01:00", "start_date": None, "end_date": None},
     props(TimePeriod=2, TimePeriodDay=31, DailyStartTime=3600)),
    ({"period": "daily", "every_minutes": 45, "start": "08:00", "end": "18:30"},
     {"period": "daily", "interval": 1, "every_minutes": 45, "start": "08:00", "end": "18:30", "start_date": None,
      "end_date": None},
     props(TimePeriod=0, DailyFrequency=1, DailyFrequencyTime=0, DailyIncrement=45, DailyStartTime=28800,
           DailyEndTime=66600)),
    ({"period": "weekly", "days": ["saturday"], "every_hours": 2},
     {"period": "weekly", "interval": 1, "days": ["saturday"], "every_hours": 2, "start": "00:00", "end": "23:59:59",
      "start_date": None, "end_date": None},
     # audit B14: no end -> an explicit DailyEndTime 86399 (23:59:59), never ""
     props(TimePeriod=1, TimePeriodDay="7", DailyFrequency=1, DailyFrequencyTime=1, DailyIncrement=2, DailyEndTime=86399)),
    # audit B8: the largest intervals the Task Manager allows (daily 7, weekly 5, monthly 12)
    ({"period": "daily", "interval": 7},
     {"period": "daily", "interval": 7, "at": "00:00", "start_date": None, "end_date": None},
     props(TimePeriod=0, TimePeriodEvery=7)),
    ({"period": "weekly", "interval": 5, "days": ["monday"]},
     {"period": "weekly", "interval": 5, "days": ["monday"], "at": "00:00", "start_date": None, "end_date": None},
     props(TimePeriod=1, TimePeriodEvery=5, TimePeriodDay="2")),
    ({"period": "monthly", "interval": 12, "day_of_month": 15},
     {"period": "monthly", "interval": 12, "day_of_month": 15, "at": "00:00", "start_date": None, "end_date": None},
     props(TimePeriod=2, TimePeriodEvery=12, TimePeriodDay=15)),
    ({"period": "monthly", "day_of_month": 1, "start_date": "2026-01-01", "end_date": "2026-12-31"},
     {"period": "monthly", "interval": 1, "day_of_month": 1, "at": "00:00", "start_date": "2026-01-01",
      "end_date": "2026-12-31"},
     props(TimePeriod=2, TimePeriodDay=1, StartDate=H_2026_01_01, EndDate=H_2026_01_01 + 364)),
    ({"period": "daily", "start_date": datetime.date(2026, 1, 1), "end_date": "2026-01-01"},
     {"period": "daily", "interval": 1, "at": "00:00", "start_date": "2026-01-01", "end_date": "2026-01-01"},
     props(TimePeriod=0, StartDate=H_2026_01_01, EndDate=H_2026_01_01)),
]


@pytest.mark.parametrize("given, canonical, properties", VALID)
def test_valid_schedules_translate_both_ways(given, canonical, properties):
    spec = dict((key, None) for key in s.SUBOPTIONS)  # what the argspec passes: every suboption, unset = None
    spec.update(given)
    assert s.normalise(spec) == canonical
    assert s.normalise(given) == canonical  # iris_monitoring passes partial dicts
    assert s.to_properties(canonical) == properties
    # Parsing IRIS's properties back gives the canonical form (start_date: IRIS always stores one)
    read = dict(properties, StartDate=properties.get("StartDate", H_2026_01_01))
    back = s.from_properties(dict((k, str(v)) for k, v in read.items()))
    expected = dict(canonical)
    if "start_date" in expected:
        expected["start_date"] = expected["start_date"] or "2026-01-01"
    assert back == expected


def test_horolog_epoch():
    # $HOROLOG day 0 is 1840-12-31 [doc RCOS_vhorolog]; 67571 = 2026-01-01
    assert H_2026_01_01 == 67571
    assert s.to_horolog(datetime.date(1841, 1, 1)) == 1
    assert s.from_horolog(67571) == "2026-01-01"


INVALID = [
    ({"period": "hourly"}, "period must be one of"),
    ({}, "period must be one of"),
    ({"period": "on_demand", "at": "01:00"}, "on_demand runs only when started"),
    ({"period": "on_demand", "interval": 2}, "it takes no interval"),
    ({"period": "on_demand", "start_date": "2026-01-01"}, "it takes no start_date"),
    ({"period": "daily", "days": ["monday"]}, "days only go with period weekly"),
    ({"period": "monthly", "days": ["monday"], "day_of_month": 1}, "days only go with period weekly"),
    ({"period": "weekly"}, "period weekly needs days"),
    ({"period": "weekly", "days": []}, "non-empty list of weekday"),
    ({"period": "weekly", "days": ["funday"]}, "'funday' is not a weekday"),
    ({"period": "monthly"}, "needs day_of_month"),
    ({"period": "monthly", "day_of_month": 32}, "day_of_month must be between 1 and 31"),
    ({"period": "monthly", "day_of_month": 0}, "day_of_month must be between 1 and 31"),
    ({"period": "daily", "day_of_month": 3}, "day_of_month only goes with period monthly"),
    ({"period": "daily", "interval": 0}, "interval must be between 1"),
    ({"period": "daily", "interval": "x"}, "interval must be a whole number"),
    # audit B8: TimePeriodEvery ranges of the property description / ^TASKMGR
    ({"period": "daily", "interval": 8}, "interval 8 is more than the Task Manager allows for period daily: every 1 to 7 days"),
    ({"period": "weekly", "interval": 6, "days": ["monday"]}, "for period weekly: every 1 to 5 weeks"),
    ({"period": "monthly", "interval": 13, "day_of_month": 1}, "for period monthly: every 1 to 12 months"),
    ({"period": "daily", "at": "01:00", "every_minutes": 5}, "exclude each other"),
    ({"period": "daily", "at": "01:00", "every_hours": 1}, "exclude each other"),
    ({"period": "daily", "every_minutes": 1440}, "every_minutes must be between 1 and 1439"),
    ({"period": "daily", "every_hours": 24}, "every_hours must be between 1 and 23"),
    ({"period": "daily", "start": "08:00"}, "needs every_minutes or every_hours"),
    ({"period": "daily", "end": "08:00"}, "needs every_minutes or every_hours"),
    ({"period": "daily", "every_hours": 1, "start": "10:00", "end": "09:00"}, "end (09:00) must be later than start (10:00)"),
    ({"period": "daily", "every_hours": 1, "start": "10:00", "end": "10:00"}, "must be later than start"),
    # no end written: the message names the default end, not an "end (23:59:59)" the user never wrote
    ({"period": "daily", "every_hours": 1, "start": "23:59:59"},
     "start (23:59:59) leaves no time to run: without end, the runs stop at 23:59:59"),
    ({"period": "daily", "at": "24:00"}, "is not a time of day"),
    ({"period": "daily", "at": "12:60"}, "is not a time of day"),
    ({"period": "daily", "at": "noon"}, "at must be a time 'HH:MM'"),
    ({"period": "daily", "at": "150"}, "YAML reads an unquoted time"),
    ({"period": "daily", "at": 150}, "YAML reads an unquoted time"),
    ({"period": "daily", "start_date": "2026-02-30"}, "is not a calendar date"),
    ({"period": "daily", "start_date": "01/02/2026"}, "start_date must be a date 'YYYY-MM-DD'"),
    ({"period": "daily", "start_date": "2026-02-02", "end_date": "2026-02-01"}, "end_date (2026-02-01) is before start_date"),
    ({"period": "daily", "every": "day"}, "unknown keys every"),
]


@pytest.mark.parametrize("given, message", INVALID)
def test_invalid_schedules_fail_with_what_and_how(given, message):
    with pytest.raises(IrisModuleError) as info:
        s.normalise(given)
    assert message in info.value.msg
    assert info.value.msg.startswith("Invalid schedule:")
    assert info.value.hint  # how to fix it


def test_yaml_time_hint_says_to_quote():
    with pytest.raises(IrisModuleError) as info:
        s.normalise({"period": "daily", "at": 150})
    assert "quote the time" in info.value.hint


@pytest.mark.parametrize("key, number, original", [
    ("at", 750, "12:30"),            # YAML 1.1: unquoted 12:30 -> 750
    ("at", 480, "8:00"),             # unquoted 8:00 -> 480
    ("start", 1230, "20:30"),
    ("end", 86399, "23:59:59"),      # unquoted 23:59:59 -> 86399
])
def test_yaml_sexagesimal_time_names_the_time_to_quote(key, number, original):
    spec = {"period": "daily", key: number}
    if key != "at":
        spec["every_hours"] = 1
    with pytest.raises(IrisModuleError) as info:
        s.normalise(spec)
    assert info.value.hint == "quote the time: %s: '%s'" % (key, original)
    assert info.value.msg.endswith(".")
    # the time it names is the one the user meant: quoted, it is accepted
    spec[key] = original
    if key == "start":
        spec["end"] = "23:00"
    s.normalise(spec)


def test_yaml_loader_behaviour_the_docs_describe():
    """YAML 1.1 (PyYAML, which Ansible uses): 02:30 stays text, 12:30 and 8:00 become base-60 numbers."""
    yaml = pytest.importorskip("yaml")
    assert yaml.safe_load("a: 02:30\nb: 12:30\nc: 8:00") == {"a": "02:30", "b": 750, "c": 480}


def test_interval_limit_fails_before_anything_changes():
    """B8: the limit is checked by normalise (desired_from), before any IRIS session."""
    with pytest.raises(IrisModuleError) as info:
        s.normalise({"period": "weekly", "days": ["monday"], "interval": 6})
    assert "Fix" not in info.value.msg and info.value.hint.startswith("use an interval from 1 to 5 with period weekly")


def test_no_end_is_explicit_and_an_old_empty_end_converges():
    """B14: 'end' left out -> 23:59:59 written; a task with DailyEndTime "" (earlier versions) differs, 86399 does not."""
    wanted = s.normalise({"period": "daily", "every_minutes": 30})
    assert wanted["end"] == "23:59:59"
    assert s.to_properties(wanted)["DailyEndTime"] == 86399  # from the canonical end normalise wrote
    common = dict(TimePeriod=0, TimePeriodEvery=1, DailyFrequency=1, DailyFrequencyTime=0, DailyIncrement=30,
                  DailyStartTime=0, StartDate="", EndDate="")
    old = s.from_properties(dict(common, DailyEndTime=""))
    new = s.from_properties(dict(common, DailyEndTime="86399"))
    assert old != wanted and old["end"] is None
    assert new == wanted


@pytest.mark.parametrize("properties, expected", [
    ({"TimePeriod": "3"}, {"period": "other", "time_period": 3}),
    ({"TimePeriod": "4"}, {"period": "other", "time_period": 4}),
    ({"TimePeriod": "", "DailyStartTime": "3630", "StartDate": ""},
     {"period": "daily", "interval": 1, "at": "01:00:30", "start_date": None, "end_date": None}),
    ({"TimePeriod": 1, "TimePeriodDay": "1234567", "StartDate": 67571, "EndDate": ""},
     {"period": "weekly", "interval": 1, "days": list(s.DAY_ORDER), "at": "00:00", "start_date": "2026-01-01",
      "end_date": None}),
    ({"TimePeriod": 0, "DailyFrequency": 1, "DailyFrequencyTime": "", "DailyIncrement": 60, "DailyStartTime": 0,
      "DailyEndTime": ""},
     {"period": "daily", "interval": 1, "every_minutes": 60, "start": "00:00", "end": None, "start_date": None,
      "end_date": None}),
])
def test_parse_back_of_what_others_created(properties, expected):
    assert s.from_properties(properties) == expected


def test_merge_unmanaged_start_date():
    desired = s.normalise({"period": "daily"})
    assert s.merge_unmanaged(desired, "2025-05-05")["start_date"] == "2025-05-05"
    pinned = s.normalise({"period": "daily", "start_date": "2026-01-01"})
    assert s.merge_unmanaged(pinned, "2025-05-05")["start_date"] == "2026-01-01"
    assert s.merge_unmanaged({"period": "on_demand"}, "2025-05-05") == {"period": "on_demand"}
    assert s.merge_unmanaged(None, "2025-05-05") is None


def test_argspec_twin_lists_every_suboption():
    spec = s.schedule_argument_spec()
    assert sorted(spec["options"]) == sorted(s.SUBOPTIONS)
    assert spec["options"]["period"]["choices"] == list(s.PERIODS)


@pytest.mark.parametrize("text, seconds", [("8:00", 28800), ("08:00", 28800), ("23:59:59", 86399), (" 00:00 ", 0)])
def test_parse_time_accepts_the_documented_shapes(text, seconds):
    assert s.parse_time(text, "at") == seconds


@pytest.mark.parametrize("text, words", [
    ("24:00", "is not a time of day"), ("08:60", "is not a time of day"), ("08:00:60", "is not a time of day"),
    ("0830", "is the number 0830"), ("08", "is the number 08"), ("T08:00", "must be a time 'HH:MM'"),
    ("08:00Z", "must be a time 'HH:MM'"), ("08:00:00.5", "must be a time 'HH:MM'"), ("\u0660\u0668:00", "must be a time 'HH:MM'"),
])
def test_parse_time_refuses_what_is_not_a_time_of_day_on_every_python(text, words):
    with pytest.raises(IrisModuleError) as info:
        s.parse_time(text, "at")
    assert words in info.value.msg


@pytest.mark.parametrize("text, words", [
    ("2026-02-30", "is not a calendar date"), ("2026-13-01", "is not a calendar date"),
    ("20260101", "must be a date 'YYYY-MM-DD'"), ("2026-W01-1", "must be a date 'YYYY-MM-DD'"),
    ("2026-1-01", "must be a date 'YYYY-MM-DD'"), ("2026-01-01T00:00", "must be a date 'YYYY-MM-DD'"),
])
def test_parse_date_refuses_other_iso_forms_on_every_python(text, words):
    with pytest.raises(IrisModuleError) as info:
        s.parse_date(text, "start_date")
    assert words in info.value.msg
    assert s.parse_date("2028-02-29", "start_date").isoformat() == "2028-02-29"
