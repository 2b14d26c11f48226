"""Pure domain rules: no Flask, SQLAlchemy or redis here."""
