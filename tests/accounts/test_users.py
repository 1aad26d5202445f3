"""User management: a manager creates, edits, deactivates and resets users in their subtree."""

from __future__ import annotations

import pytest
from django.test import Client

from famplan.accounts import services
from famplan.accounts.models import User
from famplan.accounts.roles import Role
from famplan.audit.models import AuditEntry
from famplan.common.errors import DomainError
from famplan.orgunits.models import OrgUnit
from tests.conftest import PASSWORD, make_user

NEW_PASSWORD = "Fresh-start-2026"


def new_user_data(**overrides) -> dict:
    data = {
        "username": "nanzui_worker",
        "full_name": "王小红",
        "phone": "13800000000",
        "org_unit": "620422100201",
        "role": Role.VILLAGE_WORKER,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def edit_data(user: User, **overrides) -> dict:
    data = {
        "full_name": user.full_name,
        "phone": user.phone,
        "org_unit": user.org_unit_id,
        "role": user.role,
    }
    data.update(overrides)
    return data


def listed_usernames(response) -> set[str]:
    return {u.username for u in response.context["page_obj"].object_list}


# --- the list ----------------------------------------------------------------------------


@pytest.mark.jurisdiction("accounts:user_list")
def test_it_lists_only_the_clerks_township(clerk_client, village_worker, other_clerk, county_admin):
    response = clerk_client.get("/accounts/users/")
    assert response.status_code == 200
    assert listed_usernames(response) == {"township_clerk", "village_worker"}
    assert "other_clerk" not in response.content.decode()


def test_it_lists_the_whole_county_for_the_county_admin(
    county_client, township_clerk, village_worker, other_clerk, auditor
):
    response = county_client.get("/accounts/users/")
    assert {"township_clerk", "village_worker", "other_clerk", "auditor", "county_admin"} <= (
        listed_usernames(response)
    )


@pytest.mark.jurisdiction("accounts:user_list")
def test_it_shows_nothing_for_a_unit_filter_outside_the_subtree(clerk_client, other_clerk):
    response = clerk_client.get("/accounts/users/", {"unit": "620422101"})
    assert response.status_code == 200
    assert listed_usernames(response) == set()
    assert "所选单位不存在或不在您的管辖范围内" in response.content.decode()


def test_it_filters_by_unit_role_state_and_name(county_client, township_clerk, village_worker):
    make_user("retired", "620422100201", Role.VILLAGE_WORKER, is_active=False)
    get = county_client.get
    assert listed_usernames(get("/accounts/users/", {"unit": "620422100001"})) == {"village_worker"}
    assert listed_usernames(get("/accounts/users/", {"role": "village_worker"})) == {
        "village_worker",
        "retired",
    }
    assert listed_usernames(get("/accounts/users/", {"active": "0"})) == {"retired"}
    assert listed_usernames(get("/accounts/users/", {"q": "VILLAGE"})) == {"village_worker"}


def test_it_paginates_with_a_fixed_number_of_queries(
    county_client, units, django_assert_max_num_queries
):
    for i in range(60):
        make_user(f"worker{i:02}", "620422100201", Role.VILLAGE_WORKER)
    with django_assert_max_num_queries(11):  # +1 for the TOTP device check
        first = county_client.get("/accounts/users/", {"role": "village_worker"})
    assert len(first.context["page_obj"].object_list) == 50
    second = county_client.get("/accounts/users/", {"role": "village_worker", "page": 2})
    assert len(second.context["page_obj"].object_list) == 10
    assert "role=village_worker&amp;page=" in first.content.decode()


def test_it_refuses_users_without_the_capability(village_client, auditor):
    assert village_client.get("/accounts/users/").status_code == 403
    assert Client().get("/accounts/users/").status_code == 302
    auditor_client = Client()
    auditor_client.force_login(auditor)
    assert auditor_client.get("/accounts/users/new/").status_code == 403


# --- create ------------------------------------------------------------------------------


@pytest.mark.jurisdiction("accounts:user_create")
def test_it_creates_a_village_worker_in_the_clerks_township(clerk_client, township_clerk):
    response = clerk_client.post("/accounts/users/new/", new_user_data())
    assert response.status_code == 302
    user = User.objects.get(username="nanzui_worker")
    assert user.org_unit_id == "620422100201" and user.role == Role.VILLAGE_WORKER
    assert user.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action="accounts.user.created")
    assert entry.user == township_clerk and entry.target_id == str(user.pk)
    assert entry.org_unit_id == "620422100201"
    assert entry.detail["role"] == "village_worker" and entry.detail["full_name"] == "王小红"
    assert NEW_PASSWORD not in str(entry.detail)
    assert "password" not in str(entry.detail)


@pytest.mark.jurisdiction("accounts:user_create")
def test_it_refuses_a_unit_in_another_township(other_client):
    response = other_client.post("/accounts/users/new/", new_user_data())
    assert response.status_code == 200
    assert "所选单位不存在或不在您的管辖范围内" in response.content.decode()
    assert not User.objects.filter(username="nanzui_worker").exists()
    # and the form never offers that township's villages
    assert "620422100201" not in other_client.get("/accounts/users/new/").content.decode()


