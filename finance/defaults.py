"""The categories every new user starts with, and their keywords (aliases).

Aliases are written in their dictionary form; the parser matches other Russian
word forms and small typos itself. Both languages' names are aliases too, so a
category is found by name whatever the user's language.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from finance import textparse
from finance.models import Kind


@dataclass(frozen=True)
class DefaultCategory:
    slug: str
    kind: str
    name_ru: str
    name_en: str
    aliases: str  # comma-separated

    def name(self, language: str) -> str:
        return self.name_ru if language == "ru" else self.name_en

    def words(self) -> list[str]:
        """Both names and every alias."""
        return [self.name_ru, self.name_en, *(w.strip() for w in self.aliases.split(","))]


FALLBACK_SLUGS = {Kind.EXPENSE: "other", Kind.INCOME: "other_income"}


def fallback_slug(kind: str) -> str:
    """The category a transaction of `kind` goes to when nothing names one (a refund's
    is the expenses' Other)."""
    return FALLBACK_SLUGS[Kind(kind).category_kind]


EXPENSE, INCOME = Kind.EXPENSE, Kind.INCOME

DEFAULT_CATEGORIES: tuple[DefaultCategory, ...] = (
    DefaultCategory(
        "groceries",
        EXPENSE,
        "Продукты",
        "Groceries",
        (
            "продукты, супермаркет, магазин, пятёрочка, перекрёсток, магнит, вкусвилл, "
            "ашан, лента, дикси, азбука вкуса, овощи, фрукты, хлеб, молоко, grocery, "
            "groceries, supermarket, lidl, aldi, tesco, spar, carrefour, rewe, walmart"
        ),
    ),
    DefaultCategory(
        "cafe",
        EXPENSE,
        "Кафе и рестораны",
        "Cafes & restaurants",
        (
            "кафе, ресторан, кофе, обед, ужин, завтрак, шаурма, пицца, суши, бургер, "
            "кофейня, столовая, ланч, бизнес-ланч, макдоналдс, вкусно и точка, доставка "
            "еды, cafe, restaurant, coffee, lunch, dinner, breakfast, starbucks, pizza, "
            "mcdonalds, kfc, burger"
        ),
    ),
    DefaultCategory(
        "transport",
        EXPENSE,
        "Транспорт",
        "Transport",
        (
            "транспорт, такси, метро, автобус, трамвай, троллейбус, маршрутка, "
            "электричка, поезд, билет, проезд, тройка, аэроэкспресс, яндекс go, яндекс "
            "такси, каршеринг, transport, taxi, uber, metro, subway, bus, train, tram, "
            "bolt, lyft"
        ),
    ),
    DefaultCategory(
        "car",
        EXPENSE,
        "Авто",
        "Car",
        (
            "авто, машина, автомобиль, бензин, топливо, заправка, парковка, мойка, "
            "автомойка, автосервис, шиномонтаж, ремонт машины, ремонт авто, ремонт "
            "автомобиля, осаго, каско, car, fuel, gas station, petrol, parking, car wash, "
            "car repair"
        ),
    ),
    DefaultCategory(
        "housing",
        EXPENSE,
        "Жильё",
        "Housing",
        ("жильё, аренда, квартира, ипотека, квартплата, housing, rent, mortgage"),
    ),
    DefaultCategory(
        "utilities",
        EXPENSE,
        "Коммунальные услуги",
        "Utilities",
        (
            "коммуналка, коммунальные, жкх, свет, электричество, электроэнергия, вода, "
            "газ, отопление, utilities, electricity, water, heating, gas bill"
        ),
    ),
    DefaultCategory(
        "communication",
        EXPENSE,
        "Связь и интернет",
        "Phone & internet",
        (
            "связь, интернет, телефон, мобильный, мобильная связь, мтс, билайн, мегафон, "
            "теле2, ростелеком, yota, phone, internet, mobile, tele2"
        ),
    ),
    DefaultCategory(
        "health",
        EXPENSE,
        "Здоровье",
        "Health",
        (
            "здоровье, аптека, лекарства, витамины, врач, доктор, стоматолог, терапевт, "
            "анализы, клиника, поликлиника, больница, health, pharmacy, drugstore, doctor, "
            "dentist, medicine"
        ),
    ),
    DefaultCategory(
        "clothing",
        EXPENSE,
        "Одежда и обувь",
        "Clothing",
        (
            "одежда, обувь, куртка, джинсы, кроссовки, платье, zara, clothing, clothes, "
            "shoes, shirt, jacket"
        ),
    ),
    DefaultCategory(
        "entertainment",
        EXPENSE,
        "Развлечения",
        "Entertainment",
        (
            "развлечения, кино, кинотеатр, концерт, театр, музей, выставка, боулинг, "
            "квест, игры, бар, клуб, entertainment, cinema, movie, concert, theatre, "
            "museum, games, bar, pub, club"
        ),
    ),
    DefaultCategory(
        "subscriptions",
        EXPENSE,
        "Подписки",
        "Subscriptions",
        (
            "подписка, стриминг, музыка, облако, приложение, яндекс плюс, кинопоиск, "
            "subscription, streaming, music, cloud, netflix, spotify, youtube, icloud"
        ),
    ),
    DefaultCategory(
        "education",
        EXPENSE,
        "Образование",
        "Education",
        (
            "образование, курсы, книги, учёба, учебник, репетитор, education, course, "
            "courses, books, tuition"
        ),
    ),
    DefaultCategory(
        "kids",
        EXPENSE,
        "Дети",
        "Kids",
        (
            "дети, ребёнок, детский сад, подгузники, игрушки, kids, children, "
            "kindergarten, diapers, toys"
        ),
    ),
    DefaultCategory(
        "pets",
        EXPENSE,
        "Питомцы",
        "Pets",
        (
            "питомцы, корм, ветеринар, ветклиника, зоомагазин, наполнитель, кошка, собака, "
            "pets, pet food, vet, veterinarian, whiskas"
        ),
    ),
    DefaultCategory(
        "gifts",
        EXPENSE,
        "Подарки",
        "Gifts",
        ("подарки, подарок, цветы, gifts, gift, present, flowers"),
    ),
    DefaultCategory(
        "travel",
        EXPENSE,
        "Путешествия",
        "Travel",
        (
            "путешествия, отель, гостиница, хостел, авиабилеты, перелёт, самолёт, виза, "
            "travel, hotel, flight, airbnb, hostel, booking"
        ),
    ),
    DefaultCategory(
        "beauty",
        EXPENSE,
        "Красота",
        "Beauty",
        (
            "красота, стрижка, парикмахер, барбершоп, маникюр, педикюр, косметика, beauty, "
            "haircut, manicure, barber, cosmetics"
        ),
    ),
    DefaultCategory(
        "sport",
        EXPENSE,
        "Спорт",
        "Sport",
        ("спорт, спортзал, фитнес, бассейн, тренировка, sport, gym, fitness, pool, training"),
    ),
    DefaultCategory(
        "home",
        EXPENSE,
        "Дом",
        "Home",
        (
            "дом, мебель, ремонт, ремонт квартиры, посуда, хозтовары, бытовая химия, home, "
            "furniture, repairs, household, ikea"
        ),
    ),
    DefaultCategory(
        "other",
        EXPENSE,
        "Прочее",
        "Other",
        ("прочее, other"),
    ),
    DefaultCategory(
        "salary",
        INCOME,
        "Зарплата",
        "Salary",
        ("зарплата, зп, аванс, премия, salary, paycheck, wage, bonus"),
    ),
    DefaultCategory(
        "freelance",
        INCOME,
        "Подработка",
        "Freelance",
        ("подработка, фриланс, заказ, freelance, gig, side job"),
    ),
    DefaultCategory(
        "gifts_received",
        INCOME,
        "Подарки",
        "Gifts received",
        ("подарок, подарки, gift, gifts received, present"),
    ),
    DefaultCategory(
        "interest",
        INCOME,
        "Проценты и кэшбэк",
        "Interest & cashback",
        ("проценты, кэшбэк, кешбэк, вклад, дивиденды, interest, cashback, dividends"),
    ),
    DefaultCategory(
        "other_income",
        INCOME,
        "Прочие доходы",
        "Other income",
        ("прочие доходы, доход, other income, income"),
    ),
)


def parser_entries(slugs: Iterable[str] | None = None) -> list[textparse.CategoryEntry]:
    """The default categories (all, or those of `slugs`) as the parser sees them, with
    their keywords: for indexes that need no one's own categories."""
    wanted = None if slugs is None else set(slugs)
    return [
        textparse.CategoryEntry(
            id=n,
            slug=d.slug,
            name=d.name_ru,
            kind=d.kind,
            aliases=tuple(textparse.Alias(w, "default") for w in d.words()),
        )
        for n, d in enumerate(DEFAULT_CATEGORIES, start=1)
        if wanted is None or d.slug in wanted
    ]
