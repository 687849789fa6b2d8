from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxJob(models.Model):
    """A Celery job waiting to be handed to the broker (the transactional outbox).

    The row is written in the same transaction as the change that asks for the job,
    so the job exists exactly when the change does; after the commit it is sent to
    the broker and deleted. When the broker is down, the row stays and
    ``unionportal.jobs.outbox_flush_task`` sends it again later: no job is dropped.
    """

    task = models.CharField(_("task"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("queued job")
        verbose_name_plural = _("queued jobs")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.task
