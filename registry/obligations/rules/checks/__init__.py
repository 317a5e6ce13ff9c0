"""The checks, one module per area of law: control measures (the agreements on notice and briefing),
the AI Act, GDPR and the APV. Each check returns a `Hit` or None; rules/catalogue.py names them."""
