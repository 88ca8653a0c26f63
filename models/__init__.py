"""The store: tables, engine and sessions, queries and migrations. Knows nothing about Slack."""
