"""Forms of the division tree pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile


class DivisionImportForm(forms.Form):
    file = forms.FileField(
        label="区划文件（CSV）",
        help_text="表头为 code,name,level,parent_code，UTF-8 编码。",
        error_messages={"required": "请选择要导入的 CSV 文件。", "empty": "上传的文件是空的。"},
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".csv"):
            raise forms.ValidationError("只能导入 .csv 文件，请在 Excel 中另存为“CSV UTF-8”格式。")
        limit = settings.MAX_IMPORT_FILE_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(f"文件超过 {limit} MB，请拆分后分批导入。")
        return upload
