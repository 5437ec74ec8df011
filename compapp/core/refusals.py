"""One base for every "refused" outcome of a service: a catalog msgid and the values it names.

A service raises a ``Refusal`` subclass with the Chinese message id (the catalog's msgid) and
its values; nothing is translated where it is raised. The page that shows it translates it in
one place (``compapp.i18n.refusal_text``), so an English page shows the English text.
``str(refusal)`` is the Chinese sentence (logs, CLI output).
"""

from __future__ import annotations

from compapp.core.messages import N_

# The msgid of a refusal that passes on problems already put into words where they were found
# (each translated there): the refusal adds nothing of its own.
PROBLEMS = N_("%(problems)s")


class Refusal(Exception):
    """A step a service will not take; ``msgid`` says why in the catalog's words."""

    def __init__(self, msgid: str, /, **values: object) -> None:
        self.msgid = msgid
        self.values = values
        super().__init__(msgid % values if values else msgid)
