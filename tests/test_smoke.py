from __future__ import annotations


def test_it_redirects_anonymous_users_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_shows_home_in_chinese_with_the_users_unit(clerk_client):
    response = clerk_client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "会师镇" in body and "乡镇专干" in body
