"""The administrator's commands of `phaseout`: issue and revoke API tokens in a service's database, and make
the services' signing keys for a deployment."""

from __future__ import annotations

import argparse
import json
import secrets
from datetime import timedelta

from phaseout_kit.auth import Role
from phaseout_kit.clock import utcnow
from phaseout_kit.registry import ACCOUNT_UNITS, BUREAUS, SERVICES, find_unit
from phaseout_kit.settings import ServiceSettings


async def revoke_tokens(database_url: str, *, token: str | None, actor: str | None) -> int:
    """Delete a token (by its text) or every token of an actor; a service's cache forgets it within its TTL."""
    import sqlalchemy as sa

    from phaseout_kit.auth import ApiToken, hash_token
    from phaseout_kit.db import make_engine, make_session_factory

    settings = ServiceSettings(service="cli")
    engine = make_engine(database_url)
    try:
        async with make_session_factory(engine)() as session, session.begin():
            condition = (
                ApiToken.token_hash == hash_token(token, settings.token_pepper)
                if token
                else ApiToken.actor == actor
            )
            result = await session.execute(sa.delete(ApiToken).where(condition))
    finally:
        await engine.dispose()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def department_unit(parser: argparse.ArgumentParser, role: str, department: str | None) -> str | None:
    """A department account names its unit by registry code, whatever spelling the operator typed."""
    if role != Role.DEPARTMENT.value:
        if department:
            parser.error("--department is for --role department only")
        return None
    found = find_unit(department)
    if found is None:
        known = "、".join(f"{u.code}（{u.name_zh}）" for u in ACCOUNT_UNITS)
        parser.error(
            f"--department: not a unit of the registry: {department!r}; units with accounts: {known}"
        )
    return found.code


async def create_token(args: argparse.Namespace) -> str:
    """Issue a token into one service's database; only its hash is stored, so it is shown once."""
    from phaseout_kit.auth import add_token
    from phaseout_kit.db import make_engine, make_session_factory

    settings = ServiceSettings(service="cli")
    # A prefix names the secret (for secret scanners) and keeps a command line from reading it as an option.
    token = "phaseout_" + secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=args.days) if args.days else None
    engine = make_engine(args.database_url)
    try:
        async with make_session_factory(engine)() as session, session.begin():
            await add_token(
                session,
                token,
                settings.token_pepper,
                actor=args.actor,
                role=Role(args.role),
                bureau=args.bureau,
                department=args.department,
                expires_at=expires,
            )
    finally:
        await engine.dispose()
    return token


def signing_keys_env() -> str:
    """New signing keys for the six services, as lines for the compose .env (deploy/.env.example): each
    service's private key, and the bureaus' public keys the coordinator verifies their events with."""
    from phaseout_kit.events.signing import new_private_text, private_key, public_text

    keys = {service: new_private_text() for service in SERVICES}
    lines = [f"{service.upper()}_SIGNING_KEY={key}" for service, key in keys.items()]
    public = {b: [public_text(private_key(keys[b]))] for b in BUREAUS}
    return "\n".join([*lines, f"PHASEOUT_BUREAU_KEYS={json.dumps(public)}"])