def test_it_refuses_a_role_the_clerk_may_not_assign(clerk_client):
    data = new_user_data(role=Role.COUNTY_ADMIN, org_unit="620422100")
    response = clerk_client.post("/accounts/users/new/", data)
    assert response.status_code == 200
    assert "您不能分配该角色" in response.content.decode()
    assert not User.objects.filter(username="nanzui_worker").exists()


def test_it_refuses_a_role_that_does_not_fit_the_unit(clerk_client):
    response = clerk_client.post("/accounts/users/new/", new_user_data(role=Role.TOWNSHIP_CLERK))
    assert response.status_code == 200
    assert "只能设在乡镇级单位" in response.content.decode()


def test_it_checks_the_initial_password_in_chinese(clerk_client):
    response = clerk_client.post(
        "/accounts/users/new/", new_user_data(password1="short", password2="short")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "密码长度太短" in body and "至少三类" in body
    mismatch = clerk_client.post("/accounts/users/new/", new_user_data(password2="Other-pass-2026"))
    assert "两次输入的密码不一致" in mismatch.content.decode()


def test_it_refuses_a_taken_username_in_chinese(clerk_client, village_worker):
    response = clerk_client.post("/accounts/users/new/", new_user_data(username="village_worker"))
    assert response.status_code == 200
    assert "已存在一位使用该名字的用户" in response.content.decode()


def test_it_lets_the_county_admin_create_a_township_auditor(county_client):
    data = new_user_data(username="t_auditor", org_unit="620422101", role=Role.AUDITOR)
    assert county_client.post("/accounts/users/new/", data).status_code == 302
    assert User.objects.get(username="t_auditor").org_unit_id == "620422101"


# --- edit --------------------------------------------------------------------------------


@pytest.mark.jurisdiction("accounts:user_edit")
def test_it_hides_another_townships_user_from_the_clerk(clerk_client, other_clerk, county_admin):
    assert clerk_client.get(f"/accounts/users/{other_clerk.pk}/").status_code == 404
    data = edit_data(other_clerk, full_name="改名")
    assert clerk_client.post(f"/accounts/users/{other_clerk.pk}/", data).status_code == 404
    # a user above the clerk is outside the subtree too
    assert clerk_client.get(f"/accounts/users/{county_admin.pk}/").status_code == 404
    assert clerk_client.get("/accounts/users/999999/").status_code == 404
    other_clerk.refresh_from_db()
    assert other_clerk.full_name == "other_clerk"


def test_it_hides_a_user_whose_role_the_clerk_cannot_manage(clerk_client, units):
    nurse = make_user("nurse", "620422100", Role.FACILITY)
    assert clerk_client.get(f"/accounts/users/{nurse.pk}/").status_code == 404


def test_it_edits_a_user_and_records_the_changed_fields(
    clerk_client, township_clerk, village_worker
):
    data = edit_data(village_worker, full_name="张三", phone="13900000000", org_unit="620422100201")
    response = clerk_client.post(f"/accounts/users/{village_worker.pk}/", data)
    assert response.status_code == 302
    village_worker.refresh_from_db()
    assert (village_worker.full_name, village_worker.org_unit_id) == ("张三", "620422100201")
    entry = AuditEntry.objects.get(action="accounts.user.updated")
    assert entry.detail == {
        "changed": {
            "full_name": ["village_worker", "张三"],
            "phone": ["", "13900000000"],
            "org_unit": ["620422100001", "620422100201"],
        }
    }


def test_it_writes_no_row_when_nothing_changed(clerk_client, village_worker):
    clerk_client.post(f"/accounts/users/{village_worker.pk}/", edit_data(village_worker))
    assert not AuditEntry.objects.filter(action="accounts.user.updated").exists()


def test_it_refuses_to_move_a_user_outside_the_subtree(clerk_client, village_worker):
    data = edit_data(village_worker, org_unit="620422101201")
    response = clerk_client.post(f"/accounts/users/{village_worker.pk}/", data)
    assert response.status_code == 200
    assert "所选单位不存在或不在您的管辖范围内" in response.content.decode()
    village_worker.refresh_from_db()
    assert village_worker.org_unit_id == "620422100001"


def test_it_does_not_let_a_manager_change_their_own_role_or_unit(clerk_client, township_clerk):
    data = edit_data(township_clerk, role=Role.COUNTY_ADMIN, org_unit="620422", full_name="我")
    response = clerk_client.post(f"/accounts/users/{township_clerk.pk}/", data)
    assert response.status_code == 302  # the disabled fields keep their stored values
    township_clerk.refresh_from_db()
    assert township_clerk.role == Role.TOWNSHIP_CLERK
    assert township_clerk.org_unit_id == "620422100"
    assert township_clerk.full_name == "我"


def test_the_service_refuses_self_promotion_and_foreign_users(
    township_clerk, other_clerk, village_worker
):
    with pytest.raises(DomainError, match="不能修改自己的角色"):
        services.user_update(
            actor=township_clerk,
            user=township_clerk,
            full_name="x",
            org_unit=township_clerk.org_unit,
            role=Role.VILLAGE_WORKER,
        )
    with pytest.raises(DomainError, match="不在您的管理范围内"):
        services.user_update(
            actor=township_clerk,
            user=other_clerk,
            full_name="x",
            org_unit=other_clerk.org_unit,
            role=other_clerk.role,
        )
    with pytest.raises(DomainError, match="不在您的管辖范围内"):
        services.user_update(
            actor=township_clerk,
            user=village_worker,
            full_name="x",
            org_unit=OrgUnit.objects.get(code="620422101201"),
            role=Role.VILLAGE_WORKER,
        )
    # the in-memory instance is not trusted: the stored row is checked
    other_clerk.org_unit_id = "620422100"
    with pytest.raises(DomainError):
        services.user_set_active(actor=township_clerk, user=other_clerk, active=False)


# --- deactivate, reset, unlock -----------------------------------------------------------


@pytest.mark.jurisdiction("accounts:user_set_active")
def test_it_deactivates_and_reactivates_a_user(clerk_client, village_worker, other_clerk):
    url = f"/accounts/users/{village_worker.pk}/active/"
    assert clerk_client.post(url, {"active": "0"}).status_code == 302
    village_worker.refresh_from_db()
    assert not village_worker.is_active
    assert (
        Client()
        .post("/accounts/login/", {"username": "village_worker", "password": PASSWORD})
        .status_code
        == 200
    )  # refused
    clerk_client.post(url, {"active": "1"})
    village_worker.refresh_from_db()
    assert village_worker.is_active
    actions = list(
        AuditEntry.objects.filter(action__startswith="accounts.user.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["accounts.user.deactivated", "accounts.user.reactivated"]
    # another township's user: 404, untouched
    other_url = f"/accounts/users/{other_clerk.pk}/active/"
    assert clerk_client.post(other_url, {"active": "0"}).status_code == 404
    other_clerk.refresh_from_db()
    assert other_clerk.is_active


def test_it_does_not_let_a_manager_deactivate_themselves(clerk_client, township_clerk):
    response = clerk_client.post(
        f"/accounts/users/{township_clerk.pk}/active/", {"active": "0"}, follow=True
    )
    assert "不能停用或启用自己的账号" in response.content.decode()
    township_clerk.refresh_from_db()
    assert township_clerk.is_active


def test_it_has_no_delete(clerk_client, village_worker):
    assert not hasattr(services, "user_delete")
    assert clerk_client.delete(f"/accounts/users/{village_worker.pk}/").status_code != 204
    assert User.objects.filter(pk=village_worker.pk).exists()


@pytest.mark.jurisdiction("accounts:user_password")
def test_it_resets_a_password(clerk_client, village_worker, other_clerk):
    url = f"/accounts/users/{village_worker.pk}/password/"
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert clerk_client.post(url, data).status_code == 302
    village_worker.refresh_from_db()
    assert village_worker.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action="accounts.user.password_reset")
    assert NEW_PASSWORD not in str(entry.detail)
    other_url = f"/accounts/users/{other_clerk.pk}/password/"
    assert clerk_client.get(other_url).status_code == 404
    assert clerk_client.post(other_url, data).status_code == 404
    other_clerk.refresh_from_db()
    assert other_clerk.check_password(PASSWORD)


def test_it_checks_a_reset_password_in_chinese(clerk_client, village_worker):
    url = f"/accounts/users/{village_worker.pk}/password/"
    response = clerk_client.post(url, {"new_password1": "1234", "new_password2": "1234"})
    assert response.status_code == 200
    assert "密码只包含数字" in response.content.decode()


def lock_out(username: str) -> None:
    client = Client()
    for attempt in range(5):
        client.post("/accounts/login/", {"username": username, "password": f"bad-Pass-{attempt}"})


@pytest.mark.jurisdiction("accounts:user_unlock")
def test_it_unlocks_a_locked_user(clerk_client, village_worker, other_clerk):
    lock_out("village_worker")
    lock_out("other_clerk")
    page = clerk_client.get(f"/accounts/users/{village_worker.pk}/")
    assert page.context["locked"] is True
    assert clerk_client.post(f"/accounts/users/{village_worker.pk}/unlock/").status_code == 302
    assert AuditEntry.objects.filter(action="accounts.user.unlocked").count() == 1
    login = Client().post("/accounts/login/", {"username": "village_worker", "password": PASSWORD})
    assert login.status_code == 302
    # another township's user stays locked: 404 to this clerk
    assert clerk_client.post(f"/accounts/users/{other_clerk.pk}/unlock/").status_code == 404
    still = Client().post("/accounts/login/", {"username": "other_clerk", "password": PASSWORD})
    assert still.status_code == 429


def test_resetting_the_password_also_unlocks(clerk_client, village_worker):
    lock_out("village_worker")
    url = f"/accounts/users/{village_worker.pk}/password/"
    clerk_client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    login = Client().post(
        "/accounts/login/", {"username": "village_worker", "password": NEW_PASSWORD}
    )
    assert login.status_code == 302
