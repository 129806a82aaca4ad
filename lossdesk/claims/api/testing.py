"""Helpers for API tests: a DRF test client that sends a staff member's Bearer token, and
the error body of a response."""

from rest_framework.test import APIClient

from lossdesk.testing import api_token

API = "/api/v1"


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(user)}")
    return client


def error_of(response) -> dict:
    """The {"code", "message", "fields"} body of an error response (asserts its shape)."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert {"code", "message", "fields"} <= set(error), error
    assert isinstance(error["message"], str) and error["message"]
    return error
