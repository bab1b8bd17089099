"""Hostile bodies and headers against every route of the URLconf, with and without
credentials: never a 5xx, the JSON error contract on every API error, nothing written
after a 4xx. The routes are read from the URLconf, so a new route is tested as soon as
it exists.

The corpus: sizes (past the upload limit, too many fields), nesting, encodings (bad
UTF-8, lone surrogates, UTF-16, NUL), content types, duplicate keys, odd numbers (NaN,
Infinity, 4,300 digits, other scripts' digits, "-0") and odd dates and months.

Every route gets the whole corpus once, through the door that lets the body in (its
credentials, or none where the route is public). Every credential also walks every
route once per method, the probe of each method taken in turn from the corpus, so that
each probe meets many routes with each credential: a door that refuses a credential
(a 401, a redirect to a login page) does so before it reads a body, whichever body.
"""

import inspect
import json
import random
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client, override_settings
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import ApiToken, User
from botapi.models import IdempotencyKey
from botapi.tests.helpers import clear_rate_limits
from config.handlers import API_PREFIXES
from config.testing import BaseTestCase
from finance.models import BudgetItem, Category, CategoryAlias, ExchangeRate, Transaction
from finance.services.budget import budget_item_set
from finance.services.transactions import transaction_create

# Rows a refused request must not add, change the number of, or remove. The audit log
# is left out on purpose: refused bot requests are audited by design.
MODELS = [
    User,
    ApiToken,
    Transaction,
    Category,
    CategoryAlias,
    BudgetItem,
    ExchangeRate,
    IdempotencyKey,
    Session,
    OutstandingToken,
    BlacklistedToken,
]
# Small enough that "past the limit" costs little per request (the bot's own limit).
UPLOAD_LIMIT = 64 * 1024
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"

ODD_VALUES = {
    "kind": "expense",
    "amount": "١",
    "planned_amount": "-0",
    "currency": "rub\n",
    "category": -1,
    "date": "0000-00-00",
    "month": "2026-11\n",
    "note": "a\u0000b",
    "text": "\u0000кофе 250",
    "name": "\u0000",
    "aliases": ["\u0000", ""],
    "refresh": "\u0000",
    "username": "\u0000",
    "password": "\u0000",
    "is_archived": "maybe",
    "dry_run": "yes",
}
ODDER_VALUES = {
    "kind": "income",
    "amount": "1e308",
    "planned_amount": " 1",
    "currency": "ЁЁЁ",
    "category": 99999999999999999999,
    "date": "2026-02-30",
    "month": "٢٠٢٦-١١",
    "note": "x" * 10_000,
    "text": "кофе 250 " * 100,
    "name": "x" * 10_000,
    "aliases": ["x" * 101] * 10,
    "refresh": "a.b.c",
    "username": "a" * 10_000,
    "password": "",
    "is_archived": None,
    "dry_run": 1,
}


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _envelope(action: str, payload: Any, key: str = "abcdefgh\n", **extra: Any) -> bytes:
    return _json({"action": action, "payload": payload, "idempotency_key": key, **extra})


@dataclass(frozen=True)
class Probe:
    method: str
    body: bytes = b""
    content_type: str = JSON
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        body = self.body[:60] + (b"..." if len(self.body) > 60 else b"")
        return f"{self.method} ?{self.query[:40]} {self.content_type[:30]} {body!r} {self.headers}"


