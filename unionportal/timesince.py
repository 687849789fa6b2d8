"""Durations as a Chinese office writes them ("1天14小时前", not "1 日，14 小时前").

Django's ``timesince`` builds a duration from these messages and joins the parts with
``gettext(", ")``. They are repeated here, with the same message ids, only so that the
portal's own catalogue (which Django reads before its own) translates them: nothing
imports this module.
"""

from django.utils.translation import gettext_lazy, ngettext_lazy

TIME_STRINGS = (
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
    # The separator between the parts: none in Chinese.
    gettext_lazy(", "),
)
