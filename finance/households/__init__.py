"""A household's money between its members, in the cabinet: the ledger page's balances,
settlements and default split, and the split fields of the transaction forms."""
