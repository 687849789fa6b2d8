from .menu import menu_for


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages that never show the bell (downloads, partials) pay nothing.
    from accounts.models import Notification

    def unread_count():
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return {
        "main_menu": menu_for(user, request.path),
        "unread_notifications": unread_count,
    }
