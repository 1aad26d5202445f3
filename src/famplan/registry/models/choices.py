"""Coded values of the population registry, with their Chinese labels."""

from __future__ import annotations

from django.db import models


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class HukouType(models.TextChoices):
    RURAL = "rural", "农业"
    URBAN = "urban", "非农业"


class PersonStatus(models.TextChoices):
    ACTIVE = "active", "在册"
    AWAY = "away", "外出(流出)"
    MOVED_OUT = "moved_out", "迁出"
    DECEASED = "deceased", "死亡"


# Statuses of people still on the register (population at a date counts them).
ON_REGISTER = (PersonStatus.ACTIVE, PersonStatus.AWAY)


class DisabilityGrade(models.IntegerChoices):
    """残疾等级 as on the disability certificate (残疾人证): grade 1 is the most severe."""

    GRADE_1 = 1, "一级"
    GRADE_2 = 2, "二级"
    GRADE_3 = 3, "三级"
    GRADE_4 = 4, "四级"


class MaritalStatus(models.TextChoices):
    UNMARRIED = "unmarried", "未婚"
    FIRST_MARRIED = "first_married", "初婚"
    REMARRIED = "remarried", "再婚"
    DIVORCED = "divorced", "离婚"
    WIDOWED = "widowed", "丧偶"


MARRIED = (MaritalStatus.FIRST_MARRIED, MaritalStatus.REMARRIED)


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    GRANDCHILD = "grandchild", "孙子女"
    SIBLING = "sibling", "兄弟姐妹"
    CHILD_IN_LAW = "child_in_law", "儿媳/女婿"
    OTHER = "other", "其他"


class MarriageKind(models.TextChoices):
    FIRST = "first", "初婚"
    RE = "re", "再婚"


class MarriageEnd(models.TextChoices):
    DIVORCE = "divorce", "离婚"
    DEATH = "death", "丧偶"


class BirthPlace(models.TextChoices):
    HOSPITAL = "hospital", "医院"
    HOME = "home", "家中"
    OTHER = "other", "其他"


class Direction(models.TextChoices):
    IN = "in", "流入"
    OUT = "out", "流出"


class MigrationStatus(models.TextChoices):
    ACTIVE = "active", "在外/在本地"
    RETURNED = "returned", "已返回"
    CLOSED = "closed", "已注销"


ETHNICITIES = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
    "其他",
]
Ethnicity = models.TextChoices("Ethnicity", [(e, e) for e in ETHNICITIES])
