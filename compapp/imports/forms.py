"""Forms of the import pages: shape only (a file was chosen; a batch digest to confirm)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField


class UploadForm(FlaskForm):
    file = FileField(
        _l("成绩文件（.xlsx 或 .csv）"), validators=[FileRequired(_l("请选择要上传的文件。"))]
    )


class ConfirmImportForm(FlaskForm):
    """Names the checked batch's digest, so a confirm saves exactly what the user saw."""

    digest = HiddenField()
