"""Orders: everything an invoice is made from (there is no product catalogue)."""
