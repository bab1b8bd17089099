"""Bank statements into a ledger: any format `finance.readers.statements` reads, detected
from the file, previewed (`preview`: every row categorised as the chat files what a
person types, plus the MCC table and the bank's own category; the purchases already in
the ledger marked), the person's choices kept (`choices`), then committed all or none
(`commit`). A big file is previewed and committed by a queue job while the page polls
its progress (`finance.tasks`). `refusals` says in the person's language why a file is
refused, naming the row where one is to blame."""
