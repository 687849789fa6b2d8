"""Demo sign-ins, one per role, all with the password ``demo``."""

from .models import User

DEMO_PASSWORD = "demo"  # noqa: S105 - documented demo credential, refused in production

# username: (union code, first name, last name, roles, description)
DEMO_USERS = {
    "admin": (
        "JB",
        "建国",
        "王",
        {"is_union_admin": True},
        "district union office: administrator",
    ),
    "leader": (
        "JB",
        "卫东",
        "李",
        {"is_leader": True},
        "district union leadership: reads everything",
    ),
    "reviewer": (
        "JB",
        "敏",
        "赵",
        {"is_reviewer": True},
        "district department staff: reviews sub-district unions",
    ),
    "cadre_sub": (
        "JB-S01",
        "晓燕",
        "陈",
        {"is_cadre": True, "is_reviewer": True},
        "cadre of Binjiang Sub-district union: reports, and reviews its grassroots unions",
    ),
    "cadre_grass": (
        "JB-S02-G02",
        "丽",
        "张",
        {"is_cadre": True},
        "cadre of Huguang Textile Mill union (Donghu Sub-district)",
    ),
}


def seed_demo_users(unions) -> dict[str, User]:
    users = {}
    for username, (code, first, last, roles, _description) in DEMO_USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                union=unions[code],
                email=f"{username}@example.org",
                **roles,
            )
            user.set_password(DEMO_PASSWORD)
            user.full_clean(exclude=["password"])
            user.save()
        elif (user.first_name, user.last_name) != (first, last):
            # A demo seeded by an earlier release had English names.
            user.first_name, user.last_name = first, last
            user.save(update_fields=["first_name", "last_name"])
        users[username] = user
    return users


def _logins() -> tuple[str, list[tuple[str, str]]]:
    return DEMO_PASSWORD, [(name, entry[4]) for name, entry in DEMO_USERS.items()]


def present(context: dict) -> bool:
    """The five sign-ins exist (one query); fills ``users`` and ``logins``."""
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERS)}
    if len(users) != len(DEMO_USERS):
        return False
    context["users"] = users
    context["logins"] = _logins()
    return True


def seed(context: dict) -> None:
    """The demo step of accounts: the five sign-ins, once the unions exist."""
    context["users"] = seed_demo_users(context["unions"])
    context["logins"] = _logins()
