import factory

from unions.models import Union
from unions.services import union_create


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
