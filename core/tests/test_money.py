from core import money


def test_the_lists_hold_only_currencies_in_use_today() -> None:
    codes = money.current_codes()
    for current in ("RUB", "USD", "EUR", "KZT", "BYN", "UAH", "CNY"):
        assert current in codes, current
    # The Andorran peseta, the old rouble and Belarusian rouble, gold, the test code.
    for withdrawn in ("ADP", "RUR", "BYR", "XAU", "XTS", "XXX"):
        assert withdrawn not in codes, withdrawn
        assert money.is_known(withdrawn)  # still readable in old records and files
    assert codes == sorted(codes)


def test_the_common_ones_come_first_each_once() -> None:
    codes = money.choice_codes(["KZT", *money.COMMON, "KZT", "", "NOPE"])
    assert codes[:4] == ["KZT", "RUB", "USD", "EUR"]
    assert len(codes) == len(set(codes)) == len(money.current_codes())
    # A withdrawn currency asked for first stays (a record already in it keeps it).
    assert money.choice_codes(["BYR", "RUB"])[:2] == ["BYR", "RUB"]


def test_a_region_has_its_currency_of_today() -> None:
    assert money.territory_currency("RU") == "RUB"
    assert money.territory_currency("DE") == "EUR"
    assert money.territory_currency("BY") == "BYN"
    assert money.territory_currency("AQ") is None  # Antarctica
