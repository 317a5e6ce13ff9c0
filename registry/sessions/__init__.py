"""Browser sessions of the web pages: one-time login links, sessions, and what each person last saw."""
