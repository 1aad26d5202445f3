"""住院分娩实名登记: facilities post deliveries; each becomes (or matches) a registry Birth
through deliveries.services, which runs the registry's own birth rules and writer.
Every call writes an audit row naming the facility's token."""

from __future__ import annotations

from typing import Any

import pydantic
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from famplan.api.errors import body, field_errors, pydantic_errors
from famplan.api.schemas import BatchIn, BatchOut, DeliveryIn, DeliveryOut, ErrorOut
from famplan.audit.models import Result
from famplan.audit.services import audit_log
from famplan.common.errors import DomainError
from famplan.deliveries.models import DeliveryRecord, FacilityToken, Via
from famplan.deliveries.services import (
    DeliveriesRefused,
    DeliveryConflict,
    DeliveryData,
    DeliveryResult,
    deliveries_record,
    deliveries_validate,
)

router = Router(tags=["住院分娩"])


def _audit(request: HttpRequest, action: str, status: int, **detail: Any) -> None:
    token: FacilityToken = request.auth
    audit_log(
        actor=token.facility.account,
        action=action,
        org_unit_id=token.facility.unit_id,
        detail={"token": token.prefix, "facility": token.facility.code, "status": status,
                **detail},
        result=Result.OK if status < 400 else Result.FAILED,
    )  # fmt: skip


def delivery_out(record: DeliveryRecord) -> dict[str, Any]:
    birth = record.birth
    return {
        "delivery_id": record.pk,
        "record_id": record.record_id,
        "status": record.status,
        "birth_id": birth.pk,
        "child_name": birth.child.name,
        "birth_order": birth.birth_order,
        "registration_linked": getattr(birth, "registration", None) is not None,
        "medical_certificate_number": birth.medical_certificate_number,
    }


def _data(item: DeliveryIn) -> DeliveryData:
    return DeliveryData(**item.model_dump())


def _refusal(result: DeliveryResult) -> str:
    if not result.conflict:
        return "提交的内容有误"
    if any(isinstance(e, DeliveryConflict) and e.field == "record_id" for e in result.errors):
        return "机构病案号已登记，内容不同"
    return "与已登记的出生信息不一致"


def _post(request: HttpRequest, items: list[DeliveryData]) -> list[DeliveryResult]:
    token: FacilityToken = request.auth
    return deliveries_record(
        actor=token.facility.account, facility=token.facility, items=items, via=Via.API,
        token=token,
    )  # fmt: skip


@router.post(
    "/deliveries",
    response={200: DeliveryOut, 409: ErrorOut, 422: ErrorOut},
    summary="提交一条分娩记录",
    url_name="delivery_create",
)
def delivery_create(request: HttpRequest, response: HttpResponse, payload: DeliveryIn):
    """新建或匹配人口信息库中的出生登记。同一机构病案号、同一内容再次提交返回同一结果
    （响应头 Idempotent-Replayed: true）；内容不同为 409。"""
    # The delivery and the call's audit row in one commit (a refusal rolls back to the
    # service's savepoint, and its audit row stays).
    with transaction.atomic():
        return _create(request, response, payload)


def _create(request: HttpRequest, response: HttpResponse, payload: DeliveryIn) -> Status:
    try:
        (result,) = _post(request, [_data(payload)])
    except DeliveriesRefused as refused:
        (result,) = refused.results
        code, status = ("conflict", 409) if result.conflict else ("invalid", 422)
        _audit(request, "api.delivery.posted", status, record_id=result.record_id,
               errors=[e.field for e in result.errors])  # fmt: skip
        message = _refusal(result)
        return Status(status, body(code, message, field_errors(result.errors)))
    except DomainError as exc:
        _audit(request, "api.delivery.posted", 409, record_id=payload.record_id)
        return Status(409, body("conflict", exc.message))
    record = result.delivery
    if result.replayed:
        response["Idempotent-Replayed"] = "true"
    _audit(request, "api.delivery.posted", 200, record_id=record.record_id,
           delivery=record.pk, outcome=record.status, replayed=result.replayed)  # fmt: skip
    return Status(200, delivery_out(record))


@router.post(
    "/deliveries/batch",
    response={200: BatchOut, 422: BatchOut},
    summary="批量提交分娩记录（最多1000条）",
    url_name="delivery_batch",
)
def delivery_batch(request: HttpRequest, payload: BatchIn):
    """全部校验后再保存：全部通过则全部保存（200），任一条有误则一条也不保存（422），
    逐条给出结果与错误。已提交过的相同记录返回原结果（replayed）。"""
    with transaction.atomic():
        return _batch(request, payload)


def _batch(request: HttpRequest, payload: BatchIn) -> Status:
    items: list[DeliveryData | None] = []
    shape_errors: dict[int, list[dict[str, str]]] = {}
    for index, raw in enumerate(payload.deliveries):
        try:
            items.append(_data(DeliveryIn.model_validate(raw)))
        except pydantic.ValidationError as exc:
            items.append(None)
            shape_errors[index] = pydantic_errors(exc.errors())
    valid = [d for d in items if d is not None]
    results: list[DeliveryResult] = []
    refused = bool(shape_errors)
    try:
        if refused:
            # Every item is still checked, so the caller sees every problem at once.
            results = deliveries_validate(facility=request.auth.facility, items=valid)
        else:
            results = _post(request, valid)
    except DeliveriesRefused as exc:
        results, refused = exc.results, True
    by_item = iter(results)
    out, counts = [], {"created": 0, "matched": 0, "replayed": 0, "invalid": 0, "conflict": 0}
    for index, data in enumerate(items):
        if data is None:
            out.append({"index": index, "record_id": str(payload.deliveries[index].get(
                "record_id", "")), "status": "invalid", "errors": shape_errors[index]})  # fmt: skip
            counts["invalid"] += 1
            continue
        result = next(by_item)
        entry: dict[str, Any] = {"index": index, "record_id": result.record_id}
        if not result.ok:
            entry["status"] = "conflict" if result.conflict else "invalid"
            entry["errors"] = field_errors(result.errors)
        elif refused:
            entry["status"] = "unchecked" if result.delivery is None else result.status
            entry["replayed"] = result.replayed
        else:
            entry["status"] = result.status
            entry["replayed"] = result.replayed
            entry["delivery"] = delivery_out(result.delivery)
        # A replay counts as a replay only (what it was first is in its status).
        key = "replayed" if entry.get("replayed") else entry["status"]
        if key in counts:
            counts[key] += 1
        out.append(entry)
    status = 422 if refused else 200
    _audit(request, "api.delivery.batch_posted", status, count=len(items), **counts)
    return Status(status, {"ok": not refused, "counts": counts, "results": out})


@router.get(
    "/deliveries/{record_id}",
    response={200: DeliveryOut, 404: ErrorOut},
    summary="查询本机构已提交的一条分娩记录",
    url_name="delivery_detail",
)
def delivery_detail(request: HttpRequest, record_id: str):
    token: FacilityToken = request.auth
    record = (
        DeliveryRecord.objects.select_related("birth__child", "birth__registration")
        .filter(facility=token.facility, record_id=record_id)
        .first()
    )
    if record is None:
        _audit(request, "api.delivery.viewed", 404, record_id=record_id)
        return Status(404, body("not_found", "本机构没有该病案号的分娩记录"))
    _audit(request, "api.delivery.viewed", 200, record_id=record_id, delivery=record.pk)
    return Status(200, delivery_out(record))
