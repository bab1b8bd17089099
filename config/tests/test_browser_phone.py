"""The cabinet at a phone's width (390 px), and the data pages, in a real browser."""

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import Scope, User
from accounts.services import api_token_create
from config.testing import clear_cache
from config.tests.browser import axe_violations, broken_words, describe, new_page
from finance.models import Category, Transaction
from finance.services.books import ledger_create
from finance.services.recurring import When, recurring_create
from finance.services.transactions import transaction_create

WIDTH = 390

# Everything on the page that is wider than the screen, or whose text does not fit its
# box (a cut amount), or a table cell that is not shown (a lost column).
LAYOUT_PROBLEMS = """
width => {
  const problems = [];
  const visible = e => {
    const s = getComputedStyle(e);
    return s.display !== 'none' && s.visibility !== 'hidden' && e.getClientRects().length > 0
      && !e.closest('.visually-hidden, thead');
  };
  if (document.documentElement.scrollWidth > width)
    problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth);
  for (const e of document.querySelectorAll('main *')) {
    if (!visible(e) || e.closest('svg')) continue;
    const r = e.getBoundingClientRect();
    if (r.right > width + 1) problems.push('wider than the screen: ' + e.outerHTML.slice(0, 80));
  }
  for (const e of document.querySelectorAll('main td, main tbody th, main input, main select, main .value')) {
    if (!visible(e)) continue;
    if (e.scrollWidth > e.clientWidth + 1)
      problems.push('cut: ' + (e.value || e.textContent).trim().slice(0, 40) + ' ' + e.scrollWidth + '>' + e.clientWidth);
  }
  for (const e of document.querySelectorAll('main td, main tbody th')) {
    if (!visible(e) && !e.closest('.visually-hidden'))
      problems.push('hidden column: ' + (e.dataset.label || e.textContent).trim().slice(0, 40));
  }
  return problems;
}
"""


def log_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("heading", level=2).first).to_be_visible()


def layout_problems(page: Page) -> list[str]:
    return list(page.evaluate(LAYOUT_PROBLEMS, WIDTH)) + broken_words(page)


@pytest.mark.django_db(transaction=True)
def test_every_page_fits_a_phone(browser: Browser, live_server: LiveServer) -> None:
    clear_cache()
    call_command("create_demo_user")  # a realistic month: 35 000,00 rent, long names
    demo = User.objects.get(username="demo")
    tx = Transaction.objects.filter(created_by=demo).order_by("-amount").first()
    assert tx is not None
    category = Category.objects.get(ledger__personal_for=demo, slug="housing")
    # A token with every permission (the longest words of the tokens page) and a second
    # ledger (the header's switcher).
    api_token_create(user=demo, name="clawd.bot на ноутбуке", scopes=list(Scope), source="cli")
    household = ledger_create(user=demo, name="Семейный бюджет Ивановых", source="cli")
    rule = recurring_create(
        user=demo,
        kind="expense",
        amount=Decimal("35000"),
        currency="RUB",
        category=category,
        when=When(frequency="monthly", day=31, count=12),
        note="Аренда квартиры на Большой Пироговской",
        source="cli",
    )
    base = live_server.url
    page = new_page(browser, width=WIDTH)
    log_in(page, base, "demo", "kopilka-demo")
    paths = [
        "/",
        "/transactions/",
        "/transactions/add/",
        f"/transactions/{tx.pk}/",
        f"/transactions/{tx.pk}/delete/",
        "/budget/",
        "/categories/",
        f"/categories/{category.pk}/",
        "/regular/",
        f"/regular/{rule.pk}/",
        "/tokens/",
        "/ledgers/",
        f"/ledgers/{household.pk}/",
        "/messengers/",
        "/settings/notifications/",
        "/settings/",
        "/settings/delete/",
        "/data/",
        "/password/",
    ]
    for path in paths:
        page.goto(f"{base}{path}")
        problems = layout_problems(page)
        assert not problems, (path, problems)
        # The header is two short rows (the pages' links scroll sideways), not a quarter
        # of the screen.
        assert page.locator(".site-header").bounding_box()["height"] < 100, path  # type: ignore[index]

    # The budget's plan boxes show a whole amount as typed.
    page.goto(f"{base}/budget/")
    box = page.get_by_label("Продукты")
    box.fill("8 000 000,00")
    assert box.evaluate("e => e.scrollWidth <= e.clientWidth"), "the plan box cuts 8 000 000,00"
    assert box.bounding_box()["width"] >= 100  # type: ignore[index]
    # The dashboard's plan table keeps "Remaining" on every row, no sideways scroll.
    page.goto(f"{base}/")
    remaining = page.locator('table.stack td[data-label="Осталось"]')
    expect(remaining.first).to_be_visible()
    # The transactions keep their edit links.
    page.goto(f"{base}/transactions/")
    expect(page.get_by_role("link", name="Изменить").first).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)

    # The ledger menu opens within the screen and switches on a tap.
    page.goto(f"{base}/budget/")
    page.locator("summary").filter(has_text="demo").click()  # the menu: the active ledger
    choice = page.get_by_role("button", name="Семейный бюджет Ивановых")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    place = choice.bounding_box()
    assert place is not None and place["x"] >= 0 and place["x"] + place["width"] <= WIDTH
    choice.click()
    expect(page.locator(".messages")).to_contain_text("Семейный бюджет Ивановых")
    expect(page).to_have_url(f"{base}/budget/")
    assert not layout_problems(page)


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_tells_what_it_could_not_convert(
    browser: Browser, live_server: LiveServer
) -> None:
    clear_cache()
    call_command("create_demo_user")
    demo = User.objects.get(username="demo")
    today = demo.today()
    transaction_create(
        user=demo,
        kind="expense",
        amount=Decimal("45.20"),
        currency="EUR",
        category=Category.objects.get(ledger__personal_for=demo, slug="groceries"),
        date=today,
        source="bot",
    )
    base = live_server.url
    page = new_page(browser, width=WIDTH)
    log_in(page, base, "demo", "kopilka-demo")
    notice = page.locator("#unconverted")
    expect(notice).to_contain_text("45,20 EUR")
    expect(notice).to_contain_text("EUR→RUB")
    expect(page.locator(".totals")).to_contain_text("RUB")  # the rest of the month is there
    assert not layout_problems(page)
    problems = axe_violations(page)
    assert not problems, describe(problems)