BODIES: list[tuple[bytes, str]] = [
    (b"[" * 10_000 + b"]" * 10_000, JSON),
    (b"[" * 40 + b"]" * 40, JSON),
    (b'{"kind": "expense", "kind": "income", "amount": "1"}', JSON),
    (b'{"text": "\\u043a\\u043e\\u0444\\u0435 250", "dry_run": true, "dry_run": false}', JSON),
    (b'{"amount": NaN, "planned_amount": Infinity, "category": -Infinity}', JSON),
    (b'{"category": ' + b"9" * 4300 + b', "amount": 1e999}', JSON),
    (b'{"username": "\\ud800", "password": "\\udfff", "text": "\\ud800"}', JSON),
    (b"\xff\xfe{\x00}", JSON),
    (b'{"a": ', JSON),
    (b"", JSON),
    (b"null", JSON),
    (b"[]", JSON),
    (b'"x"', JSON),
    (b"-0", JSON),
    (_json(ODD_VALUES), JSON),
    (_json(ODDER_VALUES), JSON),
    (_envelope("create_expense", {"text": "\u0000кофе 250"}), JSON),
    (_envelope("get_summary", {"month": "٢٠٢٦-١١"}, key="abcdefgh1", dry_run="no"), JSON),
    (
        _envelope(
            "set_budget_item",
            {"month": "0000-00", "category": "cafe", "planned_amount": "-0"},
            key=str(uuid.uuid4()),
        ),
        JSON,
    ),
    (_envelope("delete_transaction", {"id": 2**63}, key=str(uuid.uuid4()), dry_run=True), JSON),
    (b'{"x": "' + b"y" * (UPLOAD_LIMIT + 10) + b'"}', JSON),
    ("{}".encode("utf-16"), "application/json; charset=utf-16"),
    (b"name=%ED%A0%80&text=%00&amount=%D9%A1&month=0000-00&kind=expense&note=%FF", FORM),
    (b"amount=" + b"9" * 5000 + b"&date=2026-02-30&month=%D9%A2%D9%A0%D9%A2%D9%A6-11", FORM),
    (b"&".join(b"f%d=1" % i for i in range(1100)), FORM),
    (b"note=" + b"x" * (UPLOAD_LIMIT + 10), FORM),
    (
        b'--xx\r\nContent-Disposition: form-data; name="a"\r\n\r\nbroken',
        "multipart/form-data; boundary=xx",
    ),
    (b"a=1", "multipart/form-data"),
    (b"hello", "text/plain"),
    (b"<a>1</a>", "application/xml"),
    (b'{"kind": "expense"}', "application/json; charset=nonsense"),
    (b'{"kind": "expense"}', "application/json; charset=utf-32"),
    # A CSV upload in bytes that are neither UTF-8 nor Windows-1251 (0x98).
    (
        b'--xx\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\ndate,amount\n\x98\xc3\x28,\x98\r\n--xx--\r\n",
        "multipart/form-data; boundary=xx",
    ),
]
QUERIES = [
    "month=%D9%A2%D9%A0%D9%A2%D9%A6-%D9%A1%D9%A1&page=0&page_size=100000&category=x&kind=%00",
    "month=2026-11%0A&page=99999999999999999999999&archived=maybe&currency=%F0%9F%92%B0",
    "month=0000-00&date=0000-00-00&next=//evil.example/&source=%ED%A0%80&category=-1",
]
HEADERS = [
    {"HTTP_ACCEPT": "application/xml", "HTTP_ACCEPT_LANGUAGE": "zz-ZZ;q=abc,*;q=-1"},
    {"HTTP_X_REQUEST_ID": "x" * 1000, "HTTP_X_REAL_IP": "::ffff:999.1.1.1"},
    {"HTTP_HOST": "evil.example"},
]
GETS = [
    *(Probe("GET", query=query) for query in QUERIES),
    *(Probe("GET", headers=headers) for headers in HEADERS),
]
# A chunked body a server did not decode (gunicorn does; see test_outage.py).
UNDECODED_CHUNKS = Probe(
    "POST",
    b'5\r\n{"a":\r\n0\r\n\r\n',
    headers={"HTTP_TRANSFER_ENCODING": "chunked", "CONTENT_LENGTH": ""},
)
# The messengers' webhooks are on in `test_every_other_route`: a JSON body with any
# Twilio signature (was a 500), and deep nesting past Telegram's secret.
WEBHOOK_SECRET = "hostile-corpus-secret"
MESSENGERS = override_settings(
    TELEGRAM_BOT_TOKEN="1:hostile",
    TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
    TELEGRAM_API_URL="https://api.telegram.invalid",
    TWILIO_ACCOUNT_SID="AC" + "0" * 32,
    TWILIO_AUTH_TOKEN="hostile-auth-token",
    TWILIO_WHATSAPP_FROM="whatsapp:+10000000000",
    PUBLIC_URL="https://kopilka.example",
)
SIGNED = [
    Probe("POST", b'{"Body": "kofe 250"}', headers={"HTTP_X_TWILIO_SIGNATURE": "x"}),
    Probe(
        "POST",
        b'{"update_id": 1, "x": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5000 + b"}",
        headers={"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": WEBHOOK_SECRET},
    ),
]
ANYONE = [Probe("OPTIONS"), Probe("HEAD"), UNDECODED_CHUNKS, *SIGNED]
# Without credentials nothing can be deleted, so DELETE is sent only then.
UNAUTHENTICATED = [Probe("DELETE"), Probe("DELETE", b"{}")]
PROBES = [
    *ANYONE,
    *(Probe("POST", body, content_type) for body, content_type in BODIES),
    *(Probe(method, body, JSON) for method in ["PUT", "PATCH"] for body, _ in BODIES[:16]),
    *GETS,
]
# Pages read forms, not JSON: to them most JSON bodies are one empty POST, so they get
# every form, multipart and odd-type body and a few JSON ones (keeping the run short).
PAGE_PROBES = [
    *ANYONE,
    *(Probe("POST", body, ct) for body, ct in BODIES if ct != JSON),
    *(Probe("POST", body, JSON) for body, _ in [BODIES[0], BODIES[14], BODIES[20]]),
    Probe("PUT", BODIES[14][0]),
    Probe("PATCH", BODIES[0][0]),
    *GETS,
]

