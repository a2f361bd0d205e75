#!/usr/bin/python3
# tests/lava/validate.py - validates LAVA job definitions with LAVA's own
# validator (lava_common.schemas.validate, strict, as lava-server's
# /api/v0.2/jobs/validate/ does).  Prints "valid: FILE" or
# "invalid: FILE: reason" per file; exit 1 if any is invalid.
import sys

import voluptuous
import yaml
from lava_common.schemas import validate

bad = 0
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
        validate(data, strict=True, extra_context_variables=[])
        print("valid: %s" % path)
    except (voluptuous.Invalid, yaml.YAMLError) as exc:
        print("invalid: %s: %s" % (path, exc))
        bad = 1
sys.exit(bad)
