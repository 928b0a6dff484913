from tests.factories import make_incident


def test_timeline_shows_recorded_incident(owner_client, case, owner):
    make_incident(case, owner, description="Parked outside work in a blue car")
    response = owner_client.get(f"/cases/{case.pk}/timeline/")
    assert response.status_code == 200
    assert "Parked outside work in a blue car" in response.content.decode()
