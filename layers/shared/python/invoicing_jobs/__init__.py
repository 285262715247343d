"""Glue for the SQS-triggered functions: Powertools batch processing, idempotency and retry backoff."""