# Routes last: they end the session, delete or revoke, so earlier ones keep their objects.
LAST = re.compile(r"logout|delete|revoke|rotate|archive")


@dataclass(frozen=True)
class Credentials:
    name: str
    session: User | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def authenticates(self) -> bool:
        return self.name not in {"anonymous", "forged"}


def walk_of(probes: list[Probe], turn: int) -> list[Probe]:
    """One probe of each method, the `turn`-th of that method's probes (round the list)."""
    by_method: dict[str, list[Probe]] = {}
    for probe in probes:
        by_method.setdefault(probe.method, []).append(probe)
    return [same[turn % len(same)] for same in by_method.values()]


def view_of(path: str) -> str:
    """The code that answers `path`: its view class, or its view function unwrapped."""
    try:
        func = resolve(path).func
    except Resolver404:
        return path
    cls = getattr(func, "view_class", None)
    if cls is not None:
        return f"{cls.__module__}.{cls.__qualname__}"
    view = inspect.unwrap(func)
    view = getattr(view, "__func__", view)  # a ModelAdmin's bound method
    return f"{view.__module__}.{view.__qualname__}"


def refused(response: Any) -> bool:
    """The door refused the credentials before reading the request: a 401, or a
    redirect to a login page."""
    if response.status_code == 401:
        return True
    return response.status_code in (301, 302) and "login/" in response.get("Location", "")


# Statements that cannot change how many rows a table has. A probe that ran nothing
# else needs no count of the rows after it (a count is a round trip per probe).
READS = re.compile(
    r"\s*SELECT\b(?!.*\b(?:INSERT|UPDATE|DELETE|TRUNCATE|MERGE|COPY)\b)", re.I | re.S
)


class WriteWatch:
    """A database execute wrapper noting whether anything but a plain SELECT ran."""

    def __init__(self) -> None:
        self.wrote = True  # nothing is known before the first count

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if not READS.match(sql):
            self.wrote = True
        return execute(sql, params, many, context)


def walk(patterns: list[Any], prefix: list[Any] | None = None) -> Iterator[list[Any]]:
    """Every leaf of the URLconf, as the list of patterns leading to it."""
    for pattern in patterns:
        chain = [*(prefix or []), pattern]
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, chain)
        elif isinstance(pattern, URLPattern):
            yield chain


