"""Query builders: the only place that composes read SQL for the API, CLI and reports."""
