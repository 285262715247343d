"""Sending issued invoices to their recipients: types, the status machine, providers and their channels."""
