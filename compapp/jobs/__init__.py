"""Background jobs: certificate ZIPs and contest re-pricing, on RQ with Redis or in-process."""
