"""FOCUS conformance: does a file meet the FOCUS specification? (`python -m ingestion check-focus`)

Why not the PyPI focus-validator: the 1.0.0 served here predates the FOCUS 1.0 column names and
rejects the official FOCUS 1.0 sample. The rules are taken from the FOCUS specification
(FOCUS_Spec, specification/columns/*.md and attributes/*.md, versions 1.0 to 1.2); each names
the file it comes from. They cover mandatory columns present, data types, nullability, allowed
values, ISO 4217 billing currency and period bounds.

One job per module: `rules.json` holds the rules as data and `rules.py` reads them; `evaluate.py`
says, for one batch of rows, which rows break a rule; `checker.py` reads a file and runs the
rules over it; `report.py` keeps the findings and writes them as lines.

Severity. "error": a MUST that changes what a value means or whether it can be read (a missing
mandatory column, an unreadable or ambiguous value, a null cost, an unknown category, a period
that ends before it starts). "warning": a MUST about presentation where the value stays
unambiguous (a zone-less or space-separated ISO 8601 time, an allowed value in other casing, a
column ID in other casing, a custom column without the x_ prefix), a missing recommended column,
and a charge period that starts outside its billing period (no MUST in the spec, whose own SaaS
examples bill purchases that way).
"""
