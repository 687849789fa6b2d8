"""The frame of every signed-in page (the top bar and the main menu), kept
rendered per reader.

Rendering it took about a millisecond of every page (sixteen URL reversals, the
language lists twice, the menu): a seventh of what a page may cost at city scale
(docs/performance.md). It shows only the reader (name, union, roles), the
language, which menu entry is current, the bell's count, the CSRF token of its
two forms and the page's address (where a change of language returns to). The
first four and the count are in the key; the token and the address differ on
every page and are put in when it is served.
"""

import hashlib
from functools import cached_property, lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

from unionportal.cache import cached_form_part
from unionportal.menu import menu_for, menu_section

from .unread import unread_count


@lru_cache(maxsize=1)
def next_placeholder() -> str:
    """Where the kept frame has the page's address: derived from the secret
    key, so that no user can type it into a name the frame shows."""
    digest = hashlib.sha256(f"next-placeholder:{settings.SECRET_KEY}".encode())
    return "next" + digest.hexdigest()[:28]


class PageFrame:
    """The frame of ``request``'s page, rendered (or read from the cache) only
    when the page's template shows it."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def _parts(self) -> tuple[str, str]:
        request, user = self.request, self.request.user
        unread = unread_count(user)
        section = menu_section(request.path)
        is_home = request.path == "/"
        key = (
            user.pk,
            user.get_username(),
            user.get_full_name(),
            tuple(user.roles),
            user.union.name if user.union_id else "",
            section,
            is_home,
            unread,
        )

        def render(token: str) -> tuple[str, str]:
            context = {
                "user": user,
                "unread_notifications": unread,
                "main_menu": menu_for(user, request.path),
                "is_home": is_home,
                "next_path": next_placeholder(),
                "csrf_token": token,
            }
            return (
                render_to_string("partials/frame_header.html", context),
                render_to_string("partials/frame_menu.html", context),
            )

        header, menu = cached_form_part(request, "accounts:frame", key, render)
        # The address is escaped as the template would have escaped it.
        here = escape(request.get_full_path())
        return header.replace(next_placeholder(), here), menu.replace(
            next_placeholder(), here
        )

    @property
    def header(self) -> str:
        return mark_safe(self._parts[0])  # noqa: S308 - rendered, then escaped above

    @property
    def menu(self) -> str:
        return mark_safe(self._parts[1])  # noqa: S308 - rendered, then escaped above
