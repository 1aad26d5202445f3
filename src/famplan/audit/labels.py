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
    "demo.supplies.generated": "生成演示药具数据",
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
    "health.person.viewed": "查看人员的孕前优生与叶酸记录",
    "health.check.recorded": "登记孕前优生健康检查",
    "health.check.viewed": "查看孕前优生健康检查",
    "health.check.listed": "查看孕前优生健康检查列表",
    "health.check.exported": "导出孕前优生健康检查",
    "health.followup.recorded": "登记孕前优生随访结果",
    "health.followup.viewed": "查看孕前优生随访",
    "health.followup.listed": "查看孕前优生随访清单",
    "health.followup.exported": "导出孕前优生随访清单",
    "health.folic_issue.recorded": "登记叶酸发放",
    "health.folic_issue.viewed": "查看叶酸发放",
    "health.folic_issue.listed": "查看叶酸发放列表",
    "health.folic_issue.exported": "导出叶酸发放",
    "health.folic_followup.recorded": "登记叶酸随访",
    "health.target.split": "分解孕前优生检查目标",
    "health.target.set": "设定乡镇孕前优生检查目标",
    "health.rates.exported": "导出叶酸知晓服用依从率",
    "health.coverage.exported": "导出孕前优生检查覆盖率",
    "supplies.kind.created": "新增药具种类",
    "supplies.kind.updated": "修改药具种类",
    "supplies.point.created": "新建药具发放点",
    "supplies.point.updated": "修改药具发放点",
    "supplies.point.exported": "导出药具发放点",
    "supplies.delivery.recorded": "登记药具入库/配送",
    "supplies.issue.recorded": "登记药具发放",
    "supplies.delivery.voided": "撤销药具入库/配送",
    "supplies.issue.voided": "撤销药具发放",
    "supplies.report.exported": "导出药具月报",
    "supplies.request.recorded": "登记药具服务记录",
    "supplies.request.viewed": "查看药具服务记录",
    "supplies.request.listed": "查看药具服务记录列表",
    "supplies.request.exported": "导出药具服务记录",
    "benefits.parameters.set": "设定扶助项目参数",
    "benefits.program.created": "设立地方扶助项目",
    "benefits.program.updated": "修改扶助项目信息",
    "benefits.cycle.opened": "开启年度发放周期",
    "benefits.cycle.listed": "生成扶助候选名单",
    "benefits.cycle.viewed": "查看年度发放周期",
    "benefits.entry.viewed": "查看扶助对象审核信息",
    "benefits.entry.village_reviewed": "村级审核扶助对象",
    "benefits.notice.published": "发布扶助对象公示",
    "benefits.notice.printed": "打印扶助对象公示名单",
    "benefits.objection.recorded": "登记公示异议",
    "benefits.objection.resolved": "处理公示异议",
    "benefits.entry.township_reviewed": "乡镇审核扶助对象",
    "benefits.duplicate.resolved": "核查疑似重复扶助对象",
    "benefits.cycle.approved": "县级审批扶助名单",
    "benefits.roster.frozen": "冻结发放花名册",
    "benefits.roster.listed": "查看发放花名册",
    "benefits.roster.exported": "导出发放花名册",
    "benefits.roster.exited": "登记扶助对象退出",
    "benefits.roster.entrant_added": "增补扶助对象",
    "benefits.application.submitted": "受理扶助申请",
    "benefits.application.online_submitted": "网上申请育儿补贴",
    "benefits.application.online_refused": "网上申请育儿补贴未通过核对",
    "benefits.application.status_checked": "查询育儿补贴申请状态",
    "benefits.application.account_kept": "核实网上申请账户后保留原账户",
    "benefits.accounts_to_check.listed": "查看待核实的网上申请账户",
    "benefits.account.created": "登记银行账户",
    "benefits.account.changed": "变更银行账户",
    "benefits.account.viewed": "查看银行账户",
    "benefits.person.viewed": "查看人员的奖励扶助信息",
    "benefits.payment_file.exported": "生成银行代发文件",
    "benefits.layout.saved": "设定银行代发格式",
    "benefits.payment.confirmed": "确认发放结果",
    "benefits.confirmations.imported": "导入银行发放结果",
    "benefits.eligibility.viewed": "查看扶助资格说明",
    "benefits.report.viewed": "查看扶助发放统计",
    "benefits.report.exported": "导出扶助发放统计",
    "deliveries.facility.created": "新建医疗卫生机构",
    "deliveries.member.added": "添加机构用户",
    "deliveries.token.created": "创建机构接口令牌",
    "deliveries.token.revoked": "吊销机构接口令牌",
    "deliveries.delivery.recorded": "登记住院分娩",
    "deliveries.delivery.listed": "查看住院分娩列表",
    "deliveries.delivery.exported": "导出住院分娩",
    "deliveries.area.listed": "查看辖区住院分娩列表",
    "deliveries.area.exported": "导出辖区住院分娩",
    "api.delivery.posted": "接口提交分娩记录",
    "api.delivery.batch_posted": "接口批量提交分娩记录",
    "api.delivery.viewed": "接口查询分娩记录",
    "api.request.invalid": "接口请求格式有误",
    "api.request.unauthorized": "接口令牌无效",
    "indicators.elements.recorded": "填报统计数据",
    # care: special families (计生特殊家庭) and responsibility (包村包户)
    "care.family.confirmed": "确认计生特殊家庭",
    "care.family.dismissed": "特殊家庭候选核实不符",
    "care.family.created": "登记计生特殊家庭",
    "care.family.updated": "修改计生特殊家庭",
    "care.family.closed": "特殊家庭退出名册",
    "care.family.listed": "查看计生特殊家庭名册",
    "care.family.viewed": "查看计生特殊家庭",
    "care.person.viewed": "查看人员所在的计生特殊家庭",
    "care.family.exported": "导出计生特殊家庭名册",
    "care.candidate.listed": "查看待确认的特殊家庭",
    "care.help.recorded": "登记特殊家庭帮扶",
    "care.assignment.created": "新增包村包户责任人",
    "care.assignment.ended": "结束包村包户责任",
    "care.assignment.listed": "查看包村包户责任",
    "care.assignment.exported": "导出包村包户责任",
    "care.unvisited.listed": "查看未走访责任",
    "care.unvisited.exported": "导出未走访责任",
    "care.visit.recorded": "登记走访",
    "care.visit.listed": "查看走访记录",
    "care.visit.exported": "导出走访记录",
    "care.worklist.viewed": "查看待走访清单",
    "care.coverage.exported": "导出包村包户覆盖情况",
    "demo.care.generated": "生成演示特殊家庭与包村包户数据",
    "campaigns.campaign.created": "新建工作方案",
    "campaigns.campaign.published": "下发工作方案",
    "campaigns.phase.created": "添加工作方案阶段",
    "campaigns.task.created": "添加工作方案任务",
    "campaigns.task.updated": "修改任务目标分解",
    "campaigns.dispatch.created": "添加通报日期",
    "campaigns.progress.recorded": "报送工作进度",
    "campaigns.bulletin.published": "发布进度通报",
    "campaigns.bulletin.printed": "打印进度通报",
    "campaigns.bulletin.exported": "导出进度通报",
    "assessment.scheme.created": "新建考核方案",
    "assessment.item.added": "添加考核项目",
    "assessment.item.updated": "修改考核项目",
    "assessment.item.deleted": "删除考核项目",
    "assessment.scheme.published": "发布考核方案",
    "assessment.scores.recorded": "录入实地核查得分",
    "assessment.veto.recorded": "登记一票否决",
    "assessment.bulletin.exported": "导出考核通报",
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
    "supplies": "避孕药具",
    "demo": "演示数据",
    "audit": "审计与访问",
    "health": "孕前优生与叶酸",
    "benefits": "奖励扶助",
    "deliveries": "住院分娩",
    "care": "特殊家庭与包村包户",
    "api": "数据接口",
    "campaigns": "工作方案",
    "assessment": "目标考核",
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
