#!/usr/bin/env python3
"""The OpenAPI document acdd serves at /api/v1/openapi.json describes every endpoint usably:
OpenAPI 3, every operation with a summary and a security statement (bearer, or none for the
public ones), every path parameter declared, every POST that takes a body with a request
schema, and every $ref resolving to a schema the document defines. The store plays no part,
so SQLite only."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import acdserver  # noqa: E402
import acdtest  # noqa: E402
import test_api_role_matrix  # noqa: E402
from acdtest import check  # noqa: E402

# POSTs whose body is optional or empty by design (the path says everything).
NO_BODY = set()


def refs(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                out.append(v)
            else:
                refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)
    return out


def main():
    with acdtest.Workdir("api-openapi") as wd:
        store = acdserver.Store(wd, "sqlite", "openapi")
        srv = acdserver.Server(store)
        try:
            st, doc = srv.get("/api/v1/openapi.json")
            check(st == 200 and doc.get("openapi", "").startswith("3."), f"OpenAPI 3: {st}")
            schemas = doc.get("components", {}).get("schemas", {})
            check(len(schemas) >= 10, f"component schemas present: {sorted(schemas)}")
            for r in refs(doc, []):
                name = r.rsplit("/", 1)[-1]
                check(r.startswith("#/components/schemas/") and name in schemas,
                      f"$ref {r} resolves")
            ops = 0
            for path, item in doc["paths"].items():
                params = {p[1:-1] for p in path.split("/") if p.startswith("{")}
                for method, op in item.items():
                    ops += 1
                    where = f"{method.upper()} {path}"
                    check(op.get("summary"), f"{where}: a summary")
                    check("security" in op, f"{where}: says whether a token is needed")
                    declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
                    check(declared == params, f"{where}: path parameters {declared} vs {params}")
                    if method == "post" and where not in NO_BODY:
                        kind = ("application/x-ndjson" if path == "/api/v1/ingest"
                                else "application/json")
                        schema = op.get("requestBody", {}).get("content", {}).get(
                            kind, {}).get("schema", {})
                        check("$ref" in schema, f"{where}: a request body schema ({kind})")
                        check(kind in op.get("responses", {}).get("415", {}).get(
                            "description", ""), f"{where}: 415 names {kind}")
                    if op.get("security"):
                        check(op.get("x-roles"), f"{where}: names the roles allowed")
            check(ops == len(test_api_role_matrix.ALLOWED),
                  f"{ops} operations described, as many as the role matrix decides on")
            follow = schemas.get("ReportFollowup", {})
            check(follow and "required" not in follow and "summary" in follow.get(
                "properties", {}) and "operator" not in follow.get("properties", {}),
                  "a follow-up requires no field and cannot move a report")
        finally:
            check(srv.stop() == 0, "clean stop")
    acdtest.finish("test_api_openapi", "the OpenAPI document describes every endpoint")


if __name__ == "__main__":
    main()
