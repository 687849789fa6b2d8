from .menu import menu_for


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"main_menu": menu_for(user, request.path)}
