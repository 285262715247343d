"""Invoices: legally numbered snapshots of an order, their cancellation, reissue and regeneration."""
