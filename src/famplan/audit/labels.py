"""Chinese names of audit actions, for the audit page and its export.

Action codes are `<app>.<subject>.<verb>`. Most names are built from the subject and
the verb; the few that read badly that way are spelled out.
"""

from __future__ import annotations

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
    "registry.events.listed": "查看本月录入",
    "transfer.import.completed": "导入数据",
    "quality.run.completed": "数据质量检查",
    "demo.county.generated": "生成演示人口",
    "demo.users.loaded": "载入演示账号",
    "jobs.job.started": "启动后台任务",
    "indicators.values.refreshed": "计算统计指标",
    "indicators.target.set": "设定指标目标",
    "indicators.target.copied": "下达指标目标",
    "indicators.report.exported": "导出统计指标",
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
