"""The OCSF schema as a JSON Schema, compiled from OCSF's own definitions.

tests/report/ocsf-1.3.0/ holds the definitions of OCSF 1.3.0 as the OCSF
project publishes them (github.com/ocsf/ocsf-schema, tag 1.3.0, Apache-2.0:
see its LICENSE; only the files an event of the Findings category can
reach). No JSON Schema export of OCSF can be fetched here (the npm
registry holds no OCSF schema package; pip's registry is not reachable), so
this module builds one the way the schema server does:

- a class's attributes are its own over its parents' (`extends`), with
  `$include`d files (the profiles, classification, occurrence) merged in;
  an attribute's definition is the dictionary's, overridden by the class's
  or object's (enums merged key by key);
- types: the dictionary's types resolve to JSON types, with their regex,
  max_len and range; `is_array` makes an array; an object type is a $ref;
- `requirement: required` makes a member required (a profile's, only
  where metadata.profiles names the profile); no member beyond the
  defined ones is allowed (OCSF's `unmapped` is for those); an enum
  attribute takes only its values; `at_least_one` constraints hold;
- class_uid is category_uid * 1000 + the class's uid; type_uid is
  class_uid * 100 + an activity_id; the datetime profile adds NAME_dt
  (RFC 3339) beside each timestamp_t attribute.

schema("compliance_finding") returns a JSON Schema (draft 2020-12) for
jsonschema.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "ocsf-1.3.0")
VERSION = "1.3.0"


def _load(rel):
    with open(os.path.join(ROOT, rel)) as f:
        return json.load(f)


def _merge(base, over):
    """over on top of base, dictionaries merged key by key (enums too)."""
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


class Compiler:
    def __init__(self):
        self.dictionary = _load("dictionary.json")
        self.types = self.dictionary["types"]["attributes"]
        self.defs = {}
        self.categories = _load("categories.json")["attributes"]

    def _attributes(self, doc):
        """doc's own attributes with its $include files merged under them."""
        attrs = {}
        for inc in doc.get("attributes", {}).get("$include", []):
            add = _load(inc).get("attributes", {})
            if inc.startswith("profiles/"):
                prof = os.path.basename(inc)[:-5]
                add = {k: dict(v, _profile=prof) for k, v in add.items()}
            attrs = _merge(attrs, add)
        own = {k: v for k, v in doc.get("attributes", {}).items() if k != "$include"}
        return _merge(attrs, own)

    def _chain(self, kind, name):
        """(attributes, constraints) of an object or event with its parents'."""
        path = os.path.join(kind, name + ".json")
        if kind == "events":
            path = next(os.path.join("events", d, name + ".json")
                        for d in ["", "findings"]
                        if os.path.exists(os.path.join(ROOT, "events", d, name + ".json")))
        doc = _load(path)
        attrs, cons = {}, {}
        if doc.get("extends") and doc["extends"] != "object":
            attrs, cons, _ = self._chain(kind, doc["extends"])
        attrs = _merge(attrs, self._attributes(doc))
        cons = _merge(cons, doc.get("constraints", {}))
        return attrs, cons, doc

    def _type(self, tname):
        """A JSON Schema for an OCSF scalar type."""
        t = self.types[tname]
        base = dict(self._type(t["type"])) if "type" in t else {}
        if tname in ("string_t",):
            base["type"] = "string"
        elif tname in ("integer_t", "long_t"):
            base["type"] = "integer"
        elif tname == "float_t":
            base["type"] = "number"
        elif tname == "boolean_t":
            base["type"] = "boolean"
        elif tname == "json_t":
            pass  # any JSON value
        if "regex" in t:
            base["pattern"] = t["regex"]
        if "max_len" in t:
            base["maxLength"] = t["max_len"]
        if "range" in t:
            base["minimum"], base["maximum"] = t["range"]
        return base

    def _attr_schema(self, name, spec):
        d = _merge(self.dictionary["attributes"].get(name, {}), spec)
        t = d.get("type")
        if t is None:
            raise KeyError(f"OCSF attribute {name} has no type")
        if t in self.types:
            s = self._type(t)
        elif t == "object":
            s = {"type": "object"}  # unmapped: any object
        else:
            s = {"$ref": "#/$defs/" + self._object(t)}
        if "enum" in d:
            vals = [int(k) if s.get("type") == "integer" else k for k in d["enum"]]
            s = dict(s, enum=vals)
        if d.get("is_array"):
            s = {"type": "array", "items": s}
        return s, d

    def _object(self, name):
        if name in self.defs:
            return name
        self.defs[name] = None  # recursion guard
        attrs, cons, _ = self._chain("objects", name)
        self.defs[name] = self._props(attrs, cons)
        return name

    def _props(self, attrs, cons, extra=None):
        props, required, by_profile = {}, [], {}
        for aname, spec in sorted(attrs.items()):
            s, d = self._attr_schema(aname, {k: v for k, v in spec.items() if k != "_profile"})
            props[aname] = s
            if d.get("type") == "timestamp_t":
                dt = self._type("datetime_t")
                props[aname + "_dt"] = {"type": "array", "items": dt} if d.get("is_array") else dt
            if d.get("requirement") == "required" and spec.get("_profile"):
                by_profile.setdefault(spec["_profile"], []).append(aname)
            elif d.get("requirement") == "required":
                required.append(aname)
        props.update(extra or {})
        schema = {"type": "object", "properties": props, "required": required,
                  "additionalProperties": False}
        # A profile's required members are required where the event names the profile.
        rules = [{"if": {"required": ["metadata"], "properties": {"metadata": {
            "properties": {"profiles": {"contains": {"const": prof}}},
            "required": ["profiles"]}}}, "then": {"required": req}}
            for prof, req in sorted(by_profile.items())]
        if cons.get("at_least_one"):
            schema["anyOf"] = [{"required": [a]} for a in cons["at_least_one"]]
        if cons.get("just_one"):
            schema["oneOf"] = [{"required": [a]} for a in cons["just_one"]]
        if rules:
            schema["allOf"] = rules
        return schema

    def event(self, name):
        attrs, cons, doc = self._chain("events", name)
        category = self.categories[doc["category"]]["uid"]
        class_uid = category * 1000 + doc["uid"]
        s = self._props(attrs, cons)
        p = s["properties"]
        p["class_uid"] = {"const": class_uid}
        p["category_uid"] = {"const": category}
        acts = [int(k) for k in p["activity_id"]["enum"]]
        p["type_uid"] = {"enum": [class_uid * 100 + a for a in acts]}
        s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        s["$id"] = f"https://schema.ocsf.io/{VERSION}/classes/{name}"
        s["$defs"] = self.defs
        return s


def schema(event="compliance_finding"):
    return Compiler().event(event)


def files_used(event="compliance_finding"):
    """The definition files the event reaches (to keep the test data small)."""
    used = set()
    orig = _load

    def spy(rel):
        used.add(os.path.normpath(rel))
        return orig(rel)
    globals()["_load"] = spy
    try:
        schema(event)
    finally:
        globals()["_load"] = orig
    return sorted(used)


if __name__ == "__main__":
    print(json.dumps(schema(), indent=1, sort_keys=True))
