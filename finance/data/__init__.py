"""A person's data in and out: transactions imported from a CSV (`imports`), and
exported as CSV or as one JSON document (`exports`), with their cabinet pages."""
