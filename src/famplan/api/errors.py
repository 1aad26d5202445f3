"""The API's error bodies: one shape for every refusal, with Chinese messages naming the
field, whether pydantic refused the body's shape or a domain rule refused its facts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from famplan.deliveries.services import FIELD_LABELS
from famplan.registry.services.people import FieldError

# pydantic's error types -> a Chinese message about the field (its label filled in).
_MESSAGES = {
    "missing": "请填写{label}",
    "string_type": "{label}应为字符串",
    "int_type": "{label}应为整数",
    "int_parsing": "{label}应为整数",
    "int_from_float": "{label}应为整数",
    "bool_type": "{label}应为 true 或 false",
    "bool_parsing": "{label}应为 true 或 false",
    "date_type": "{label}格式不正确，应为“年-月-日”（如 2026-01-31）",
    "date_parsing": "{label}格式不正确，应为“年-月-日”（如 2026-01-31）",
    "date_from_datetime_parsing": "{label}格式不正确，应为“年-月-日”（如 2026-01-31）",
    "date_from_datetime_inexact": "{label}格式不正确，应为“年-月-日”（如 2026-01-31）",
    "list_type": "{label}应为数组",
    "too_long": "{label}最多{max}条",
    "too_short": "{label}至少{min}条",
    "model_attributes_type": "请求体应为 JSON 对象",
    "dict_type": "请求体应为 JSON 对象",
    "json_invalid": "请求体不是有效的 JSON",
    "extra_forbidden": "不认识的字段{name}",
}
LABELS = {**FIELD_LABELS, "deliveries": "分娩记录"}


def field_path(loc: Iterable[Any]) -> str:
    """pydantic's location without ninja's ("body", "<param>") head: "weight_g",
    "deliveries[3]"."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path"):
        parts = parts[2:] if len(parts) > 1 else []
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def pydantic_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    found = []
    for error in errors:
        path = field_path(error.get("loc", ()))
        name = path.rsplit(".", 1)[-1].split("[")[0]
        ctx = error.get("ctx") or {}
        template = _MESSAGES.get(error.get("type", ""), "{label}格式不正确")
        label = LABELS.get(name, name or "请求体")
        found.append(
            {
                "field": path or "body",
                "message": template.format(
                    label=label,
                    name=name,
                    max=ctx.get("max_length", ""),
                    min=ctx.get("min_length", ""),
                ),
            }
        )
    return found


def field_errors(errors: Iterable[FieldError]) -> list[dict[str, str]]:
    return [{"field": e.field, "message": e.message} for e in errors]


def body(code: str, message: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "errors": errors or []}
