"""Request and response bodies of the API (their OpenAPI schema at /api/openapi.json)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict


class DeliveryIn(Schema):
    # A hospital system's numeric record id is taken as text; a misspelt field is
    # refused by name rather than silently dropped.
    model_config = ConfigDict(coerce_numbers_to_str=True, extra="forbid")

    record_id: str = Field(..., description="机构病案号（本机构内唯一；重复提交同一内容为幂等）")
    mother_id_number: str = Field(..., description="母亲18位公民身份号码")
    delivered_on: date = Field(..., description="分娩日期，年-月-日，不能晚于今天")
    sex: str = Field(..., description="婴儿性别：M（男）或 F（女）")
    weight_g: int | None = Field(None, description="出生体重（克），300至7000")
    place: str = Field("hospital", description="分娩地点：hospital（医院）、home、other")
    child_name: str = Field("", description="婴儿姓名；未取名可不填（记为“母亲姓名之子/之女”）")
    multiple: bool = Field(False, description="多胞胎：同一母亲同日第二个及以后的婴儿填 true")
    medical_certificate_number: str | None = Field(
        None,
        description="出生医学证明编号，字母加数字，如 Q620012345；尚未办理可不填。"
        "每个婴儿唯一，已被其他出生登记使用的编号不予接受",
    )
    father_id_number: str | None = Field(
        None,
        description="父亲18位公民身份号码；父亲须在人口信息库中（本机构服务区域内），不详可不填",
    )


class FieldErrorOut(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    code: str = Field(..., description="invalid / conflict / unauthorized / too_many")
    message: str
    errors: list[FieldErrorOut] = []


class DeliveryOut(Schema):
    delivery_id: int
    record_id: str
    status: str = Field(..., description="created：新建出生登记；matched：匹配已有出生登记")
    birth_id: int
    child_name: str
    birth_order: int
    registration_linked: bool = Field(..., description="是否已关联生育登记")
    medical_certificate_number: str | None = Field(None, description="出生登记上的出生医学证明编号")


class BatchIn(Schema):
    deliveries: list[dict[str, Any]] = Field(
        ..., description="最多1000条，每条与单条提交的字段相同", max_length=1000
    )


class BatchItemOut(Schema):
    index: int
    record_id: str
    status: str = Field(..., description="created / matched / invalid / conflict / unchecked")
    replayed: bool = False
    delivery: DeliveryOut | None = None
    errors: list[FieldErrorOut] = []


class BatchOut(Schema):
    ok: bool = Field(..., description="全部通过并已保存；为 false 时一条也未保存")
    counts: dict[str, int]
    results: list[BatchItemOut]
