"""Events: CloudEvents envelopes on Kafka, the transactional outbox and the idempotent consumer."""
