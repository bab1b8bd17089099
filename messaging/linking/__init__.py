"""Who a chat belongs to: one-time linking codes, the contacts they link (a person's own
chat) and the groups linked to a ledger."""
