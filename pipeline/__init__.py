"""voucher-check: reading, checking and reporting on compute-voucher evidence."""
