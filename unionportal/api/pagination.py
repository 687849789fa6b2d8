from django.utils.translation import gettext as _
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from unionportal.pagination import CappedPaginator


class PortalPagination(PageNumberPagination):
    """``?page=2&page_size=100``; a client may ask for up to 200 rows a page.

    A list counts at most ``CappedPaginator.cap`` rows (200): past that, ``count``
    is the cap and ``count_is_capped`` is true, so that no list counts millions
    of rows for every page; ``next`` still leads to the following pages.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = CappedPaginator
    # No browsable API: its page links would need the number of pages (a count).
    template = None

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_is_capped": paginator.count_is_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        properties = answer["properties"]
        properties["count"]["description"] = _(
            "The number of rows; when count_is_capped is true, the cap (%(cap)s) "
            "and there are more."
        ) % {"cap": self.django_paginator_class.cap}
        answer["properties"] = {
            "count": properties.pop("count"),
            "count_is_capped": {
                "type": "boolean",
                "description": _("True when there are more rows than count says."),
                "example": False,
            },
            **properties,
        }
        answer["required"] = ["count", "count_is_capped", "results"]
        return answer
