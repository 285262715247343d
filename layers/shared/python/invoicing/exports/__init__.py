"""pretix's exporters API for invoices: `invoicedata` (CSV or JSON rows) and `invoices` (a ZIP of the PDFs)."""
