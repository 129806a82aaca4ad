"""REST API of the intake app (see lossdesk/api_urls.py)."""
