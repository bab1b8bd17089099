"""A person's first session in the cabinet, in a real browser."""

import json
import re
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import ApiToken, User
from accounts.services import user_create
from config.testing import clear_cache
from config.tests.browser import (
    SCREENSHOTS,
    axe_violations,
    broken_words,
    describe,
    new_page,
)
from finance.models import BudgetItem, Transaction
from finance.services.books import ledger_create
from ledgers.services import ledger_activate
from messaging import telegram
from messaging.linking.codes import code_hash
from messaging.models import LinkCode, UserContact
from messaging.tests.helpers import (
    ALICE_TG,
    BOT,
    TELEGRAM_SETTINGS,
    api_url,
    bot_message,
    text_update,
)

PASSWORD = "a long enough passphrase"


def sign_up(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/signup/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Электронная почта").fill(f"{username}@example.org")
    page.get_by_label(re.compile("^Пароль:?$")).fill(PASSWORD)
    page.get_by_label("Подтверждение пароля").fill(PASSWORD)
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page).to_have_url(f"{base}/transactions/add/")


@pytest.mark.django_db(transaction=True)
def test_first_session(browser: Browser, live_server: LiveServer) -> None:
    clear_cache()  # throttling counters from earlier tests
    base = live_server.url
    page = new_page(browser)
    sign_up(page, base, "dasha")
    user = User.objects.get(username="dasha")
    assert (user.language, user.default_currency) == ("ru", "RUB")
    problems = axe_violations(page)
    assert not problems, describe(problems)

    # Record by text, with a preview first.
    page.get_by_label("Что было?").fill("кофе 250")
    page.get_by_role("button", name="Проверить").click()
    preview = page.get_by_role("status").filter(has_text="Будет записано")
    expect(preview).to_contain_text("Кафе и рестораны")
    assert not Transaction.objects.exists()
    page.get_by_role("button", name="Записать").first.click()
    expect(page.locator(".messages")).to_contain_text("Записано: 250,00 ₽")
    tx = Transaction.objects.get(created_by=user)
    assert (tx.amount, tx.category.slug, tx.source) == (Decimal(250), "cafe", "web")

    # It is on the dashboard.
    page.get_by_role("link", name="Месяц").click()
    expect(page.locator(".totals")).to_contain_text("250,00 RUB")
    expect(page.locator("svg.chart").first).to_contain_text("Кафе и рестораны")
    problems = axe_violations(page)
    assert not problems, describe(problems)

    # Fix its category from the list.
    page.get_by_role("link", name="Операции").click()
    page.get_by_role("link", name=re.compile("^Изменить 250")).click()
    page.get_by_label("Категория").select_option(label="Продукты")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("table")).to_contain_text("Продукты")
    tx.refresh_from_db()
    assert tx.category.slug == "groceries"

    # Plan the month: the groceries row now shows what was spent.
    page.get_by_role("link", name="Бюджет").click()
    page.get_by_label("Продукты").fill("20000")
    page.get_by_role("button", name="Сохранить план").click()
    expect(page.locator(".messages")).to_contain_text("План сохранён")
    item = BudgetItem.objects.get(ledger__personal_for=user)
    assert (item.category.slug, item.planned_amount) == ("groceries", Decimal(20000))
    problems = axe_violations(page)
    assert not problems, describe(problems)


@pytest.mark.django_db(transaction=True)
def test_a_token_is_shown_once(browser: Browser, live_server: LiveServer) -> None:
    clear_cache()
    base = live_server.url
    page = new_page(browser)
    sign_up(page, base, "egor")
    page.get_by_role("link", name="Токены ботов").click()
    page.get_by_label("Название").fill("clawd.bot")
    page.get_by_label("Ассистент может задавать").check()
    page.get_by_role("button", name="Создать токен").click()
    raw = page.locator("#issued-token").inner_text().strip()
    assert re.fullmatch(r"kop_[0-9A-Za-z]{36}", raw)
    token = ApiToken.objects.get(user__username="egor")
    assert "budgets:write" in token.scopes
    expect(page.locator("#curl-example")).to_contain_text(f"export KOPILKA_TOKEN={raw}")
    problems = axe_violations(page)
    assert not problems, describe(problems)

    page.reload()  # the browser asks to resend the form: a fresh GET instead
    page.goto(f"{base}/tokens/")
    assert raw not in page.content()
    expect(page.locator("#token-list")).to_contain_text(token.prefix)


