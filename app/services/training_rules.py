"""The definitions every training computation shares, so the compliance report, the fund,
the accounts and (later) the bureau survey count the same things.

- A worker *completed* a training when a result is recorded for the enrolment (合格 or
  不合格: the worker trained, even if they failed); it counts in the calendar year of its
  `completed_on` date, so a course finishing on 31 December counts for that year.
- An enrolment is *paid from the training fund* (职工教育经费) when its programme's funding
  source is 职工教育经费; it is charged to the fund of the year the programme started
  (the money is spent when the class runs).
- *Frontline* (一线职工) is the worker's flag as it stands: the register keeps no history of it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_

from app.models import TrainingEnrolment, TrainingProgramme

TRAINING_FORMS = ("企业自办", "校企合作", "院校", "培训机构", "线上")
FUNDING_FUND, FUNDING_GOVERNMENT, FUNDING_PERSONAL = "职工教育经费", "政府补贴", "个人"
FUNDING_SOURCES = (FUNDING_FUND, FUNDING_GOVERNMENT, FUNDING_PERSONAL)
RESULT_PASS, RESULT_FAIL = "合格", "不合格"
RESULTS = (RESULT_PASS, RESULT_FAIL)
HOURS_PER_DAY = 8  # seed 000: 120 学时 = 15 days


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def completed_between(start: date, end: date):
    """SQL: the enrolment was completed on a day in [start, end]."""
    return and_(
        TrainingEnrolment.result.is_not(None),
        TrainingEnrolment.completed_on.is_not(None),
        TrainingEnrolment.completed_on >= start,
        TrainingEnrolment.completed_on <= end,
    )


def completed_in_year(year: int):
    return completed_between(*year_bounds(year))


def paid_from_fund_in_year(year: int):
    """SQL over TrainingEnrolment joined to TrainingProgramme: charged to `year`'s fund."""
    start, end = year_bounds(year)
    return and_(
        TrainingProgramme.funding_source == FUNDING_FUND,
        TrainingProgramme.start_date >= start,
        TrainingProgramme.start_date <= end,
    )


__all__ = [
    "FUNDING_FUND", "FUNDING_GOVERNMENT", "FUNDING_PERSONAL", "FUNDING_SOURCES", "HOURS_PER_DAY", "RESULTS",
    "RESULT_FAIL", "RESULT_PASS", "TRAINING_FORMS", "completed_between", "completed_in_year",
    "paid_from_fund_in_year", "year_bounds",
]
