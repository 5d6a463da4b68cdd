"""Chinese by default, English one click away (DESIGN §9)."""

from __future__ import annotations

import re

from django.test import Client


def _heading(page: str) -> str:
    return re.search(r'<h1[^>]*id="account-heading"[^>]*>(.*?)</h1>', page, re.S).group(1).strip()


def test_the_language_switch_changes_the_interface(db):
    client = Client()
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert _heading(page) == "登录"
    assert "用户名" in page
    assert 'value="en"' in page  # the switch offers English

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"

    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in page
    assert _heading(page) == "Log in"
    assert "Username" in page
    assert "用户名" not in page
    assert 'value="zh-hans"' in page  # and back to Chinese


def test_the_browsers_language_is_not_needed_for_chinese(db):
    page = Client(headers={"accept-language": ""}).get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in page
