def page_frame(request):
    """The top bar and the main menu, rendered (or read from the cache) only
    when a page shows them (``accounts/frame.py``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .frame import PageFrame

    return {"page_frame": PageFrame(request)}
