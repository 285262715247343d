"""HTTP glue shared by every API function: authentication and permissions, pretix's error bodies,
idempotency keys, pagination links. The domain package (`invoicing`) knows nothing of this."""