@pytest.mark.django_db(transaction=True)
def test_keyboard_and_phone(browser: Browser, live_server: LiveServer) -> None:
    clear_cache()
    base = live_server.url
    page = new_page(browser, locale="en-GB", width=375)
    page.goto(f"{base}/signup/")  # the login page focuses its first field itself
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # from the skip target straight into the form
    expect(page.get_by_label("Username")).to_be_focused()
    problems = axe_violations(page)
    assert not problems, describe(problems)

    # On a phone nothing scrolls sideways, not even the transactions table.
    page.keyboard.type("grisha")
    page.get_by_label("E-mail").fill("grisha@example.org")
    page.get_by_label(re.compile("^Password:?$")).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_label("Password confirmation").press("Enter")
    page.get_by_label("What happened?").fill("кофе 250")
    page.get_by_label("What happened?").press("Enter")  # the form's first button: preview
    expect(page.get_by_role("status").filter(has_text="This will be recorded")).to_be_visible()
    page.get_by_role("button", name="Record").first.click()
    for path in ("/", "/transactions/", "/budget/", "/categories/", "/tokens/"):
        page.goto(f"{base}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
        assert not broken_words(page), (path, broken_words(page))


@pytest.mark.django_db(transaction=True)
def test_dashboard_screenshots_in_both_languages(browser: Browser, live_server: LiveServer) -> None:
    from django.core.management import call_command

    clear_cache()
    call_command("create_demo_user")  # a month of rows and a budget, in Russian
    base = live_server.url
    page = new_page(browser)
    page.goto(f"{base}/login/")
    page.get_by_label("Имя пользователя").fill("demo")
    page.get_by_label("Пароль").fill("kopilka-demo")
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("heading", name="Расходы по категориям")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "dashboard-ru.png", full_page=True)

    page.get_by_role("link", name="Настройки").click()
    page.get_by_label("Язык").select_option("en")
    page.get_by_role("button", name="Сохранить").click()
    page.get_by_role("link", name="Month").click()
    expect(page.get_by_role("heading", name="Spending by category")).to_be_visible()
    # The default categories follow the language the person switched to.
    expect(page.get_by_role("rowheader", name="Groceries")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "dashboard-en.png", full_page=True)
    problems = axe_violations(page)
    assert not problems, describe(problems)


@pytest.mark.django_db(transaction=True)
def test_a_token_works_until_it_is_revoked(browser: Browser, live_server: LiveServer) -> None:
    clear_cache()
    base = live_server.url
    page = new_page(browser)
    sign_up(page, base, "fedor")
    page.get_by_role("link", name="Токены ботов").click()
    page.get_by_label("Название").fill("clawd.bot")
    page.get_by_role("button", name="Создать токен").click()
    raw = page.locator("#issued-token").inner_text().strip()

    def record_coffee() -> int:
        response = page.request.post(
            f"{base}/api/bot/actions",
            headers={"X-Bot-Token": raw, "Content-Type": "application/json"},
            data=json.dumps(
                {
                    "action": "create_expense",
                    "payload": {"text": "кофе 250"},
                    "idempotency_key": str(uuid.uuid4()),
                }
            ),
        )
        return response.status

    assert record_coffee() in (200, 201)
    tx = Transaction.objects.get(created_by__username="fedor")
    assert (tx.amount, tx.category.slug, tx.source) == (Decimal(250), "cafe", "bot")

    page.goto(f"{base}/tokens/")
    page.get_by_role("button", name="Отозвать clawd.bot").click()
    expect(page.locator(".messages")).to_contain_text("отозван")
    assert record_coffee() == 401
    assert Transaction.objects.filter(created_by__username="fedor").count() == 1


