"""The conversation, for any messenger, without an LLM: an inbound message in, the
replies out.

A messenger's adapter (`messaging.telegram`, `messaging.whatsapp`) turns its provider's
update into an `exchange.Inbound`, calls `private.respond` (or `groups.respond`) inside
the update's claim, and sends the `exchange.Reply`s it gets. `router` reads what a text
means, the `dialogue` answers it (every write through `botapi.dispatch.perform`, so
validation, scopes, idempotency and audit are the bot endpoint's own), `commands` holds
the one table of commands, and `phrases` the words.
"""
