"""REST API of the motor app (see lossdesk/api_urls.py)."""
