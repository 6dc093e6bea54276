"""Observability: metrics, tracing and error reporting, as chosen when rendering."""
