def notifications(request):
    """The bell's unread count, computed only when a page shows the bell."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .models import Notification

    def unread_count():
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return {"unread_notifications": unread_count}
