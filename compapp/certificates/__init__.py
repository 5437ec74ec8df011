"""Certificates: what they say (content), how they look (pdf), and batches of them (bundle)."""
