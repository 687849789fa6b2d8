from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

BAR_TONES = {
    "completed": "bg-info",
    "on_track": "bg-success",
    "at_risk": "bg-warning",
    "delayed": "bg-danger",
    "not_started": "bg-secondary",
}


@register.simple_tag
def progress_bar(percent, status=""):
    """A slim progress bar with its value beside it, for tables and cards."""
    try:
        value = max(0.0, min(float(percent or 0), 100.0))
    except (TypeError, ValueError):
        value = 0.0
    return format_html(
        '<div class="d-flex align-items-center gap-2">'
        '<div class="progress flex-grow-1" role="progressbar" aria-label="{}" '
        'aria-valuenow="{}" aria-valuemin="0" aria-valuemax="100" '
        'style="height: .5rem; min-width: 4rem">'
        '<div class="progress-bar {}" style="width: {}%"></div></div>'
        '<span class="small text-nowrap">{}%</span></div>',
        _("Percent complete"),
        f"{value:.0f}",
        BAR_TONES.get(str(status), "bg-primary"),
        f"{value:.1f}",
        f"{value:.0f}",
    )