class HostileCorpusTestCase(BaseTestCase):
    operator: User
    tx: Transaction
    item: BudgetItem
    watch: WriteWatch
    known: tuple[int, ...]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.operator = User.objects.create_superuser("operator", "op@example.org", "x")
        cls.tx = transaction_create(
            user=cls.alice,
            kind="expense",
            amount=Decimal(480),
            currency="RUB",
            category=Category.objects.get(ledger__personal_for=cls.alice, slug="transport"),
            date=date(2026, 11, 23),
            note="такси",
            source="web",
        )
        cls.item, _ = budget_item_set(
            user=cls.alice,
            month=date(2026, 11, 1),
            category=Category.objects.get(ledger__personal_for=cls.alice, slug="cafe"),
            planned_amount=Decimal(8000),
            source="web",
        )
        ExchangeRate.objects.create(date=date(2026, 11, 1), base="USD", quote="RUB", rate=90)

    def setUp(self) -> None:
        clear_rate_limits()
        self.access = str(RefreshToken.for_user(self.alice).access_token)
        self.failures: list[str] = []
        # An address of its own: the corpus fails a great many logins and must not
        # throttle other tests running at the same time (pytest -n) from 127.0.0.1.
        self.ip = f"192.0.2.{random.randint(1, 254)}"
        self.sent = 0

    # The placeholders: objects of alice's where a route names one, so that hostile
    # bodies reach the code behind the lookup; something harmless elsewhere.
    def placeholder(self, name: str, built: str) -> str:
        own = {
            "tx_id": self.tx.pk,
            "category_id": self.category(self.alice, "groceries").pk,
            "item_id": self.item.pk,
            "token_id": self.alice_token.token.pk,
            "id": self.alice.pk,
            "uidb64": "MQ",
            "token": "set-password",
            "content_type_id": 1,
            "url": "nowhere/",
            "app_label": "finance",
        }
        if name == "object_id":
            match = re.search(r"admin/(\w+)/(\w+)/$", built)
            model = {
                "user": User,
                "budgetitem": BudgetItem,
                "exchangerate": ExchangeRate,
            }.get(match[2] if match else "")
            row = model._default_manager.order_by("pk").first() if model else None
            return str(row.pk if row else self.tx.pk)
        return str(own.get(name, "1"))

    def path_of(self, chain: list[Any]) -> str:
        built = "/"
        for pattern in chain:
            source, prefix = pattern.pattern, built

            def fill(match: re.Match[str], prefix: str = prefix) -> str:
                return self.placeholder(match["name"], prefix)

            if isinstance(source, RoutePattern):
                route = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", fill, str(source))
            else:
                assert isinstance(source, RegexPattern)
                regex = str(source).lstrip("^").rstrip("$")
                route = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", fill, regex).replace("\\", "")
            built += route
        return built

    def routes(self) -> list[str]:
        paths = {self.path_of(chain) for chain in walk(get_resolver().url_patterns)}
        return sorted(paths, key=lambda p: (bool(LAST.search(p)), p))

    def credentials_for(self, path: str) -> list[Credentials]:
        nobody = Credentials("anonymous")
        forged = Credentials(
            "forged",
            headers={
                "HTTP_AUTHORIZATION": "Bearer eyJhbGciOiJub25lIn0.e30.",
                "HTTP_X_BOT_TOKEN": "kp_" + "A" * 500,
                "HTTP_COOKIE": "sessionid=%00; csrftoken=\x7f",
            },
        )
        if path.startswith("/admin/"):
            return [nobody, forged, Credentials("operator", session=self.operator)]
        return [
            nobody,
            forged,
            Credentials("session", session=self.alice),
            Credentials("jwt", headers={"HTTP_AUTHORIZATION": f"Bearer {self.access}"}),
            Credentials("bot", headers={"HTTP_X_BOT_TOKEN": self.alice_token.raw}),
        ]

    def counts(self) -> tuple[int, ...]:
        with connection.cursor() as cursor:
            tables = (m._meta.db_table for m in MODELS)
            cursor.execute("SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in tables))
            row = cursor.fetchone()
        assert row is not None
        return tuple(row)

    def probe(self, client: Client, path: str, probe: Probe, who: Credentials) -> Any:
        if self.watch.wrote:
            self.known = self.counts()
        before = self.known
        self.watch.wrote = False
        url = f"{path}?{probe.query}" if probe.query else path
        headers: dict[str, Any] = {"REMOTE_ADDR": self.ip, **who.headers, **probe.headers}
        response = client.generic(
            probe.method, url, probe.body, content_type=probe.content_type, **headers
        )
        self.sent += 1
        where = f"{who.name} {path} {probe.describe()} -> {response.status_code}"
        status = response.status_code
        if status >= 500:
            exc = getattr(response, "exc_info", None)
            self.failures.append(f"{where}: {exc[1]!r}" if exc else where)
            return response
        if status >= 400 and path.startswith(API_PREFIXES):
            problem = self.contract_problem(response, head=probe.method == "HEAD")
            if problem:
                self.failures.append(f"{where}: {problem}")
        if self.watch.wrote:
            self.known = self.counts()
            self.watch.wrote = False
            if status >= 400 and self.known != before:
                self.failures.append(f"{where}: wrote rows {before} -> {self.known}")
        return response

    def contract_problem(self, response: Any, *, head: bool = False) -> str:
        if response.get("Content-Type", "").split(";")[0] != JSON:
            return f"not JSON ({response.get('Content-Type')}): {response.content[:120]!r}"
        if head:
            return ""  # the body is dropped, as HTTP says
        try:
            body = json.loads(response.content)
        except ValueError:
            return f"not JSON: {response.content[:120]!r}"
        if not (isinstance(body.get("error"), str) and isinstance(body.get("message"), str)):
            return f"not the error contract: {body!r:.200}"
        return ""

    def run_route(self, path: str, turn: int, whole: bool) -> None:
        """Walk `path` with every credential; then, if `whole`, send the whole corpus
        through the first door that let a walk in (an authenticating one before none)."""
        corpus = PROBES if path.startswith(API_PREFIXES) else PAGE_PROBES
        creds = self.credentials_for(path)
        walked: dict[str, tuple[Client, list[Probe], bool]] = {}
        for n, who in enumerate(creds):
            client = Client(raise_request_exception=False)
            if who.session is not None:
                client.force_login(who.session)
            probes = corpus if who.authenticates else [*corpus, *UNAUTHENTICATED]
            walk = walk_of(probes, turn * len(creds) + n)
            answers = [self.probe(client, path, probe, who) for probe in walk]
            let_in = not all(refused(answer) for answer in answers)
            rest = [p for p in probes if all(p is not w for w in walk)]
            walked[who.name] = (client, rest, let_in)
        if not whole:
            return
        order = sorted(creds, key=lambda who: (not walked[who.name][2], not who.authenticates))
        who = order[0] if walked[order[0].name][2] else creds[0]
        client, rest, _let_in = walked[who.name]
        for probe in rest:
            self.probe(client, path, probe, who)

    def run_corpus(self, paths: list[str]) -> None:
        self.assertTrue(paths)
        self.watch = WriteWatch()
        with connection.execute_wrapper(self.watch):
            views: set[str] = set()
            for turn, path in enumerate(paths):
                # The admin's 16 models share ModelAdmin's five views: each view gets the
                # whole corpus once, every route its walk.
                view = view_of(path)
                self.run_route(path, turn, whole=view not in views)
                views.add(view)
        self.assertGreater(self.sent, 0)
        kinds: dict[str, str] = {}
        for failure in self.failures:
            name, route, *_ = failure.split(" ", 2)
            kind = f"{name} {route} {failure.split(' -> ', 1)[-1][:90]}"
            kinds.setdefault(kind, failure)
        summary = "\n".join(f[:400] for f in list(kinds.values())[:40])
        self.assertEqual(
            self.failures, [], f"{len(self.failures)} of {self.sent} failed:\n{summary}"
        )

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=UPLOAD_LIMIT)
    def test_api_routes(self) -> None:
        self.run_corpus([p for p in self.routes() if p.startswith(API_PREFIXES)])

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=UPLOAD_LIMIT)
    def test_admin_routes(self) -> None:
        self.run_corpus([p for p in self.routes() if p.startswith("/admin/")])

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=UPLOAD_LIMIT)
    @MESSENGERS
    def test_every_other_route(self) -> None:
        self.run_corpus([p for p in self.routes() if not p.startswith((*API_PREFIXES, "/admin/"))])

    def test_every_route_is_in_one_of_the_groups(self) -> None:
        routes = self.routes()
        self.assertGreaterEqual(len(routes), 90)
        self.assertIn(f"/api/transactions/{self.tx.pk}/", routes)
        self.assertIn("/admin/finance/", routes)
        self.assertIn(f"/admin/accounts/user/{self.alice.pk}/password/", routes)
