"""Message ids kept in data (problems, refusals) and translated where they are shown."""


def N_(msgid: str) -> str:  # noqa: N802 (the gettext convention for a marked, untranslated id)
    """Mark ``msgid`` for the catalog; it is translated where it is shown."""
    return msgid
