"""The test database housekeeping: resets between tests and the rolled-back `db_session`."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.helpers.database import joined_transaction, reset_database


def committed(app, sql: str) -> int:
    """Read through a connection of its own: only what really reached the database."""
    with app.extensions["engine"].connect() as conn:
        return conn.scalar(text(sql))


def add_customers(app, *ids: str) -> None:
    from app.catalog import services as catalog

    with app.app_context():
        for id_ in ids:
            catalog.create("customer", {"id": id_, "name": id_})


def test_db_session_binds_every_session_of_the_app(app, db_session, client, world):
    assert db_session.scalar(text("SELECT count(*) FROM customers")) == 2  # the world fixture's, in the transaction
    assert committed(app, "SELECT count(*) FROM customers") == 0  # nothing committed for real
    r = client.post("/api/v1/customers", json={"id": "initech", "name": "Initech"},
                    headers={"Authorization": f"Bearer {world['tokens']['admin']}"})
    assert r.status_code == 201, r.get_json()
    assert db_session.scalar(text("SELECT count(*) FROM customers")) == 3
    assert committed(app, "SELECT count(*) FROM customers") == 0


def test_a_failed_unit_of_work_returns_to_the_savepoint_and_the_end_rolls_everything_back(app):
    from app.domain.errors import Conflict

    with joined_transaction(app):
        add_customers(app, "acme")
        with pytest.raises(Conflict):
            add_customers(app, "globex", "acme")  # globex committed (savepoint), the second acme refused
        with app.extensions["sessionmaker"]() as session:
            assert session.scalars(text("SELECT id FROM customers ORDER BY id")).all() == ["acme", "globex"]
    assert committed(app, "SELECT count(*) FROM customers") == 0


def test_sequences_restart_after_a_rolled_back_test(app):
    from app.catalog import services as catalog
    from app.assets import registry

    def register_three() -> list[int]:
        with app.app_context():
            catalog.create("site", {"id": "depot-a", "name": "Depot A", "kind": "depot", "lat": 51.43, "lon": 6.76})
            catalog.create("asset_type", {"id": "ibc", "name": "IBC", "company_prefix": "4012345",
                                          "grai_asset_type": "12345", "tare_mass_kg": 72.0})
            return [a.id for a in registry.register("ibc", 3, "depot-a")]

    with joined_transaction(app):
        assert register_three() == [1, 2, 3]
    reset_database(app.extensions["engine"])
    assert register_three() == [1, 2, 3]  # committed this time, from 1 again
    reset_database(app.extensions["engine"])
    assert committed(app, "SELECT count(*) FROM assets") == 0 == committed(app, "SELECT count(*) FROM sites")


def test_rows_committed_behind_the_transactions_back_are_reported(app):
    from app.catalog.models import Customer

    with pytest.raises(AssertionError, match=r"committed outside the test's transaction in \['customers'\]"):
        with joined_transaction(app):
            with app.extensions["engine"].begin() as conn:
                conn.execute(Customer.__table__.insert().values(id="leak", name="Leak"))  # a real commit
    reset_database(app.extensions["engine"])
    assert committed(app, "SELECT count(*) FROM customers") == 0
