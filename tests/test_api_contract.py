"""What the API answers says what it does: a 405 names the allowed methods."""

from __future__ import annotations


def test_a_405_carries_allow_in_the_documented_shape(client):
    response = client.put("/api/v1/meetings", headers={"Accept-Language": "es"})
    assert response.status_code == 405 and {"GET", "HEAD"} <= set(response.headers["Allow"].split(", "))
    assert response.json["error"]["status"] == 405 and response.json["error"]["message"]
    page = client.delete("/account/login")
    assert page.status_code == 405 and "POST" in page.headers["Allow"] and page.mimetype == "text/html"