@pytest.mark.django_db(transaction=True)
def test_export_then_import_through_the_pages(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    clear_cache()
    call_command("create_demo_user")
    demo = User.objects.get(username="demo")
    count = Transaction.objects.filter(created_by=demo).count()
    base = live_server.url
    page = new_page(browser)
    log_in(page, base, "demo", "kopilka-demo")
    page.get_by_role("link", name="Ваши данные").click()
    problems = axe_violations(page)
    assert not problems, describe(problems)

    # Export one week as CSV.
    start = demo.today().replace(day=1)
    page.locator("#id_from").fill(start.isoformat())
    page.locator("#id_to").fill((start + timedelta(days=6)).isoformat())
    with page.expect_download() as download:
        page.get_by_role("button", name="Скачать CSV").click()
    path = tmp_path / "week.csv"
    download.value.save_as(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == '"date","kind","amount","currency","category","note","source"'
    week = Transaction.objects.filter(
        created_by=demo, date__gte=start, date__lte=start + timedelta(days=6)
    ).count()
    assert len(lines) - 1 == week > 0
    # The same week for Excel: semicolons and decimal commas after a byte-order mark.
    page.get_by_role("radio", name=re.compile("^Excel")).check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Скачать CSV").click()
    excel = Path(download.value.path()).read_bytes()
    assert excel.startswith('\ufeff"date";"kind";"amount";'.encode()), excel[:40]
    assert len(excel.decode("utf-8-sig").splitlines()) == len(lines)
    with page.expect_download() as download:
        page.locator("#export-json").click()
    assert b'"transactions"' in Path(download.value.path()).read_bytes()

    # Import a bank statement: previewed first, then written once.
    statement = tmp_path / "bank.csv"
    statement.write_bytes(
        (
            "Дата операции;Сумма операции;Описание\n"
            f"{date(2026, 10, 3):%d.%m.%Y} 12:00:00;-1 250,50;Пятёрочка\n"
            f"{date(2026, 10, 4):%d.%m.%Y} 09:30:00;-380,00;Кофе\n"
        ).encode("cp1251")
    )
    page.get_by_label("Файл выписки или CSV").set_input_files(statement)
    page.get_by_role("button", name="Загрузить и просмотреть").click()
    expect(page.get_by_role("heading", name="Предпросмотр импорта")).to_be_visible()
    expect(page.locator("#preview-rows")).to_contain_text("1 250,50 RUB")
    assert Transaction.objects.filter(created_by=demo).count() == count
    problems = axe_violations(page)
    assert not problems, describe(problems)
    page.get_by_role("button", name="Импортировать 2 операции").click()
    expect(page).to_have_url(re.compile(r"/transactions/"))
    assert Transaction.objects.filter(created_by=demo, source="import").count() == 2

    # The same file again is refused as it is uploaded, and nothing is written twice.
    page.goto(f"{base}/data/")
    page.get_by_label("Файл выписки или CSV").set_input_files(statement)
    page.get_by_role("button", name="Загрузить и просмотреть").click()
    expect(page.get_by_role("alert").or_(page.locator(".errorlist")).first).to_contain_text(
        "уже импортирована"
    )
    assert Transaction.objects.filter(created_by=demo, source="import").count() == 2
