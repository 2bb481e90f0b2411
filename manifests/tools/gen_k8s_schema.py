#!/usr/bin/python3
"""Generates moor's embedded Kubernetes schema (a C++ source file holding JSON).

Input:
  - the official Python client's model classes (python3-kubernetes,
    /usr/lib/python3/dist-packages/kubernetes/client/models/*.py). Each class has
    `openapi_types` {attr: type string} and `attribute_map` {attr: jsonName}; a field is
    required when its setter raises "must not be `None`".
  - manifests/k8s_schema_overlay.yaml: the kinds moor serves and hand-written changes for
    fields Kubernetes added after the packaged client's API version.

Output: a .cc file defining moor::manifests::internal::kK8sSchemaJsonChunks, the JSON
  {"kinds": {"<apiVersion>/<Kind>": "<Class>"},
   "classes": {"<Class>": {"fields": {"<jsonName>": "<type>"}, "required": ["<jsonName>"]}}}
holding only the classes reachable from the served kinds. Types are the client's strings
('str', 'int', 'bool', 'float', 'object', 'datetime', 'list[T]', 'dict(str, T)', '<Class>')
plus 'quantity' and 'intOrString' from the overlay.

Usage: gen_k8s_schema.py MODELS_DIR OVERLAY_YAML OUTPUT_CC
"""

import ast
import json
import os
import re
import sys

import yaml

REQUIRED_RE = re.compile(r"raise ValueError\(\"Invalid value for `(\w+)`, must not be `None`\"\)")
PRIMITIVES = {"str", "int", "bool", "float", "object", "datetime", "date", "quantity", "intOrString"}


def load_models(models_dir):
    classes = {}
    for name in sorted(os.listdir(models_dir)):
        if not name.endswith(".py") or name == "__init__.py":
            continue
        with open(os.path.join(models_dir, name), encoding="utf-8") as f:
            source = f.read()
        tree = ast.parse(source)
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            types = None
            attrs = None
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                    if stmt.targets[0].id == "openapi_types":
                        types = ast.literal_eval(stmt.value)
                    elif stmt.targets[0].id == "attribute_map":
                        attrs = ast.literal_eval(stmt.value)
            if types is None or attrs is None:
                continue
            required = set(REQUIRED_RE.findall(source))
            fields = {}
            req = []
            for attr, type_string in types.items():
                json_name = attrs[attr]
                fields[json_name] = type_string
                if attr in required:
                    req.append(json_name)
            classes[node.name] = {"fields": fields, "required": sorted(req)}
    return classes


def referenced_classes(type_string):
    t = type_string.strip()
    if t.startswith("list[") and t.endswith("]"):
        return referenced_classes(t[5:-1])
    if t.startswith("dict(") and t.endswith(")"):
        inner = t[5:-1]
        _, value = inner.split(",", 1)
        return referenced_classes(value)
    if t in PRIMITIVES:
        return []
    return [t]


def apply_overlay(classes, overlay):
    for class_name, change in (overlay.get("classes") or {}).items():
        cls = classes.setdefault(class_name, {"fields": {}, "required": []})
        for json_name, type_string in (change.get("fields") or {}).items():
            cls["fields"][json_name] = type_string
        if "required" in change:
            cls["required"] = sorted(change["required"])
    for dotted, type_string in (overlay.get("types") or {}).items():
        class_name, json_name = dotted.split(".", 1)
        if class_name not in classes or json_name not in classes[class_name]["fields"]:
            sys.exit(f"overlay types: unknown field {dotted}")
        classes[class_name]["fields"][json_name] = type_string
    for dotted in overlay.get("optional") or []:
        class_name, json_name = dotted.split(".", 1)
        if class_name not in classes or json_name not in classes[class_name]["required"]:
            sys.exit(f"overlay optional: {dotted} is not a required field")
        classes[class_name]["required"].remove(json_name)


def reachable(classes, roots):
    seen = {}
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        if name not in classes:
            sys.exit(f"unknown class {name}")
        seen[name] = classes[name]
        for type_string in classes[name]["fields"].values():
            stack.extend(referenced_classes(type_string))
    return seen


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    models_dir, overlay_path, output = sys.argv[1:]
    classes = load_models(models_dir)
    with open(overlay_path, encoding="utf-8") as f:
        overlay = yaml.safe_load(f)
    apply_overlay(classes, overlay)
    kinds = overlay["kinds"]
    used = reachable(classes, kinds.values())
    text = json.dumps({"kinds": kinds, "classes": used}, sort_keys=True, separators=(",", ":"))
    chunk = 12000  # well under compilers' string literal limits
    parts = [text[i:i + chunk] for i in range(0, len(text), chunk)]
    with open(output + ".tmp", "w", encoding="utf-8") as out:
        out.write("// Generated by manifests/tools/gen_k8s_schema.py; do not edit.\n")
        out.write("#include <cstddef>\n\nnamespace moor::manifests::internal {\n\n")
        out.write("extern const char* const kK8sSchemaJsonChunks[];\nextern const std::size_t kK8sSchemaJsonChunkCount;\n\n")
        out.write("const char* const kK8sSchemaJsonChunks[] = {\n")
        for p in parts:
            out.write('R"moorjson(' + p + ')moorjson",\n')
        out.write("};\n")
        out.write(f"const std::size_t kK8sSchemaJsonChunkCount = {len(parts)};\n\n")
        out.write("}  // namespace moor::manifests::internal\n")
    os.replace(output + ".tmp", output)


if __name__ == "__main__":
    main()
