from datetime import date, timedelta

import factory
from django.utils import timezone

from unions.dates import add_months
from unions.models import OfficeTerm, Person, Position, Union
from unions.services import position_add, term_open, union_create
from unions.validators import resident_id_check_char


class UnionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Union

    name_zh = factory.Sequence(lambda n: f"测试工会{n}")
    name_en = factory.Sequence(lambda n: f"Test Union {n}")
    code = factory.Sequence(lambda n: f"T{n:05d}")
    kind = Union.Kind.ENTERPRISE
    parent = None
    member_count = 120

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # The materialised path is built by the service, as in the portal.
        return union_create(**kwargs)


def district_factory(**kwargs) -> Union:
    return UnionFactory(kind=Union.Kind.DISTRICT, **kwargs)


def subdistrict_factory(parent: Union, **kwargs) -> Union:
    return UnionFactory(kind=Union.Kind.SUBDISTRICT, parent=parent, **kwargs)


def grassroots_factory(parent: Union, **kwargs) -> Union:
    return UnionFactory(kind=Union.Kind.ENTERPRISE, parent=parent, **kwargs)


# --- people, terms and changes of term ------------------------------------------------

_serial = iter(range(1, 10**6))


def resident_id(birth: date = date(1980, 5, 17), serial: int | None = None) -> str:
    """A resident ID number that passes the check (region 99: nobody's)."""
    serial = next(_serial) if serial is None else serial
    first17 = f"990101{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def term_factory(
    union, *, start=None, years=5, number=None, planned_end=None
) -> OfficeTerm:
    """An open term; ``planned_end`` picks the start that makes it end that day."""
    if planned_end is not None:
        start = add_months(planned_end, -12 * years)
    start = start or timezone.localdate() - timedelta(days=365)
    return term_open(union=union, start=start, length_years=years, number=number)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"张{n}")
    gender = "female"
    phone = factory.Sequence(lambda n: f"138 0000 {n % 10000:04d}")
    id_number = factory.LazyFunction(resident_id)


def officer_factory(term, *, role=Position.Role.COMMITTEE_MEMBER, **person) -> Position:
    person_obj = PersonFactory(union=term.union, **person)
    return position_add(term=term, person=person_obj, role=role, start=term.start)
