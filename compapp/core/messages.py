"""Message ids kept in data (problems, refusals) and translated where they are shown."""


def N_(msgid: str) -> str:  # noqa: N802 (the gettext convention for a marked, untranslated id)
    """Mark ``msgid`` for the catalog; it is translated where it is shown."""
    return msgid


def as_written(msgid: str, /, **values: object) -> str:
    """The Chinese sentence of ``msgid`` with its values: what an export says when no page
    language is given (a request or a job passes flask_babel's ``gettext`` instead)."""
    return msgid % values if values else msgid
