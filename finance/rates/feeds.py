"""Daily reference rates from the European Central Bank and the Bank of Russia.

The ECB publishes XML "cubes" against EUR: `eurofxref-daily.xml` (the last working day),
`eurofxref-hist-90d.xml` and `eurofxref-hist.xml` (every day since 1999), each
`<Cube time="YYYY-MM-DD"><Cube currency="USD" rate="1.0517"/>...`. The Bank of Russia's
`XML_daily.asp?date_req=DD/MM/YYYY` answers one day in roubles, in windows-1251:
`<ValCurs Date="28.11.2026"><Valute><CharCode>JPY</CharCode><Nominal>100</Nominal>
<Value>51,4419</Value><VunitRate>0,514419</VunitRate>` (the rate of `Nominal` units,
comma decimals; `VunitRate`, the rate of one unit, since 2022). A date it has no rates
for (a weekend) is answered with the latest set before it, under that set's own date.

Everything here reads and checks; nothing writes. A document that is not the expected
one, or holds one bad entry, raises FeedError and yields nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import httpx
from defusedxml import ElementTree
from django.conf import settings
from django.core.exceptions import ValidationError

from core import money
from finance.rates import RateRow

ECB_NS = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}"
CBR_MAX_DAYS = 400  # one request per day: --since further back is a job for a file
USER_AGENT = "Kopilka fetch_rates"


class FeedError(Exception):
    def __init__(self, source: str, message: str) -> None:
        self.source = source
        super().__init__(f"{source}: {message}")


@dataclass(frozen=True)
class Request:
    """One document to read: an http(s) URL (with query parameters) or a local file."""

    url: str
    params: dict[str, str] | None = None


def read(source: str, request: Request) -> bytes:
    """The document's bytes, or FeedError naming the source."""
    parts = urlsplit(request.url)
    if parts.scheme in ("http", "https"):
        try:
            response = httpx.get(
                request.url,
                params=request.params,
                timeout=settings.RATES_FETCH_TIMEOUT,
                follow_redirects=True,
                headers={"User-Agent": USER_AGENT},
            )
        except httpx.HTTPError as e:
            raise FeedError(source, f"could not fetch {request.url}: {e}") from None
        if response.status_code != 200:
            raise FeedError(source, f"{response.url} answered HTTP {response.status_code}")
        return response.content
    path = Path(parts.path if parts.scheme == "file" else request.url)
    try:
        return path.read_bytes()
    except OSError as e:
        raise FeedError(source, f"cannot read {path}: {e.strerror}") from None


def _root(source: str, content: bytes) -> Element:
    try:
        root: Element = ElementTree.fromstring(content)
    except Exception as e:  # ParseError and defusedxml's refusals (entities, DTDs)
        raise FeedError(source, f"not an XML document ({e})") from None
    return root


def _code(source: str, value: str | None, where: str) -> str:
    try:
        return money.normalize_code(value or "")
    except ValidationError:
        raise FeedError(source, f"{where}: {value!r} is not an ISO 4217 currency code") from None


def _number(source: str, value: str | None, where: str) -> Decimal:
    try:
        number = Decimal((value or "").strip().replace(",", ".").replace("\xa0", ""))
    except InvalidOperation:
        raise FeedError(source, f"{where}: {value!r} is not a number") from None
    if not number.is_finite() or number <= 0:
        raise FeedError(source, f"{where}: the rate must be positive, got {value!r}")
    return number


def _day(source: str, value: str | None, layout: str, where: str) -> date:
    try:
        return datetime.strptime(value or "", layout).date()  # noqa: DTZ007 (a calendar date)
    except ValueError:
        raise FeedError(source, f"{where}: {value!r} is not a date") from None


