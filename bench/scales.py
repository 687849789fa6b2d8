"""The sizes the benchmark seeds: ``tiny`` (CI), ``district`` and ``city``.

A city is a city union over districts; a district scale is one district union at the
root. Everything below is the same shape at every scale, so a page or a job that
slows down between ``district`` and ``city`` shows it in the ratio, not in a
different mix of data.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    with_city: bool  # a city union above the districts
    districts: int
    subdistricts_per_district: int
    grassroots_per_subdistrict: int
    years: int
    # Key-work plan of each district and year: items, and the projects each unit gets.
    plan_items: int = 12
    projects_per_grassroots: int = 3
    projects_per_subdistrict: int = 2
    reports_per_project: int = 12  # monthly, over the project's twelve months
    milestones_per_project: int = 2
    events_per_unit_year: int = 10
    manual_indicators: int = 20  # scored by hand each quarter, by every unit
    people_per_union: int = 6
    # Quarters before the benchmark's quarter whose snapshots the seed builds with
    # the real report engine (for trends and "change since last quarter").
    built_quarters: int = 1

    @property
    def subdistricts(self) -> int:
        return self.districts * self.subdistricts_per_district

    @property
    def grassroots(self) -> int:
        return self.subdistricts * self.grassroots_per_subdistrict

    @property
    def unions(self) -> int:
        return (
            int(self.with_city) + self.districts + self.subdistricts + self.grassroots
        )

    @property
    def assessed_units(self) -> int:
        return self.subdistricts + self.grassroots

    def describe(self) -> dict:
        """What the seed holds, roughly: for the results table and the docs."""
        projects_per_year = (
            self.grassroots * self.projects_per_grassroots
            + self.subdistricts * self.projects_per_subdistrict
        )
        return {
            "scale": self.name,
            "city_union": self.with_city,
            "districts": self.districts,
            "subdistrict_unions": self.subdistricts,
            "grassroots_unions": self.grassroots,
            "years": self.years,
            "projects": projects_per_year * self.years,
            "progress_reports_max": projects_per_year
            * self.years
            * self.reports_per_project,
            "activity_events": self.unions * self.years * self.events_per_unit_year,
            "scores": self.assessed_units * self.manual_indicators * 4 * self.years,
        }


SCALES = {
    "tiny": Scale(
        name="tiny",
        with_city=True,
        districts=2,
        subdistricts_per_district=2,
        grassroots_per_subdistrict=5,
        years=2,
        manual_indicators=8,
        built_quarters=1,
    ),
    "district": Scale(
        name="district",
        with_city=False,
        districts=1,
        subdistricts_per_district=15,
        grassroots_per_subdistrict=100,
        years=5,
    ),
    "city": Scale(
        name="city",
        with_city=True,
        districts=10,
        subdistricts_per_district=15,
        grassroots_per_subdistrict=100,
        years=5,
    ),
}
