"""Writes to the money domain, by topic: `books` (a ledger with its default categories,
and the ledger a write goes to), `categories`, `transactions`, `text` (recording what a
person typed, with `parser_cache`) and `budget`. Exchange rates are `finance.rates`."""
