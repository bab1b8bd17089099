"""Which input field a service's error is about, by its code, for forms and the JSON API.

The services raise field-less errors (they take typed arguments, not forms); the
interfaces put each one back beside the field the person typed.
"""

FIELD_BY_CODE = {
    "amount_out_of_range": "amount",
    "amount_precision": "amount",
    "unknown_currency": "currency",
    "category_not_found": "category",
    "category_kind_mismatch": "category",
    "category_archived": "category",
    "category_name_taken": "name",
    "category_name_empty": "name",
    "alias_invalid": "aliases",
    "too_many_keywords": "aliases",
    "invalid_month": "month",
    "split_personal_ledger": "split",
    "split_not_expense": "split",
    "split_not_member": "split",
    "split_member_repeated": "split",
    "split_share_missing": "split",
    "split_share_invalid": "split",
    "split_amount_precision": "split",
    "split_empty": "split",
    "split_amounts_mismatch": "split",
    "split_who": "split",
}


def field_for(code: str | None) -> str | None:
    return FIELD_BY_CODE.get(code or "")
