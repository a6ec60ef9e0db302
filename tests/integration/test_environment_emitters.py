"""The environment bureau's emitter lists: derived from its recorded findings, one list per class and year."""

from __future__ import annotations

from typing import Any

from phaseout_environment.domain import SPEC
from phaseout_kit.events.broker import EmbeddedBroker
from phaseout_kit.uscc import make_code
from tests.apps import auth, bureau_client

WRITER = auth("demo-environment-writer")


def finding(uscc: str, found_on: str, details: dict[str, Any]) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "enterprise_name": f"测试企业{uscc[-4:]}",
        "town": "龙桥街道",
        "industry": "cement",
        "finding_type": "emission_exceedance",
        "found_on": found_on,
        "legal_basis": "《中华人民共和国大气污染防治法》第九十九条",
        "inspector": "王磊",
        "details": {
            "medium": "air",
            "pollutant": "颗粒物",
            "limit_value": 30,
            "unit": "mg/m³",
            "standard": "GB 4915-2013",
            **details,
        },
    }


async def test_emitters_by_class_and_year(database_url: str, broker: EmbeddedBroker) -> None:
    a, b, c = (make_code(f"91500102MA5U7RGE{n}") for n in (1, 2, 3))
    async with bureau_client(SPEC, database_url, broker.bootstrap) as client:
        posted = [
            await client.post("/api/v1/findings", json=finding(*args), headers=WRITER)
            for args in (
                (a, "2020-07-01", {"measured_value": 54}),  # 0.8× over
                (a, "2020-09-01", {"measured_value": 66}),  # 1.2× over: A is seriously over standard
                (b, "2020-08-01", {"measured_value": 45}),
                (c, "2021-03-01", {"measured_value": 40, "malicious": ["covert_discharge"]}),
            )
        ]
        assert [r.status_code for r in posted] == [201] * 4, [r.text for r in posted]
        reader = auth("demo-office-viewer")
        over = (await client.get("/api/v1/emitters?class=over_standard&year=2020", headers=reader)).json()
        serious = await client.get("/api/v1/emitters?class=seriously_over_standard&year=2020", headers=reader)
        later = await client.get("/api/v1/emitters?class=seriously_over_standard&year=2021", headers=reader)
        anonymous = await client.get("/api/v1/emitters?class=over_standard&year=2020")
        bad = await client.get("/api/v1/emitters?class=all&year=2020", headers=reader)
    assert [e["uscc"] for e in over["enterprises"]] == [b]
    assert [e["uscc"] for e in serious.json()["enterprises"]] == [a]
    assert len(serious.json()["enterprises"][0]["findings"]) == 2
    assert serious.json()["rule"]["confidence"] == "low"
    assert [e["uscc"] for e in later.json()["enterprises"]] == [c]
    assert anonymous.status_code == 401 and bad.status_code == 422
