"""Connectors: where export files come from. `base` is the interface every connector
implements, `kinds` the registry of kinds by name, one module per kind (`local_folder`), and
`service` what the CLI, the page and the scheduler do with a configured source."""
