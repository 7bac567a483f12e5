"""What FOCUS itself says, as pure data and functions: the column catalogue, the vocabularies
(allowed values, mandatory columns, versions) and the calendar of billing periods.

The ground floor: `db`, `ingestion`, `analytics` and `ui` import it, and it imports nothing of
the project (not even `config`), so any layer can use it without pulling in another.
"""