def parse_ecb(content: bytes) -> list[RateRow]:
    """Every rate in one of the ECB's eurofxref XML documents (EUR -> X)."""
    root = _root("ecb", content)
    days = [c for c in root.iter(f"{ECB_NS}Cube") if "time" in c.attrib]
    if not days:
        raise FeedError("ecb", "not the ECB's eurofxref XML (no <Cube time=...>)")
    rows = []
    for day_cube in days:
        day = _day("ecb", day_cube.get("time"), "%Y-%m-%d", "<Cube time>")
        for cube in day_cube.findall(f"{ECB_NS}Cube"):
            where = f"{day} {cube.get('currency')}"
            quote = _code("ecb", cube.get("currency"), where)
            if quote != "EUR":
                rows.append(RateRow(day, "EUR", quote, _number("ecb", cube.get("rate"), where)))
    return rows


def parse_cbr(content: bytes) -> list[RateRow]:
    """Every rate in one XML_daily.asp answer (X -> RUB, per one unit of X)."""
    root = _root("cbr", content)
    if root.tag != "ValCurs" or not root.get("Date"):
        raise FeedError("cbr", "not the Bank of Russia's XML_daily (no <ValCurs Date=...>)")
    day = _day("cbr", root.get("Date"), "%d.%m.%Y", "<ValCurs Date>")
    rows = []
    for valute in root.findall("Valute"):
        where = f"{day} {valute.findtext('CharCode')}"
        base = _code("cbr", valute.findtext("CharCode"), where)
        unit = valute.findtext("VunitRate")
        if unit is not None:
            rate = _number("cbr", unit, where)
        else:
            nominal = _number("cbr", valute.findtext("Nominal"), where)
            rate = _number("cbr", valute.findtext("Value"), where) / nominal
        if base != "RUB":
            rows.append(RateRow(day, base, "RUB", rate))
    return rows


@dataclass(frozen=True)
class Feed:
    name: str
    parse: Callable[[bytes], list[RateRow]]
    requests: Callable[..., list[Request]]  # (url=, on=, since=, today=)


def _ecb_requests(
    *, url: str | None, on: date | None, since: date | None, today: date
) -> list[Request]:
    if url:
        return [Request(url)]
    first = on or since
    if first is None:
        return [Request(settings.ECB_DAILY_URL)]
    recent = (today - first).days < 85  # the 90-day file, with a margin for its lag
    return [Request(settings.ECB_HIST_90D_URL if recent else settings.ECB_HIST_URL)]


def _cbr_requests(
    *, url: str | None, on: date | None, since: date | None, today: date
) -> list[Request]:
    base = url or settings.CBR_DAILY_URL
    local = urlsplit(base).scheme not in ("http", "https")
    if local or (on is None and since is None):
        return [Request(base)]
    if on is not None:
        days = [on]
    else:
        assert since is not None
        count = (today - since).days + 1
        if count > CBR_MAX_DAYS:
            raise FeedError("cbr", f"--since reaches back {count} days; at most {CBR_MAX_DAYS}")
        days = [since + timedelta(days=i) for i in range(max(count, 0))]
    return [Request(base, {"date_req": f"{d:%d/%m/%Y}"}) for d in days]


FEEDS = {
    "ecb": Feed("ecb", parse_ecb, _ecb_requests),
    "cbr": Feed("cbr", parse_cbr, _cbr_requests),
}


def fetch(
    name: str,
    *,
    url: str | None = None,
    on: date | None = None,
    since: date | None = None,
    today: date,
) -> list[RateRow]:
    """The rates `name` publishes for `on` (its latest set on or before that day), since
    `since`, or its latest; FeedError if any document cannot be read."""
    feed = FEEDS[name]
    rows: list[RateRow] = []
    for request in feed.requests(url=url, on=on, since=since, today=today):
        rows.extend(feed.parse(read(name, request)))
    if not rows:
        raise FeedError(name, "the document holds no rates")
    if on is not None:
        published = [r.date for r in rows if r.date <= on]
        if not published:
            raise FeedError(name, f"no rates on or before {on}")
        rows = [r for r in rows if r.date == max(published)]
    elif since is not None:
        rows = [r for r in rows if r.date >= since]
    return rows
