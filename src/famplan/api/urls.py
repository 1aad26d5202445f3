"""The JSON API (django-ninja): /api/, its OpenAPI schema at /api/openapi.json and the
docs page at /api/docs (for signed-in users; assets served locally, no CDN)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from famplan.api.auth import FacilityToken
from famplan.api.deliveries import router as deliveries_router
from famplan.api.errors import body, pydantic_errors
from famplan.audit.models import Result
from famplan.audit.services import audit_log

api = NinjaAPI(
    title="famplan 数据接口",
    version="1",
    description=(
        "住院分娩实名登记等接口。认证：Authorization: Bearer <机构令牌>（由县级管理员创建）。"
    ),
    urls_namespace="api",
    auth=FacilityToken(),
    docs_decorator=login_required,
)
api.add_router("/", deliveries_router)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = pydantic_errors(exc.errors)
    token = getattr(request, "auth", None)
    if token is not None:
        audit_log(
            actor=token.facility.account,
            action="api.request.invalid",
            org_unit_id=token.facility.unit_id,
            detail={"token": token.prefix, "facility": token.facility.code, "status": 422,
                    "path": request.path, "errors": [e["field"] for e in errors][:50]},
            result=Result.FAILED,
        )  # fmt: skip
    return api.create_response(request, body("invalid", "提交的内容有误", errors), status=422)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # Who tried is unknown: the row keeps the path and the token's first characters.
    header = request.headers.get("Authorization", "")
    audit_log(
        actor=None,
        action="api.request.unauthorized",
        detail={"path": request.path, "token": header.removeprefix("Bearer ")[:12]},
        result=Result.DENIED,
    )
    response = api.create_response(
        request, body("unauthorized", "缺少或无效的机构令牌，或令牌已吊销"), status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response
