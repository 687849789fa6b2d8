"""The REST API (``/api/v1/``): the same access rule and services as the pages.

Each app keeps its serializers and viewsets in ``<app>/api/``; this package holds
what they share: authentication by personal token, the permission rule, pagination,
filtering, throttling, the error format and optimistic concurrency (ETag/If-Match).
"""
