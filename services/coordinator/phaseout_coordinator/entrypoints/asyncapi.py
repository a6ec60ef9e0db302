"""The platform's AsyncAPI 3.0 document: every topic, the CloudEvents binary-mode headers, the key (USCC)
and every payload's JSON Schema, derived from the models the services really publish."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter

from phaseout_bureau.contracts import FindingRecorded, payload_models
from phaseout_bureau.domain.cases import ACTION_ZH, Action
from phaseout_bureau.results import BUREAU_RESULTS, TYPE_RESULTS
from phaseout_coordinator.domain.model import DECISION_KINDS, DECISION_ZH, DecisionChange
from phaseout_kit.events.envelope import CONTENT_TYPE, TYPE_PREFIX, source_uri
from phaseout_kit.registry import (
    BUREAU_UNITS_ZH,
    BUREAUS,
    DEADLETTER_TOPIC,
    DECISIONS_TOPIC,
    DIMENSION_ZH,
    topic_for,
)

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING = "0.5.0"
SCHEMA_REF = "#/components/schemas/{model}"
USCC_SCHEMA = {
    "type": "string",
    "pattern": "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$",
    "description": "统一社会信用代码（GB 32100-2015）；消息键与 ce_subject 均为此值",
}


class _Components:
    """Collects schemas and messages; pydantic's ``$defs`` are hoisted so every ``$ref`` resolves."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {"USCC": USCC_SCHEMA}
        self.messages: dict[str, Any] = {}

    def schema(self, name: str, tp: Any) -> dict[str, str]:
        if name not in self.schemas:
            doc = TypeAdapter(tp).json_schema(ref_template=SCHEMA_REF, mode="serialization")
            for def_name, definition in doc.pop("$defs", {}).items():
                self._add(def_name, definition)
            self._add(name, doc)
        return {"$ref": SCHEMA_REF.format(model=name)}

    def _add(self, name: str, schema: dict[str, Any]) -> None:
        if self.schemas.setdefault(name, schema) != schema:
            raise ValueError(f"two different schemas named {name}")

    def message(self, key: str, doc: dict[str, Any]) -> dict[str, str]:
        self.messages[key] = doc
        return {"$ref": f"#/components/messages/{key}"}


def cloudevents_headers(source: str, type_: str | None) -> dict[str, Any]:
    """CloudEvents 1.0 Kafka binary mode: attributes as ``ce_*`` headers, datacontenttype as content-type."""
    ce_type: dict[str, Any] = {"type": "string", "description": "事件类型"}
    if type_ is not None:
        ce_type["const"] = type_
    return {
        "type": "object",
        "required": [
            "ce_specversion",
            "ce_id",
            "ce_source",
            "ce_type",
            "ce_subject",
            "ce_time",
            "ce_sequence",
        ],
        "properties": {
            "ce_specversion": {"type": "string", "const": "1.0"},
            "ce_id": {"type": "string", "description": "事件唯一标识（UUID）；消费者按此去重"},
            "ce_source": {"type": "string", "const": source, "description": "事件来源"},
            "ce_type": ce_type,
            "ce_subject": USCC_SCHEMA,
            "ce_time": {"type": "string", "format": "date-time", "description": "发生时间（RFC 3339）"},
            "ce_sequence": {
                "type": "string",
                "pattern": "^[1-9][0-9]*$",
                "description": "来源内无间断的序号（CloudEvents sequence 扩展）；缺号时按 GET /api/v1/events?after= 补取",
            },
            "content-type": {"type": "string", "const": CONTENT_TYPE},
        },
    }


def _message(
    c: _Components,
    key: str,
    *,
    title: str,
    source: str,
    type_: str,
    payload: dict[str, str],
    extra: dict[str, Any] | None = None,
) -> dict[str, str]:
    return c.message(
        key,
        {
            **(extra or {}),
            "name": key,
            "title": title,
            "contentType": CONTENT_TYPE,
            "headers": cloudevents_headers(source, type_),
            "payload": payload,
            "correlationId": {"location": "$message.header#/ce_id"},
            "bindings": {"kafka": {"key": USCC_SCHEMA, "bindingVersion": KAFKA_BINDING}},
        },
    )


def _short(type_: str) -> str:
    return type_.removeprefix(TYPE_PREFIX + ".")


def _bureau_messages(c: _Components, bureau: str) -> dict[str, dict[str, str]]:
    messages = {}
    for type_, model in payload_models(bureau).items():
        verb = type_.rsplit(".", 1)[-1]
        action_zh = ACTION_ZH.get(Action(verb)) if verb in tuple(Action) else None
        title = f"{DIMENSION_ZH[bureau]}：{action_zh or '认定记录'}"
        extra = _typed_results(c, bureau) if model is FindingRecorded else None
        messages[_short(type_)] = _message(
            c,
            _short(type_),
            title=title,
            source=source_uri(bureau),
            type_=type_,
            payload=c.schema(model.__name__, model),
            extra=extra,
        )
    return messages


