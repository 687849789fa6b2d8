"""How personal data looks to those who may not see it in full."""


def mask_phone(value: str) -> str:
    digits = (value or "").strip()
    if not digits:
        return ""
    if len(digits) <= 4:
        return "*" * len(digits)
    return (
        f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else "****" + digits[-2:]
    )


def mask_id_number(value: str) -> str:
    number = (value or "").strip()
    if not number:
        return ""
    return f"{number[:4]}{'*' * max(len(number) - 6, 0)}{number[-2:]}"


# Personal fields of the people's records and how a non-administrator sees them.
PERSONAL_FIELDS = {"phone": mask_phone, "id_number": mask_id_number}
