"""Form helpers every app's views share."""

from django.core.exceptions import ValidationError


def apply_service_errors(form, exc: ValidationError) -> None:
    """Puts a service's ValidationError on the form: on the field it names when the
    form has that field, else on the form as a whole, so no message is lost."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
