from missionwatch.geo.outlines import countries_geojson, polygons_in_box


def test_haiti_outline_is_where_haiti_is():
    haiti = next(f for f in countries_geojson()["features"] if f["properties"]["name"] == "Haiti")
    rings = haiti["geometry"]["coordinates"]
    if haiti["geometry"]["type"] == "MultiPolygon":
        points = [pt for poly in rings for ring in poly for pt in ring]
    else:
        points = [pt for ring in rings for pt in ring]
    lons = [x for x, _ in points]
    lats = [y for _, y in points]
    assert -74.6 < min(lons) < -74.3 and -71.8 < max(lons) < -71.5
    assert 17.9 < min(lats) < 18.1 and 19.9 < max(lats) < 20.2


def test_box_query_finds_hispaniola_but_not_kenya():
    rings = polygons_in_box(-75, 17, -68, 21)
    assert rings
    assert all(not all(30 < x < 45 for x, _ in ring) for ring in rings)
