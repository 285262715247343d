"""The invoicing domain: organizers, events, orders and the legally numbered invoices made from them.

Nothing in this package knows about API Gateway or Lambda events; `invoicing_http` adapts it to HTTP.
"""
