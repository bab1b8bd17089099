"""The clients' JSON API (JWT): transactions, categories, budget items and the summary."""
