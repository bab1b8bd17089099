"""Exchange rates: read from files (`files`) or the central banks' feeds (`feeds`),
stored (`store`) and looked up (`lookup`). A rate travels between them as a RateRow."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class RateRow:
    date: date
    base: str
    quote: str
    rate: Decimal
