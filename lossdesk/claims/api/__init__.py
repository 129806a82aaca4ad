"""REST API of the claims app (see lossdesk/api_urls.py)."""
