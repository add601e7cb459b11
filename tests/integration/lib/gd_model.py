"""Checks a GuardDuty wire document against the service model botocore carries.

The GuardDuty API is restJson1: a response body is JSON whose member names are the
model's locationName (camelCase; the member name when there is none), case-sensitive.
check(model, shape, value) walks value against the shape recursively and returns a list
of "path: problem" strings:

  - an object member that is not a member of the structure (botocore would drop it);
  - a required member that is absent (botocore does not check responses; tools that
    index it do);
  - a value whose JSON type is not the shape's: string -> str; integer/long -> an int
    (not a bool, not a str); double/float -> a number; boolean -> true/false;
    timestamp -> epoch seconds (a number) unless the shape says timestampFormat
    iso8601 (then a string botocore parses); list -> array; map -> object whose
    values have the value shape; structure -> object;
  - a string with an enum that is not one of its values;
  - min/max of a number or of a string's length, where the model says so;
  - a null where a value belongs (GuardDuty leaves absent members out).

load_model() finds service-2.json of the installed botocore; it raises ImportError
when botocore is not installed (callers skip then).
"""
import datetime
import gzip
import json
import os


def load_model():
    import botocore  # noqa: F401 (ImportError is the caller's skip)

    base = os.path.join(os.path.dirname(botocore.__file__), "data", "guardduty")
    versions = sorted(os.listdir(base))
    path = os.path.join(base, versions[-1], "service-2.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    with gzip.open(path + ".gz", "rt", encoding="utf-8") as f:
        return json.load(f)


def wire_name(name, member):
    return member.get("locationName", name)


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _iso8601(v):
    try:
        datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


def check(model, shape_name, value, path="$", errors=None, names="wire"):
    """names "wire": member names are locationNames (the API); "member": the model's member
    names (PascalCase, as the aws CLI and boto3 print a response; timestamps then a number
    or an ISO string, as cli_timestamp_format none or iso8601 shows them)."""
    if errors is None:
        errors = []
    shapes = model["shapes"]
    shape = shapes[shape_name]
    t = shape["type"]
    if value is None:
        errors.append("%s: null (%s %s): GuardDuty leaves an absent member out" %
                      (path, t, shape_name))
        return errors
    if t == "structure":
        if not isinstance(value, dict):
            errors.append("%s: %s, want an object (%s)" % (path, type(value).__name__, shape_name))
            return errors
        members = shape.get("members", {})
        by_wire = {}
        for name, m in members.items():
            if m.get("location") in ("header", "headers", "statusCode", "uri", "querystring"):
                continue
            by_wire[wire_name(name, m) if names == "wire" else name] = (name, m)
        for k, v in value.items():
            if k not in by_wire:
                near = [w for w in by_wire if w.lower() == k.lower()]
                hint = " (the model spells it %s)" % near[0] if near else ""
                errors.append("%s.%s: not a member of %s%s" % (path, k, shape_name, hint))
                continue
            check(model, by_wire[k][1]["shape"], v, "%s.%s" % (path, k), errors, names)
        for req in shape.get("required", []):
            m = members.get(req)
            if m is None or m.get("location"):
                continue
            want = wire_name(req, m) if names == "wire" else req
            if want not in value:
                errors.append("%s: required member %s absent (%s)" % (path, want, shape_name))
    elif t == "list":
        if not isinstance(value, list):
            errors.append("%s: %s, want an array (%s)" % (path, type(value).__name__, shape_name))
            return errors
        _bounds(shape, len(value), path, "items", errors)
        for i, v in enumerate(value):
            check(model, shape["member"]["shape"], v, "%s[%d]" % (path, i), errors, names)
    elif t == "map":
        if not isinstance(value, dict):
            errors.append("%s: %s, want an object (map %s)" %
                          (path, type(value).__name__, shape_name))
            return errors
        for k, v in value.items():
            check(model, shape["key"]["shape"], k, "%s{key %s}" % (path, k), errors, names)
            check(model, shape["value"]["shape"], v, "%s.%s" % (path, k), errors, names)
    elif t == "string":
        if not isinstance(value, str):
            errors.append("%s: %s %r, want a string (%s)" %
                          (path, type(value).__name__, value, shape_name))
            return errors
        if "enum" in shape and value not in shape["enum"]:
            errors.append("%s: %r is not one of %s's values %s" %
                          (path, value, shape_name, shape["enum"]))
        _bounds(shape, len(value), path, "characters", errors)
    elif t in ("integer", "long"):
        if not _is_int(value):
            errors.append("%s: %s %r, want an integer (%s)" %
                          (path, type(value).__name__, value, shape_name))
            return errors
        _bounds(shape, value, path, "", errors)
    elif t in ("double", "float"):
        if not _is_num(value):
            errors.append("%s: %s %r, want a number (%s)" %
                          (path, type(value).__name__, value, shape_name))
    elif t == "boolean":
        if not isinstance(value, bool):
            errors.append("%s: %s %r, want true or false (%s)" %
                          (path, type(value).__name__, value, shape_name))
    elif t == "timestamp":
        fmt = shape.get("timestampFormat", "unixTimestamp")
        if names != "wire" and (_is_num(value) or (isinstance(value, str) and _iso8601(value))):
            pass
        elif fmt == "unixTimestamp" and not _is_num(value):
            errors.append("%s: %s %r, want epoch seconds (a number: a restJson1 timestamp, %s)" %
                          (path, type(value).__name__, value, shape_name))
        elif fmt == "iso8601" and not (isinstance(value, str) and _iso8601(value)):
            errors.append("%s: %r, want an ISO 8601 string (%s)" % (path, value, shape_name))
    elif t == "blob":
        if not isinstance(value, str):
            errors.append("%s: want base64 text (%s)" % (path, shape_name))
    else:
        errors.append("%s: shape %s of unknown type %s" % (path, shape_name, t))
    return errors


def _bounds(shape, n, path, what, errors):
    if "min" in shape and n < shape["min"]:
        errors.append("%s: %s %s below the model's min %s" % (path, n, what, shape["min"]))
    if "max" in shape and n > shape["max"]:
        errors.append("%s: %s %s above the model's max %s" % (path, n, what, shape["max"]))


def output_shape(model, operation):
    return model["operations"][operation]["output"]["shape"]


def members_wire(model, shape_name):
    """{wire name: (member name, member shape name)} of a structure."""
    return {wire_name(n, m): (n, m["shape"])
            for n, m in model["shapes"][shape_name].get("members", {}).items()}
