"""Webhooks: pretix's API and action types, signed deliveries through SQS, the notifications behind them."""
