from services.cli.catalogue import SERVICES, all_migrations, migrations_for


def test_every_service_has_migrations_named_in_order_and_scoped_to_its_schema() -> None:
    for service in SERVICES:
        migrations = migrations_for(service)
        assert migrations, service
        own = [m.id for m in migrations if not m.id.startswith("backbone_")]
        assert own == sorted(own)
        assert f"CREATE SCHEMA IF NOT EXISTS {service}" in migrations[0].sql


def test_migration_ids_are_unique_per_service() -> None:
    keys = [(m.service, m.id) for m in all_migrations()]
    assert len(keys) == len(set(keys))
