"""The four programs with their national default parameters, and a default bank layout.

Values are written out here (not read from programs.py) so that the migration keeps
meaning what it meant when it ran, whatever the code later changes."""

from django.db import migrations

PROGRAMS = [
    (
        "rural_reward",
        "农村部分计划生育家庭奖励扶助",
        "农业户口，1933年1月1日以后出生，现有一个子女或两个女孩或子女死亡现无子女，"
        "夫妻双方各自年满60周岁的当年起按人按年发放；政策符合性在村级审核时核实。",
        "2004-01-01",
        {"born_from": "1933-01-01", "min_age": 60, "amount_year": "960.00",
         "county_topup_year": "0.00"},
        "国家标准：每人每年960元",
    ),
    (
        "special_assistance",
        "计划生育家庭特别扶助",
        "只生育或收养一个子女，子女死亡或伤残（残疾等级一至三级），女方年满49周岁，"
        "夫妻双方按人按月发放。",
        "2014-01-01",
        {"mother_min_age": 49, "died_urban_month": "340.00", "died_rural_month": "170.00",
         "disabled_urban_month": "270.00", "disabled_rural_month": "150.00"},
        "2014年国家标准",
    ),
    (
        "one_child_reward",
        "独生子女父母奖励",
        "持独生子女父母光荣证，子女未满当地规定年龄，按月发放。",
        "2000-01-01",
        {"child_age_limit": 18, "amount_month": "10.00"},
        "地方标准（请按本地规定修改）",
    ),
    (
        "childcare_subsidy",
        "育儿补贴",
        "2025年1月1日起，3周岁以下婴幼儿每孩每年3600元（每月300元），由父母向婴幼儿户籍地申请，"
        "发放至申请人本人账户；2025年前出生且未满3周岁的，按2025年1月至满3周岁前一个月计算。",
        "2025-01-01",
        {"starts_on": "2025-01-01", "amount_year": "3600.00"},
        "国家育儿补贴制度实施方案",
    ),
]

LAYOUT = [
    ["序号", "seq"],
    ["姓名", "name"],
    ["身份证号", "id_number"],
    ["户名", "payee_name"],
    ["账号", "account_number"],
    ["开户银行", "bank_name"],
    ["金额", "amount"],
    ["备注", "note"],
]


def preload(apps, schema_editor):
    Program = apps.get_model("benefits", "Program")
    ProgramParameters = apps.get_model("benefits", "ProgramParameters")
    BankLayout = apps.get_model("benefits", "BankLayout")
    for code, name, description, effective, values, note in PROGRAMS:
        program, _ = Program.objects.get_or_create(
            code=code, defaults={"name": name, "rule": code, "description": description}
        )
        ProgramParameters.objects.get_or_create(
            program=program, effective_from=effective, defaults={"values": values, "note": note}
        )
    BankLayout.objects.get_or_create(name="通用代发格式", defaults={"columns": LAYOUT})


class Migration(migrations.Migration):
    dependencies = [("benefits", "0001_initial")]

    operations = [migrations.RunPython(preload, migrations.RunPython.noop)]
