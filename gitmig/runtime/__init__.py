"""Running migrations: the env.py-facing context and the migration context."""
