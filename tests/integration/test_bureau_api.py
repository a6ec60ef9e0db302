"""A bureau's REST API on both databases: findings, idempotency, authorisation, the event feed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from phaseout_energy.domain import SPEC
from phaseout_kit.clock import real_today
from phaseout_kit.events.broker import EmbeddedBroker
from tests.apps import auth, bureau_client

WRITER = auth("demo-energy-writer")


def finding(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "uscc": "91500102MA5U7RGE16",
        "enterprise_name": "重庆市涪陵区示范铝业有限公司",
        "town": "白涛街道",
        "industrial_park": "白涛化工园区",
        "industry": "electrolytic_aluminium",
        "finding_type": "energy_limit_exceeded",
        "found_on": "2020-07-01",
        "legal_basis": "涪经信发〔2020〕85号 二、(一)",
        "inspector": "张伟",
        "evidence": ["监察记录 FL-EN-2020-017"],
        "details": {
            "product": "铝液交流电耗",
            "measured_value": 13900,
            "measured_unit": "kWh/t",
            "programme": "city_directed",
        },
    }
    doc.update(overrides)
    return doc


async def test_finding_is_recorded_read_back_and_published_in_the_feed(
    database_url: str, broker: EmbeddedBroker
) -> None:
    async with bureau_client(SPEC, database_url, broker.bootstrap) as client:
        created = await client.post("/api/v1/findings", json=finding(), headers=WRITER)
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["recorded_by"] == "demo:energy" and body["warnings"] == []
        read = await client.get(f"/api/v1/findings/{body['finding_id']}", headers=auth("demo-reader"))
        assert read.status_code == 200
        assert read.json()["inspector"] == "张伟"
        feed = (await client.get("/api/v1/events?after=0", headers=auth("demo-coordinator-feed"))).json()
    assert feed["last_sequence"] == 1
    [event] = feed["events"]
    assert event["type"] == "cn.gov.fuling.phaseout.energy.finding.recorded"
    assert event["subject"] == "91500102MA5U7RGE16" and event["sequence"] == "1"
    assert event["data"]["finding_id"] == body["finding_id"]
    assert "inspector" not in event["data"], "inspector names stay inside the bureau"


async def test_idempotency_key_replays_and_a_different_body_conflicts(
    database_url: str, broker: EmbeddedBroker
) -> None:
    async with bureau_client(SPEC, database_url, broker.bootstrap) as client:
        headers = {**WRITER, "Idempotency-Key": "EN-2020-001"}
        first = await client.post("/api/v1/findings", json=finding(), headers=headers)
        again = await client.post("/api/v1/findings", json=finding(), headers=headers)
        other = await client.post("/api/v1/findings", json=finding(town="李渡街道"), headers=headers)
        by_ref = [
            await client.post("/api/v1/findings", json=finding(external_ref="EN-7"), headers=WRITER)
            for _ in range(2)
        ]
        feed = (await client.get("/api/v1/events", headers=auth("demo-reader"))).json()
    assert first.status_code == 201
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["finding_id"] == first.json()["finding_id"]
    assert other.status_code == 409 and other.json()["detail"]["idempotency_key"] == "EN-2020-001"
    assert [r.status_code for r in by_ref] == [201, 200]
    assert by_ref[0].json()["finding_id"] == by_ref[1].json()["finding_id"]
    assert feed["last_sequence"] == 2, "a replay publishes nothing"


async def test_bad_input_is_a_422_naming_the_field(database_url: str, broker: EmbeddedBroker) -> None:
    async with bureau_client(SPEC, database_url, broker.bootstrap) as client:
        bad_code = await client.post(
            "/api/v1/findings", json=finding(uscc="91500102MA5U7RGE1X"), headers=WRITER
        )
        bad_type = await client.post("/api/v1/findings", json=finding(finding_type="noise"), headers=WRITER)
        bad_detail = await client.post(
            "/api/v1/findings",
            json=finding(
                details={
                    "product": "x",
                    "measured_value": -1,
                    "measured_unit": "kWh/t",
                    "programme": "city_directed",
                }
            ),
            headers=WRITER,
        )
    assert bad_code.status_code == 422 and bad_code.json()["detail"][0]["loc"] == ["body", "uscc"]
    assert bad_type.status_code == 422 and bad_type.json()["detail"][0]["loc"] == ["body", "finding_type"]
    assert bad_detail.status_code == 422
    assert bad_detail.json()["detail"][0]["loc"] == ["body", "details", "measured_value"]


async def test_a_finding_from_the_future_is_refused_by_the_business_date_or_the_real_one(
    database_url: str, broker: EmbeddedBroker
) -> None:
    real_tomorrow = real_today() + timedelta(days=1)
    async with bureau_client(SPEC, database_url, broker.bootstrap) as real:
        tomorrow = await real.post(
            "/api/v1/findings", json=finding(found_on=str(real_tomorrow)), headers=WRITER
        )
        today = await real.post("/api/v1/findings", json=finding(found_on=str(real_today())), headers=WRITER)
    ahead = real_tomorrow + timedelta(days=30)  # a demo or a replay whose business date runs ahead
    async with bureau_client(SPEC, database_url, broker.bootstrap, clock_date=ahead) as demo:
        within = await demo.post("/api/v1/findings", json=finding(found_on=str(ahead)), headers=WRITER)
        beyond = await demo.post(
            "/api/v1/findings", json=finding(found_on=str(ahead + timedelta(days=1))), headers=WRITER
        )
    assert tomorrow.status_code == 422 and tomorrow.json()["detail"][0]["loc"] == ["body", "found_on"]
    assert today.status_code == 201 and within.status_code == 201, within.text
    assert beyond.status_code == 422 and "found_on" in beyond.json()["detail"][0]["loc"]


async def test_only_this_bureaus_writers_may_write(database_url: str, broker: EmbeddedBroker) -> None:
    async with bureau_client(SPEC, database_url, broker.bootstrap) as client:
        statuses = {
            token: (
                await client.post("/api/v1/findings", json=finding(), headers=auth(token) if token else {})
            ).status_code
            for token in ("", "forged-token", "demo-quality-writer", "demo-reader", "demo-office-admin")
        }
        feed_without_token = await client.get("/api/v1/events")
    assert statuses == {
        "": 401,
        "forged-token": 401,
        "demo-quality-writer": 403,
        "demo-reader": 403,
        "demo-office-admin": 403,
    }
    assert feed_without_token.status_code == 401


async def test_health_and_metrics(database_url: str, broker: EmbeddedBroker) -> None:
    async with bureau_client(SPEC, database_url, broker.bootstrap) as client:
        await client.post("/api/v1/findings", json=finding(), headers=WRITER)
        assert (await client.get("/livez")).status_code == 200
        ready = await client.get("/readyz")
        metrics = (await client.get("/metrics")).text
    assert ready.json()["checks"]["database"] is True
    assert 'phaseout_http_requests_total{method="POST",route="/api/v1/findings",status="201"}' in metrics
    assert "phaseout_outbox_backlog" in metrics


async def test_finding_types_publish_their_details_and_result_schemas(
    database_url: str, broker: EmbeddedBroker
) -> None:
    async with bureau_client(SPEC, database_url, broker.bootstrap) as client:
        types = (await client.get("/api/v1/finding-types")).json()
    limit = types["energy_limit_exceeded"]
    assert limit["title_zh"] == "单位产品能耗超限额" and "product" in limit["details_schema"]["properties"]
    assert {"ratio_over_limit", "category"} <= set(limit["result_schema"]["required"])
    assert types["tiered_price_check"]["result_schema"]["title"] == "TieredPriceResult"


async def test_another_bureau_cannot_read_this_bureaus_cases(
    database_url: str, broker: EmbeddedBroker
) -> None:
    """The energy bureau's findings, cases and feed: its own token, the office and readers see them; the safety
    bureau's token does not (it sees an enterprise's other dimensions only in the coordinator's dossier); the
    feed token reads the event feed only."""
    async with bureau_client(SPEC, database_url, broker.bootstrap) as client:
        created = (await client.post("/api/v1/findings", json=finding(), headers=WRITER)).json()
        reads = (
            f"/api/v1/findings/{created['finding_id']}",
            f"/api/v1/cases/{created['finding_id']}",
            "/api/v1/cases",
            "/api/v1/events?after=0",
        )
        answers = {
            (token, url): (await client.get(url, headers=auth(token))).status_code
            for token in (
                "demo-energy-writer",
                "demo-safety-writer",
                "demo-office-viewer",
                "demo-reader",
                "demo-coordinator-feed",
            )
            for url in reads
        }
    for (token, url), status in answers.items():
        feed_only = token == "demo-coordinator-feed" and not url.startswith("/api/v1/events")
        assert status == (403 if token == "demo-safety-writer" or feed_only else 200), (token, url, status)
