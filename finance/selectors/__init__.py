"""Reads of the money domain, by topic: `categories`, `transactions`, `summary` (a month,
in one currency), `totals` (month by month) and `budget` (the budget page). Aggregates run
in SQL; Python sees one row per group."""
