"""Billing invoices: what the platform invoices its organizers (pretix Hosted billing, the Hostway account API)."""
