"""Chinese names of audit actions, for the audit page and its export.

Action codes are `<app>.<subject>.<verb>`. Most names are built from the subject and
the verb; the few that read badly that way are spelled out.
"""

from __future__ import annotations

from collections.abc import Iterable

SPELLED_OUT = {
    "accounts.login.succeeded": "登录",
    "accounts.login.failed": "登录失败",
    "accounts.logout": "退出",
    "accounts.password.changed": "修改本人密码",
    "accounts.user.password_reset": "重置用户密码",
    "accounts.user.unlocked": "解除用户锁定",
    "accounts.otp.enrolled": "绑定动态口令",
    "accounts.otp.verified": "动态口令验证",
    "accounts.otp.failed": "动态口令错误",
    "accounts.otp.reset": "重置动态口令",
    "registry.person.id_unmasked": "查看完整身份证号",
    "registry.person.moved": "居住地变更",
    "registry.person.moved_away": "户口迁出",
    "registry.migration.in": "登记流入",
    "registry.migration.out": "登记流出",
    "registry.migration.returned": "登记流动返回",
    "registry.marriage.divorced": "登记离婚",
    "registry.household.split": "分户",
    "registry.household.merged": "并户",
    "registry.household.member_added": "添加户成员",
    "registry.household.head_changed": "变更户主",
    "registry.events.listed": "查看本月录入",
    "transfer.import.completed": "导入数据",
    "quality.run.completed": "数据质量检查",
    "quality.number_conflict.recorded": "记录号码冲突",
    "quality.conflicts.viewed": "查看号码冲突",
    "demo.county.generated": "生成演示人口",
    "demo.users.loaded": "载入演示账号",
    "jobs.job.started": "启动后台任务",
    "audit.access.denied": "无权访问（已拒绝）",
    "audit.access.not_found": "访问不存在或管辖范围外的记录",
    "registration.registration.submitted": "提交生育登记",
    "registration.registration.registered": "办结生育登记",
    "registration.registration.returned": "退回生育登记",
    "registration.registration.birth_linked": "生育登记关联出生",
    "registration.card.printed": "打印生育登记服务卡",
    "registration.status.checked": "网上查询生育登记状态",
    "registration.bundle.recorded": "登记出生一件事事项",
    "registration.bundle.listed": "查看出生一件事清单",
    "registration.bundle.viewed": "查看出生一件事",
    "registration.bundle.exported": "导出出生一件事清单",
    "indicators.values.refreshed": "计算统计指标",
    "indicators.target.set": "设定指标目标",
    "indicators.target.copied": "下达指标目标",
    "indicators.report.exported": "导出统计指标",
    "indicators.elements.recorded": "填报统计数据",
}

SUBJECTS = {
    "user": "用户",
    "person": "人员",
    "household": "户",
    "birth": "出生",
    "death": "死亡",
    "marriage": "婚姻",
    "migration": "流动人口",
    "divisions": "行政区划",
    "log": "审计日志",
    "worklist": "质量问题清单",
    "file": "任务文件",
    "job": "后台任务",
    "registration": "生育登记",
}

# verb -> a pattern with {s} for the subject
VERBS = {
    "created": "新建{s}",
    "updated": "修改{s}",
    "deactivated": "停用{s}",
    "reactivated": "启用{s}",
    "recorded": "登记{s}",
    "viewed": "查看{s}",
    "listed": "查看{s}列表",
    "searched": "查询{s}",
    "exported": "导出{s}",
    "imported": "导入{s}",
    "downloaded": "下载{s}",
    "succeeded": "{s}完成",
    "failed": "{s}失败",
}


def action_label(code: str) -> str:
    """The Chinese name of an action code, or "" for one famplan does not know."""
    if code in SPELLED_OUT:
        return SPELLED_OUT[code]
    parts = code.split(".")
    if len(parts) != 3 or parts[1] not in SUBJECTS or parts[2] not in VERBS:
        return ""
    return VERBS[parts[2]].format(s=SUBJECTS[parts[1]])


# The first part of a code, for the groups of the audit page's action list.
APPS = {
    "accounts": "账号与登录",
    "registry": "人口登记",
    "transfer": "导入",
    "quality": "数据质量",
    "jobs": "后台任务",
    "orgunits": "行政区划",
    "demo": "演示数据",
    "audit": "审计与访问",
}


def display_label(code: str) -> str:
    """What the audit page shows: the name, or for a code famplan no longer knows (an
    older version's) a marked fallback, so the row is still identifiable."""
    return action_label(code) or f"未命名操作（{code}）"


def action_choices(codes: Iterable[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Choices for the action filter, grouped by app: first "all of the app" (the code
    prefix "app.", which the filter matches by prefix), then each action by name."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code in codes:
        groups.setdefault(code.split(".", 1)[0], []).append((code, display_label(code)))
    choices = []
    for app, name in APPS.items():
        if app in groups:
            actions = sorted(groups.pop(app), key=lambda c: c[1])
            choices.append((name, [(f"{app}.", f"{name}：全部"), *actions]))
    others = sorted((c for group in groups.values() for c in group), key=lambda c: c[1])
    if others:
        choices.append(("其他", others))
    return choices
