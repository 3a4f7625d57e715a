#!/usr/bin/env python3
"""Turn Home Assistant's tests/<lang>/_fixtures.yaml into a `lists:` file for `--lists`.

Usage: ha_fixtures_to_lists.py FIXTURES.yaml OUT.yaml
name values carry the entity's domain (and area) as context, like Home Assistant does.
"""
import json, sys
import yaml

fx = yaml.safe_load(open(sys.argv[1]))
areas = {a["id"]: a["name"] for a in fx.get("areas", [])}
lists = {
    "area": {"values": [{"in": a["name"], "out": a["name"]} for a in fx.get("areas", [])]
             + [{"in": al, "out": a["name"]} for a in fx.get("areas", []) for al in a.get("aliases", [])]},
    "floor": {"values": [{"in": f["name"], "out": f["name"]} for f in fx.get("floors", [])]},
    "name": {"values": []},
}
for e in fx.get("entities", []):
    ctx = {"domain": e["id"].split(".")[0]}
    dc = e.get("device_class") or (e.get("attributes") or {}).get("device_class")
    if dc:
        ctx["device_class"] = dc
    if e.get("area"):
        ctx["area"] = areas.get(e["area"], e["area"])
    for n in [e["name"]] + e.get("aliases", []):
        lists["name"]["values"].append({"in": n, "out": e["name"], "context": ctx})
with open(sys.argv[2], "w") as f:
    json.dump({"language": fx.get("language", "en"), "lists": lists}, f, indent=1)
