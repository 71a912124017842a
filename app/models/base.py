"""Declarative base and the column types every table shares."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, DateTime, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names: Alembic's batch mode on SQLite recreates tables and must be
# able to name every constraint it copies; PostgreSQL needs them to drop constraints.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CENT = Decimal("0.01")


class Money(TypeDecorator):
    """Yuan as exact `Decimal` in Python, whole cents (BIGINT) in the database.

    SQLite has no decimal type: SQLAlchemy's Numeric would pass through float there.
    Integer cents are exact, sort correctly and aggregate in SQL on both backends.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            value = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        return int(value.scaleb(2).to_integral_value(ROUND_HALF_UP))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(CENT)


def cents_to_yuan(cents) -> Decimal | None:
    """For SQL aggregates over a Money column (they come back in cents)."""
    if cents is None:
        return None
    return (Decimal(str(cents)) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, server_default=func.current_timestamp(), onupdate=func.current_timestamp()
    )
