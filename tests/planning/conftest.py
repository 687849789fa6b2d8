import pytest

from tests.accounts.factories import UserFactory
from tests.unions.factories import district_factory, subdistrict_factory

from .factories import PlanItemFactory, ProjectFactory, WorkPlanFactory


@pytest.fixture
def plan(district):
    return WorkPlanFactory(owner=district)


@pytest.fixture
def item(plan):
    return PlanItemFactory(plan=plan)


@pytest.fixture
def project(item, grassroots):
    """A project of cadre_grass's union."""
    return ProjectFactory(item=item, owner=grassroots)


@pytest.fixture
def other_district(db):
    return district_factory(name_en="Far District", code="FD")


@pytest.fixture
def foreign_admin(other_district):
    """An administrator of another district: sees nothing of ours (404)."""
    return UserFactory(
        username="foreign_admin_t", union=other_district, is_union_admin=True
    )


@pytest.fixture
def foreign_reviewer(other_subdistrict):
    """A reviewer of the other sub-district: cannot see our grassroots' reports."""
    return UserFactory(
        username="foreign_reviewer_t", union=other_subdistrict, is_reviewer=True
    )


@pytest.fixture
def far_subdistrict(other_district):
    return subdistrict_factory(other_district, code="FD-1")