@pytest.mark.django_db(transaction=True)
def test_sign_up_takes_the_browsers_time_zone_and_its_currency(
    browser: Browser, live_server: LiveServer
) -> None:
    clear_cache()
    base = live_server.url
    # An English browser in Moscow: roubles, and the page says why.
    page = new_page(browser, locale="en-GB", timezone_id="Europe/Moscow")
    page.goto(f"{base}/signup/")
    currency = page.get_by_label("Default currency")
    expect(currency).to_have_value("RUB")
    expect(page.locator("#id_default_currency_helptext")).to_have_text(
        "RUB, because your time zone is Europe/Moscow."
    )
    expect(page.locator("#id_timezone_helptext")).to_contain_text("Your browser's time zone")

    # In Almaty: tenge, moved up beside the common ones.
    page = new_page(browser, locale="en-GB", timezone_id="Asia/Almaty")
    page.goto(f"{base}/signup/")
    currency = page.get_by_label("Default currency")
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Almaty")
    expect(currency).to_have_value("KZT")
    expect(page.locator("#id_default_currency_helptext")).to_have_text(
        "KZT, because your time zone is Asia/Almaty."
    )
    options = currency.locator("option").evaluate_all("os => os.map(o => o.value)")
    assert options[:4] == ["RUB", "USD", "EUR", "KZT"] and "ADP" not in options
    # It follows the time zone until the person picks a currency.
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    expect(currency).to_have_value("EUR")
    currency.select_option("USD")
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    expect(currency).to_have_value("USD")
    page.get_by_label("Username").fill("aigerim")
    page.get_by_label("E-mail").fill("aigerim@example.org")
    page.get_by_label(re.compile("^Password:?$")).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".messages")).to_contain_text("recorded in USD")
    user = User.objects.get(username="aigerim")
    assert (user.default_currency, user.timezone) == ("USD", "Asia/Tokyo")

    # Without the script: the server's guess, Moscow's roubles, and why.
    page = new_page(browser, locale="en-GB", javascript=False, timezone_id="Asia/Almaty")
    page.goto(f"{base}/signup/")
    expect(page.get_by_label("Default currency")).to_have_value("RUB")
    expect(page.locator("#id_default_currency_helptext")).to_have_text(
        "RUB, because your time zone is Europe/Moscow."
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("javascript", [True, False])
def test_the_ledger_menu_keeps_the_header_one_row(
    browser: Browser, live_server: LiveServer, javascript: bool
) -> None:
    clear_cache()
    user = user_create(username="zoya", password=PASSWORD, source="cli")
    household = ledger_create(user=user, name="Семейный бюджет Ивановых", source="cli")
    ledger_activate(user=user, ledger=household, source="cli")  # the longest name shows
    base = live_server.url
    page = new_page(browser, width=1280, javascript=javascript)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{base}/login/")
    page.get_by_label("Имя пользователя").fill("zoya")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("link", name="Бюджет").click()

    # One row at 1280 px: every part of the header sits on the brand's line.
    header = page.locator(".site-header")
    tops = header.evaluate("h => [...h.children].map(c => c.getBoundingClientRect().top)")
    assert max(tops) - min(tops) < 10, tops
    assert header.bounding_box()["height"] < 60  # type: ignore[index]

    # A choice switches at once, back to the same page; no "Switch" button.
    expect(page.get_by_role("button", name="Сменить")).to_have_count(0)
    page.locator("summary").filter(has_text="Семейный бюджет Ивановых").click()
    problems = axe_violations(page) if javascript else []
    assert not problems, describe(problems)
    page.get_by_role("button", name="zoya", exact=True).click()  # the personal ledger
    expect(page.locator(".messages")).to_contain_text("«zoya»")
    expect(page).to_have_url(f"{base}/budget/")
    user.refresh_from_db()
    assert user.active_ledger is not None and user.active_ledger.personal_for_id == user.pk
    expect(page.locator("summary")).to_contain_text("zoya")
    # The account is in the menu, and logging out from there works.
    page.locator("summary").click()
    page.get_by_role("button", name="Выйти").click()
    expect(page).to_have_url(re.compile("/login/"))
    assert not refused, refused


# Messengers (issue #9): here, not in messaging/tests, because a second module importing
# the session's `browser` fixture would start a second Playwright in the same process.

MESSENGERS_PASSWORD = "a long enough passphrase"


@pytest.mark.django_db(transaction=True)
def test_link_telegram_and_read_the_history(
    browser: Browser, live_server: LiveServer, settings: Any
) -> None:
    for name, value in TELEGRAM_SETTINGS.items():
        setattr(settings, name, value)
    clear_cache()
    user = user_create(username="masha", password=PASSWORD, source="cli")
    base = live_server.url
    page = new_page(browser)
    page.goto(f"{base}/login/")
    page.get_by_label("Имя пользователя").fill("masha")
    page.get_by_label("Пароль").fill(MESSENGERS_PASSWORD)
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
    assert LinkCode.objects.get(user=user).code_hash == code_hash(code)
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
