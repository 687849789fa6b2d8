def notifications(request):
    """The bell's unread count, computed only when a page shows the bell."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .unread import unread_count

    return {"unread_notifications": lambda: unread_count(user)}
