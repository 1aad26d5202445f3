"""The main menu: each entry shows only to users with its capability.

Apps add their entries here, in the order users see them.
"""

from __future__ import annotations

from dataclasses import dataclass

from famplan.accounts.roles import Cap


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: str


NAV_ITEMS: list[NavItem] = [
    NavItem("行政区划", "orgunits:home", Cap.UNITS_VIEW),
    NavItem("人口信息", "registry:person_list", Cap.REGISTRY_VIEW),
    NavItem("本月录入", "registry:this_month", Cap.REGISTRY_EDIT),
    NavItem("生育登记", "registration:list", Cap.REGISTRATION_VIEW),
    NavItem("出生一件事", "registration:bundle_list", Cap.REGISTRATION_VIEW),
    NavItem("孕前随访", "health:worklist", Cap.HEALTH_VIEW),
    NavItem("孕前检查", "health:check_list", Cap.HEALTH_VIEW),
    NavItem("叶酸", "health:folic_list", Cap.HEALTH_VIEW),
    NavItem("避孕药具", "supplies:point_list", Cap.SUPPLIES_VIEW),
    NavItem("住院分娩", "deliveries:list", Cap.BIRTHS_REPORT),
    NavItem("辖区住院分娩", "deliveries:area_list", Cap.DELIVERIES_VIEW),
    NavItem("医疗机构接口", "deliveries:facility_list", Cap.FACILITIES_MANAGE),
    NavItem("数据导入", "transfer:home", Cap.REGISTRY_IMPORT),
    NavItem("数据质量", "quality:home", Cap.QUALITY_VIEW),
    NavItem("奖励扶助", "benefits:home", Cap.BENEFITS_VIEW),
    NavItem("特殊家庭", "care:family_list", Cap.CARE_VIEW),
    NavItem("包村包户", "care:assignment_list", Cap.CARE_VIEW),
    NavItem("统计指标", "indicators:report", Cap.INDICATORS_VIEW),
    NavItem("考核", "assessment:scheme_list", Cap.ASSESSMENT_VIEW),
    NavItem("统计填报", "indicators:elements", Cap.ELEMENTS_ENTER),
    NavItem("工作方案", "campaigns:list", Cap.CAMPAIGNS_VIEW),
    NavItem("后台任务", "jobs:list", Cap.JOBS_VIEW),
    NavItem("用户管理", "accounts:user_list", Cap.USERS_MANAGE),
    NavItem("审计日志", "audit:list", Cap.AUDIT_VIEW),
]
