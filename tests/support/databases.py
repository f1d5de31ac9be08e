"""Where the test databases live."""

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/acsg_test"
