"""The Messengers pages in a real browser: the code, the deep link, the QR code, the history."""

import re
from typing import Any

import httpx
import pytest
import respx
from django.core.cache import cache
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from accounts.services import user_create
from config.tests.browser import axe_violations, browser, describe, new_page
from messaging import telegram
from messaging.models import UserContact
from messaging.services import code_hash
from messaging.tests.helpers import (
    ALICE_TG,
    BOT,
    TELEGRAM_SETTINGS,
    api_url,
    bot_message,
    text_update,
)

__all__ = ["browser"]  # the fixture, imported for pytest

PASSWORD = "a long enough passphrase"


@pytest.mark.django_db(transaction=True)
def test_link_telegram_and_read_the_history(
    browser: Browser, live_server: LiveServer, settings: Any
) -> None:
    for name, value in TELEGRAM_SETTINGS.items():
        setattr(settings, name, value)
    cache.clear()
    user = user_create(username="masha", password=PASSWORD, source="cli")
    base = live_server.url
    page = new_page(browser)
    page.goto(f"{base}/login/")
    page.get_by_label("Имя пользователя").fill("masha")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()

    page.get_by_role("link", name="Мессенджеры").click()
    expect(page.get_by_text("Привязанных чатов пока нет.")).to_be_visible()
    page.get_by_role("button", name="Привязать Telegram").click()
    command = page.locator("#link-command")
    expect(command).to_have_text(re.compile(r"^/link [2-9A-HJ-NP-Z]{8}$"))
    code = command.inner_text().split()[1]
    link = page.get_by_role("link", name=f"Открыть @{BOT} в Telegram")
    expect(link).to_have_attribute("href", f"https://t.me/{BOT}?start={code}")
    qr = page.locator("#qr-code svg")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] > 100  # type: ignore[index]
    assert user.link_codes.get().code_hash == code_hash(code)
    problems = axe_violations(page)
    assert not problems, describe(problems)

    # The person presses Start in Telegram, then records a coffee.
    with respx.mock(assert_all_called=False) as mock:
        mock.post(api_url("sendMessage")).mock(
            side_effect=lambda request: httpx.Response(
                200, json={"ok": True, "result": bot_message(ALICE_TG, "ok", 501)}
            )
        )
        telegram.handle_update(text_update(f"/start {code}"))
        telegram.handle_update(text_update("кофе 250"))
    assert UserContact.objects.get(is_active=True).user == user

    page.goto(f"{base}/messengers/")
    expect(page.get_by_role("cell", name="alice_tg", exact=True)).to_be_visible()
    page.get_by_role("link", name="История переписки").click()
    conversation = page.locator(".conversation")
    expect(conversation).to_contain_text("кофе 250")
    expect(conversation).to_contain_text("Записал: 250,00 ₽ · Кафе и рестораны · сегодня")
    expect(conversation).to_contain_text("create_expense")
    problems = axe_violations(page)
    assert not problems, describe(problems)
