"""The base of every API viewset: scoping, the 404/403 rule, ETag responses.

A viewset names its model's ``queryset``; ``get_queryset`` narrows it to what the
user may see, so lists never show unseen rows and detail routes answer 404 for
them. Writes fetch with ``get_object_for(...)`` (403 when seen but not changeable),
lock the row with ``locked(...)`` (checking If-Match) and call the app's service.
"""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets
from rest_framework.response import Response

from unionportal.cache import cached_part, reader_part

from .concurrency import check_if_match, etag_for
from .exceptions import PreconditionRequired
from .filters import StrictOrderingFilter


class PortalGenericViewSet(viewsets.GenericViewSet):
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    ordering_fields: tuple = ()

    def initial(self, request, *args, **kwargs):
        # As APIView.initial, but throttles run before the permission check, so
        # that anonymous requests and failed sign-ins are throttled too.
        self.format_kwarg = self.get_format_suffix(**kwargs)
        neg = self.perform_content_negotiation(request)
        request.accepted_renderer, request.accepted_media_type = neg
        version, scheme = self.determine_version(request, *args, **kwargs)
        request.version, request.versioning_scheme = version, scheme
        try:
            self.perform_authentication(request)
        finally:
            self.check_throttles(request)
        self.check_permissions(request)

    # --- reading -------------------------------------------------------------------

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        return self.scope(queryset)

    def scope(self, queryset):
        """What the user may see; a viewset adds its joins in ``select(...)``."""
        return self.select(queryset.visible_to(self.request.user))

    def select(self, queryset):
        return queryset

    def base_queryset(self):
        """The model's rows before scoping, for the ``editable_by``-style checks."""
        return self.queryset.model._default_manager.all()

    # --- the access rule for writes -----------------------------------------------

    def get_object_for(self, rule: str = "editable_by"):
        """The object of the URL: 404 when unseen, 403 unless in ``rule(user)``."""
        obj = self.get_object()
        self.ensure(obj, rule)
        return obj

    def ensure(self, obj, rule: str = "editable_by") -> None:
        allowed = getattr(self.base_queryset(), rule)(self.request.user)
        if not allowed.filter(pk=obj.pk).exists():
            raise PermissionDenied

    def require_role(self, *roles: str) -> None:
        if not self.request.user.has_role(*roles):
            raise PermissionDenied

    def expect_if_match(self) -> None:
        """428 at once when a required If-Match is missing, before reading a body."""
        if not self.request.headers.get("If-Match"):
            raise PreconditionRequired

    @contextmanager
    def locked(self, obj, *, if_match_required: bool = True):
        """A transaction holding the row's lock, after the If-Match check.

        The lock makes the check and the write one step: a second writer waits,
        then finds the ETag changed and gets 412.
        """
        with transaction.atomic():
            fresh = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
            check_if_match(self.request, fresh, required=if_match_required)
            yield fresh

    # --- answering -------------------------------------------------------------------

    def reload(self, obj):
        """The object again through the viewset's queryset, with its joins."""
        return self.select(type(obj)._default_manager.all()).get(pk=obj.pk)

    def detail_response(self, obj, *, status=200, serializer_class=None):
        serializer_class = serializer_class or self.get_serializer_class()
        data = serializer_class(obj, context=self.get_serializer_context()).data
        return Response(data, status=status, headers={"ETag": etag_for(obj)})


class PortalViewSet(PortalGenericViewSet):
    """A scoped list (paginated, filtered, ordered) and detail with an ETag."""

    def list(self, request, *args, **kwargs):
        version = self.list_version()
        if version is None:
            return Response(self.list_data())
        # The answer's data (rows, count, links) depends on the reader, the URL
        # (its filters, order, page and host) and the data: kept under all three.
        data = cached_part(
            f"api:{self.basename}:list",
            (reader_part(request.user), request.build_absolute_uri(), version),
            self.list_data,
        )
        return Response(data)

    def list_data(self) -> dict:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        context = {**self.get_serializer_context(), **self.page_context(page)}
        serializer = self.get_serializer_class()(page, many=True, context=context)
        return self.get_paginated_response(serializer.data).data

    def list_version(self):
        """A version of the data a list shows (e.g. the latest change of its
        rows), under which its answers are kept in the cache; ``None``: computed
        on every request."""
        return None

    def page_context(self, rows) -> dict:
        """What the serializer needs about the whole page, worked out once (e.g.
        which rows the user may change), so a row costs no query of its own."""
        return {}

    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(self.get_object())
