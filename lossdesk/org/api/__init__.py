"""REST API of the org app (see lossdesk/api_urls.py)."""
