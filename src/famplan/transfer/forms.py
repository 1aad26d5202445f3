"""The upload form of the import page."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from famplan.transfer.imports import SUPPORTED_EXTENSIONS
from famplan.transfer.imports.framework import IMPORT_TYPES


class ImportForm(forms.Form):
    record_type = forms.ChoiceField(
        label="数据类型",
        choices=[(t.key, t.label) for t in IMPORT_TYPES.values()],
        error_messages={"required": "请选择数据类型。", "invalid_choice": "请选择有效的数据类型。"},
    )
    file = forms.FileField(
        label="文件（.xlsx 或 .csv）",
        help_text="请使用下载的模板填写；CSV 可为 UTF-8 或 GBK 编码。",
        error_messages={"required": "请选择要导入的文件。", "empty": "上传的文件是空的。"},
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(SUPPORTED_EXTENSIONS):
            raise forms.ValidationError("只能导入 .xlsx 或 .csv 文件（旧版 .xls 请另存为 .xlsx）。")
        limit = settings.MAX_IMPORT_FILE_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(f"文件超过 {limit} MB，请拆分后分批导入。")
        return upload
