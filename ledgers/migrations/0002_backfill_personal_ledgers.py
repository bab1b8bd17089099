"""Give every existing user a personal ledger and move their books into it.

Set-based SQL, so that a database of millions of rows moves in a few statements; rows
keep their ids (nothing is copied or renumbered). Learned keywords stay with the person
who taught them. Running it twice changes nothing.
"""

from django.db import migrations

FORWARD = [
    """
    INSERT INTO ledgers_ledger (name, owner_id, default_currency, personal_for_id, created_at)
    SELECT u.username, u.id, u.default_currency, u.id, now()
    FROM accounts_user u
    WHERE NOT EXISTS (SELECT 1 FROM ledgers_ledger l WHERE l.personal_for_id = u.id)
    """,
    """
    INSERT INTO ledgers_membership (ledger_id, user_id, role, created_at)
    SELECT l.id, l.personal_for_id, 'owner', now()
    FROM ledgers_ledger l
    WHERE l.personal_for_id IS NOT NULL
    ON CONFLICT DO NOTHING
    """,
    """
    UPDATE accounts_user u SET active_ledger_id = l.id
    FROM ledgers_ledger l
    WHERE l.personal_for_id = u.id AND u.active_ledger_id IS NULL
    """,
    """
    UPDATE finance_category c SET ledger_id = l.id
    FROM ledgers_ledger l
    WHERE l.personal_for_id = c.user_id AND c.ledger_id IS NULL
    """,
    """
    UPDATE finance_budgetitem b SET ledger_id = l.id
    FROM ledgers_ledger l
    WHERE l.personal_for_id = b.user_id AND b.ledger_id IS NULL
    """,
    """
    UPDATE finance_transaction t SET ledger_id = l.id, paid_by_id = t.created_by_id
    FROM ledgers_ledger l
    WHERE l.personal_for_id = t.created_by_id AND t.ledger_id IS NULL
    """,
    """
    UPDATE finance_categoryalias a SET user_id = c.user_id
    FROM finance_category c
    WHERE a.category_id = c.id AND a.source = 'learned' AND a.user_id IS NULL
    """,
    """
    UPDATE api_tokens t SET ledger_id = l.id
    FROM ledgers_ledger l
    WHERE l.personal_for_id = t.user_id AND t.ledger_id IS NULL
    """,
]


def forward(apps: object, schema_editor: object) -> None:
    with schema_editor.connection.cursor() as cursor:  # type: ignore[attr-defined]
        for sql in FORWARD:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("ledgers", "0001_initial"),
        ("accounts", "0002_ledgers"),
        ("finance", "0003_ledgers_add"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
