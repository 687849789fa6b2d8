from django.shortcuts import render


def is_partial_request(request) -> bool:
    """A partial answers only an htmx request that is not a boosted navigation."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def render_page_or_partial(
    request, page_template, partial_template, context, status=200
):
    template = partial_template if is_partial_request(request) else page_template
    return render(request, template, context, status=status)
