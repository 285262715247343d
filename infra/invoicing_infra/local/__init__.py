"""The embedded local stack: moto plus an API Gateway emulator and SQS pollers, all driven by template.yaml."""

from .stack import LocalStack, run

__all__ = ["LocalStack", "run"]
