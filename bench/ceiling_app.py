"""The ceilings' server: a minimal FastAPI POST endpoint with a pydantic body (``/items``), and the same plus
one PostgreSQL insert through SQLAlchemy async (``/items-db``, engine and sessions from ``phaseout_kit.db``
like the services); served by uvicorn exactly as ``phaseout_kit.web.serve`` serves the services (one worker,
uvloop and httptools as installed, no access log)."""

from __future__ import annotations

import argparse
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from phaseout_kit.clock import utcnow
from phaseout_kit.db import JSONType, UTCDateTime, make_engine, make_session_factory


class Base(DeclarativeBase):
    pass


class ItemRow(Base):
    __tablename__ = "bench_items"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), index=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ItemCreate(BaseModel):
    """Shaped like a finding (same fields and sizes), without the bureau's checks."""

    model_config = ConfigDict(extra="forbid")
    uscc: str = Field(min_length=18, max_length=18)
    enterprise_name: str = Field(max_length=200)
    town: str = Field(max_length=50)
    industry: str
    finding_type: str
    found_on: date
    legal_basis: str = Field(max_length=500)
    inspector: str = Field(max_length=50)
    details: dict[str, Any]


def build(database_url: str | None, max_overflow: int | None = None) -> FastAPI:
    engine = make_engine(database_url) if database_url else None
    if database_url and max_overflow is not None:  # experiment: the services' pool without overflow churn
        engine = create_async_engine(
            database_url, pool_size=10, max_overflow=max_overflow, pool_pre_ping=True
        )
    sessions = make_session_factory(engine) if engine else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if engine is not None:
            async with engine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
        yield
        if engine is not None:
            await engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.post("/items", status_code=201)
    async def create(body: ItemCreate) -> dict[str, Any]:
        return {"id": str(uuid.uuid4()), **body.model_dump(mode="json")}

    @app.post("/items-db", status_code=201)
    async def create_db(body: ItemCreate) -> dict[str, Any]:
        assert sessions is not None
        doc = body.model_dump(mode="json")
        row = ItemRow(id=str(uuid.uuid4()), uscc=body.uscc, body=doc, created_at=utcnow())
        async with sessions() as session, session.begin():
            session.add(row)
        return {"id": row.id, **doc}

    @app.get("/livez")
    async def livez() -> dict[str, str]:
        return {"status": "ok"}

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url")
    parser.add_argument("--max-overflow", type=int, help="default: phaseout_kit.db.make_engine's pool")
    args = parser.parse_args()
    app = build(args.database_url, args.max_overflow)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_config=None, access_log=False, lifespan="on")


if __name__ == "__main__":
    main()
