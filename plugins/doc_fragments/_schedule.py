# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

# The option `schedule` of a Task Manager task (iris_task, iris_monitoring).
# Twin: schedule_argument_spec() in plugins/module_utils/_schedule.py (keep both in step).


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  schedule:
    description:
      - When the Task Manager runs the task, as a dictionary of the suboptions below (for example
        O(schedule.period=weekly) with O(schedule.days) and O(schedule.at)), not as a sentence; the module translates it into the task's
        C(TimePeriod), C(TimePeriodEvery), C(TimePeriodDay), C(DailyFrequency), C(DailyFrequencyTime),
        C(DailyIncrement), C(DailyStartTime), C(DailyEndTime), C(StartDate) and C(EndDate) properties.
      - When set, the whole schedule is managed - suboptions left out take their defaults (only O(schedule.start_date)
        is left as it is when omitted). When not set, the schedule of an existing task is not compared, and a new task
        runs on demand.
      - Write times as quoted strings (V("12:30")). Ansible reads YAML 1.1, where an unquoted time whose first digit
        is not V(0) is a base-60 number - V(12:30) becomes V(750) and V(8:00) becomes V(480) - while V(02:30) stays
        text. The module refuses such a number and names the time to quote.
      - The Task Manager checks its schedule once a minute, so a run may start up to a minute after its time.
    type: dict
    suboptions:
      period:
        description:
          - V(daily), V(weekly) (on O(schedule.days)), V(monthly) (on O(schedule.day_of_month)), or V(on_demand) (only
            when started, for example with O(ignore:run_now=true)). V(on_demand) takes no other suboption.
        type: str
        choices: [daily, weekly, monthly, on_demand]
        required: true
      interval:
        description:
          - Run every O(schedule.interval) days, weeks or months (V(2) with V(weekly) means every other week).
          - The Task Manager allows V(1) to V(7) days with V(daily), V(1) to V(5) weeks with V(weekly) and V(1) to
            V(12) months with V(monthly); the module refuses other values before it changes anything.
          - If not set, V(1). Refused with V(on_demand).
        type: int
      days:
        description:
          - Weekdays of a V(weekly) schedule, for example V([monday, thursday]). Full names or three-letter abbreviations,
            any case. Required with O(schedule.period=weekly), refused with other periods.
        type: list
        elements: str
      day_of_month:
        description:
          - Day of the month (V(1) to V(31)) of a V(monthly) schedule. The Task Manager reads V(31) as the last day
            of the month. Required with O(schedule.period=monthly), refused with other periods.
        type: int
      at:
        description:
          - Time of day (V('HH:MM'), 24-hour clock) of a task that runs once a day. Defaults to V('00:00') when neither
            O(schedule.every_minutes) nor O(schedule.every_hours) is set. Excludes both.
        type: str
      every_minutes:
        description:
          - Run several times a day, every this many minutes (V(1) to V(1439)), from O(schedule.start) to O(schedule.end).
            Excludes O(schedule.at) and O(schedule.every_hours).
        type: int
      every_hours:
        description:
          - Run several times a day, every this many hours (V(1) to V(23)), from O(schedule.start) to O(schedule.end).
            Excludes O(schedule.at) and O(schedule.every_minutes).
        type: int
      start:
        description:
          - First run of the day (V('HH:MM')) of a task that runs several times a day. Only with O(schedule.every_minutes)
            or O(schedule.every_hours).
          - If not set, V('00:00').
        type: str
      end:
        description:
          - No run after this time of day (V('HH:MM')), for a task that runs several times a day; must be later than
            O(schedule.start). Only with O(schedule.every_minutes) or O(schedule.every_hours).
          - If not set, the module writes V('23:59:59') as the end (C(DailyEndTime) 86399), and the returned schedule
            shows it. A task whose end time is empty (as an earlier version of this module wrote it) is updated to
            V('23:59:59') on the next run.
        type: str
      start_date:
        description:
          - First day (V('YYYY-MM-DD')) the schedule applies. If not set, a new task starts the day it is saved and an
            existing task keeps its start date.
        type: str
      end_date:
        description:
          - Last day (V('YYYY-MM-DD')) the schedule applies (the task expires after it); not before O(schedule.start_date).
            If not set, the schedule has no end.
        type: str
"""
