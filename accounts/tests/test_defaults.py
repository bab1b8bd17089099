from accounts.defaults import CurrencyGuess, currency_order, default_currency, zone_territory


def test_a_moscow_time_zone_is_rub_whatever_the_language() -> None:
    for language in ("ru", "en"):
        assert default_currency(zone="Europe/Moscow", language=language) == CurrencyGuess(
            code="RUB", zone="Europe/Moscow", language=language
        )
    assert default_currency(zone="Asia/Yekaterinburg", language="en").code == "RUB"


def test_the_time_zones_region_comes_before_the_language() -> None:
    assert default_currency(zone="Europe/Berlin", language="ru").code == "EUR"
    assert default_currency(zone="America/New_York", language="ru").code == "USD"
    assert default_currency(zone="Asia/Almaty", language="ru").code == "KZT"
    # Old names of zones are still places.
    assert zone_territory("Asia/Calcutta") == "IN"
    assert default_currency(zone="Europe/Kiev", language="ru").code == "UAH"


def test_a_zone_of_no_country_falls_back_to_the_language() -> None:
    assert default_currency(zone="Antarctica/Troll", language="en") == CurrencyGuess(
        code="USD", zone=None, language="en"
    )
    assert default_currency(zone="Antarctica/Troll", language="ru").code == "RUB"
    assert default_currency(zone="Nowhere/Atlantis", language="ru").code == "RUB"


def test_lists_start_with_the_chosen_the_common_and_the_regions() -> None:
    assert currency_order(zone="Asia/Almaty", language="ru")[:4] == ["RUB", "USD", "EUR", "KZT"]
    assert currency_order(zone="Asia/Tokyo", language="en", also="GEL")[:5] == [
        "GEL",
        "RUB",
        "USD",
        "EUR",
        "JPY",
    ]
