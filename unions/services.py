from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from .models import Union


@transaction.atomic
def union_create(*, parent: Union | None = None, **fields) -> Union:
    union = Union(parent=parent, **fields)
    union.full_clean(exclude=["path"])
    union.save()
    union.path = union.build_path()
    union.depth = union.path.count("/") - 2
    union.save(update_fields=["path", "depth"])
    return union


@transaction.atomic
def union_update(*, union: Union, **fields) -> Union:
    """Changes a union; moving it under another parent moves its whole subtree."""
    old_path = union.path
    new_parent = fields.pop("parent", union.parent)
    for name, value in fields.items():
        setattr(union, name, value)
    if new_parent != union.parent:
        if new_parent is not None and new_parent.path.startswith(old_path):
            raise ValidationError(
                {
                    "parent": _(
                        "A union cannot be moved under itself or one of its own sub-unions."
                    )
                }
            )
        union.parent = new_parent
    union.full_clean(exclude=["path"])
    new_path = union.build_path()
    if new_path != old_path:
        union.path = new_path
        union.depth = new_path.count("/") - 2
        depth_change = union.depth - (old_path.count("/") - 2)
        # One UPDATE rewrites every descendant's path prefix, whatever the subtree size.
        Union.objects.filter(path__startswith=old_path).exclude(pk=union.pk).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_change,
        )
    union.save()
    return union