def _typed_results(c: _Components, bureau: str) -> dict[str, Any] | None:
    """``derived`` of a finding is the bureau check's result; the fields the rules read are typed per finding
    type (phaseout_bureau.results), and an event whose result does not fit is dead-lettered."""
    typed = {t: m for (b, t), m in TYPE_RESULTS.items() if b == bureau}
    every = BUREAU_RESULTS.get(bureau)
    if not typed and every is None:
        return None
    refs = {t: c.schema(m.__name__, m) for t, m in typed.items()}
    if every is not None:
        refs["*"] = c.schema(every.__name__, every)
    return {
        "description": "derived：检查结果；规则读取的字段按认定类型定型（x-derived-results，* 为本委办局全部类型），"
        "不符合的事件进入死信 (typed check results; events whose result does not fit are dead-lettered)",
        "x-derived-results": refs,
    }


def _decision_messages(c: _Components) -> dict[str, dict[str, str]]:
    payload = c.schema("DecisionChange", DecisionChange)
    messages = {}
    for kind in DECISION_KINDS:
        type_ = f"{TYPE_PREFIX}.coordinator.decision.{kind}"
        title = f"协调中心决定：{DECISION_ZH.get(kind, kind)}"
        messages[_short(type_)] = _message(
            c, _short(type_), title=title, source=source_uri("coordinator"), type_=type_, payload=payload
        )
    return messages


def _deadletter_message(c: _Components) -> dict[str, dict[str, str]]:
    headers = cloudevents_headers("（原消息的来源）", None)
    headers["required"] = ["x-deadletter-reason", "x-original-topic"]
    headers["properties"] |= {
        "x-deadletter-reason": {"type": "string", "description": "无法处理的原因"},
        "x-original-topic": {"type": "string", "description": "原主题"},
    }
    headers["properties"]["ce_source"] = {"type": "string", "description": "原消息的来源（若有）"}
    ref = c.message(
        "deadletter",
        {
            "name": "deadletter",
            "title": "死信：无法处理的原消息",
            "summary": "原消息的键、值和头原样转发，另加原因与原主题",
            "headers": headers,
            "payload": {"description": "原消息体（原样，可能不是合法 JSON）"},
            "bindings": {
                "kafka": {
                    "key": {"type": "string", "description": "原消息键"},
                    "bindingVersion": KAFKA_BINDING,
                }
            },
        },
    )
    return {"deadletter": ref}


def _channel(
    address: str, title: str, description: str, messages: dict[str, Any], partitions: int
) -> dict[str, Any]:
    return {
        "address": address,
        "title": title,
        "description": description,
        "messages": messages,
        "bindings": {"kafka": {"topic": address, "partitions": partitions, "bindingVersion": KAFKA_BINDING}},
    }


def _operation(action: str, channel: str, title: str, messages: dict[str, Any]) -> dict[str, Any]:
    return {
        "action": action,
        "channel": {"$ref": f"#/channels/{channel}"},
        "title": title,
        "messages": [{"$ref": f"#/channels/{channel}/messages/{key}"} for key in messages],
    }


@cache
def asyncapi_document(bootstrap: str, partitions: int) -> dict[str, Any]:
    c = _Components()
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for bureau in BUREAUS:
        name = f"{bureau}Events"
        messages = _bureau_messages(c, bureau)
        channels[name] = _channel(
            topic_for(bureau),
            f"{DIMENSION_ZH[bureau]}事件（{BUREAU_UNITS_ZH[bureau]}）",
            "认定与案件每一步，按发件箱顺序发布；键为统一社会信用代码，同一企业的事件在分区内有序。",
            messages,
            partitions,
        )
        operations[f"{bureau}.publish"] = _operation(
            "send", name, f"{BUREAU_UNITS_ZH[bureau]}发布事件", messages
        )
        operations[f"coordinator.consume.{bureau}"] = _operation(
            "receive", name, "协调中心接收（消费组）", messages
        )
    decisions = _decision_messages(c)
    channels["coordinatorDecisions"] = _channel(
        DECISIONS_TOPIC,
        "协调中心决定",
        "列入/移出名单、实施/解除联合惩戒措施、下达/撤销电价指令；供信用平台等下游订阅。",
        decisions,
        partitions,
    )
    operations["coordinator.publishDecisions"] = _operation(
        "send", "coordinatorDecisions", "发布决定", decisions
    )
    dead = _deadletter_message(c)
    channels["deadletter"] = _channel(DEADLETTER_TOPIC, "死信", "消费者无法处理的消息。", dead, partitions)
    operations["coordinator.deadletter"] = _operation("send", "deadletter", "转发无法处理的消息", dead)
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "落后产能退出协同平台 · 事件总线",
            "version": "0.1.0",
            "description": (
                "五个委办局的事件主题、协调中心的决定主题和死信主题。消息采用 CloudEvents 1.0 Kafka 二进制模式："
                "属性在 ce_* 头中，数据为 JSON 消息体，键为统一社会信用代码。"
            ),
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {"kafka": {"host": bootstrap, "protocol": "kafka", "description": "Kafka 引导地址"}},
        "channels": channels,
        "operations": operations,
        "components": {"schemas": c.schemas, "messages": c.messages},
    }
