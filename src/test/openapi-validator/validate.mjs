// Checks an OpenAPI 3.1 document three ways, and prints one JSON report on stdout:
//   1. the document against the official OpenAPI 3.1 JSON Schema (@seriousme/openapi-schema-validator);
//   2. every Schema Object in it against the JSON Schema 2020-12 meta-schema (the official OAS
//      schema only checks that a Schema Object is an object or a boolean), and that every $ref in
//      it resolves;
//   3. optional samples: real JSON values checked against schemas of the document, so the test can
//      show the schemas describe what the server actually accepts and returns.
//
// usage: node validate.mjs <openapi.json> [samples.json]
//   samples.json: [{"pointer": "/paths/~1_api~1rpc~1echo/post/...", "instance": <any JSON>}]
// exit status: 0 when the document is valid (samples are reported, not judged), 1 when not, 2 on
// a usage error or a crash of this script.
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

process.on("uncaughtException", (e) => {
  console.error(e);
  process.exit(2);
});

const [docPath, samplesPath] = process.argv.slice(2);
if (!docPath) {
  console.error("usage: node validate.mjs <openapi.json> [samples.json]");
  process.exit(2);
}
const doc = JSON.parse(readFileSync(docPath, "utf8"));
const samples = samplesPath ? JSON.parse(readFileSync(samplesPath, "utf8")) : [];
const errors = [];

// 1. the official OpenAPI schema for the document's version
const validator = new Validator();
const official = await validator.validate(structuredClone(doc));
if (!official.valid) {
  // ajv's error objects, or one message (e.g. "Can't resolve #/components/schemas/X")
  const found = Array.isArray(official.errors) ? official.errors : [{ message: String(official.errors) }];
  errors.push(...found.map((e) => ({ check: "openapi-schema", ...e })));
}
if (!String(doc.openapi ?? "").startsWith("3.1.")) {
  errors.push({ check: "version", message: `openapi is ${doc.openapi}, expected 3.1.x` });
}

// 2. every Schema Object against the 2020-12 meta-schema, and its $refs resolvable
const BASE = "urn:kiln:openapi";
const ajv = new Ajv2020({ strict: true, strictSchema: false, allErrors: true });
addFormats(ajv);
// OpenAPI's own format names, not known to ajv-formats
for (const f of ["int32", "int64", "float", "double"]) {
  if (!ajv.formats[f]) ajv.addFormat(f, true);
}
ajv.addSchema({ ...structuredClone(doc), $id: BASE }, BASE, undefined, false);

const esc = (s) => s.replaceAll("~", "~0").replaceAll("/", "~1");
const schemaPointers = [];
for (const name of Object.keys(doc.components?.schemas ?? {})) {
  schemaPointers.push(`/components/schemas/${esc(name)}`);
}
for (const [path, item] of Object.entries(doc.paths ?? {})) {
  for (const [method, op] of Object.entries(item)) {
    const at = `/paths/${esc(path)}/${method}`;
    for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
      if (media.schema) schemaPointers.push(`${at}/requestBody/content/${esc(type)}/schema`);
    }
    for (const [status, response] of Object.entries(op.responses ?? {})) {
      for (const [type, media] of Object.entries(response.content ?? {})) {
        if (media.schema) schemaPointers.push(`${at}/responses/${status}/content/${esc(type)}/schema`);
      }
      for (const [header, h] of Object.entries(response.headers ?? {})) {
        if (h.schema) schemaPointers.push(`${at}/responses/${status}/headers/${esc(header)}/schema`);
      }
    }
  }
}
const at = (pointer) =>
  pointer.split("/").slice(1).map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce((node, key) => node?.[key], doc);
for (const pointer of schemaPointers) {
  if (!ajv.validateSchema(at(pointer))) {
    errors.push({ check: "json-schema-2020-12", pointer, errors: ajv.errors });
    continue;
  }
  try {
    ajv.compile({ $ref: `${BASE}#${pointer}` });
  } catch (e) {
    errors.push({ check: "schema-compiles", pointer, message: e.message });
  }
}

// 3. samples
const results = samples.map(({ pointer, instance }) => {
  try {
    const validate = ajv.compile({ $ref: `${BASE}#${pointer}` });
    const valid = validate(instance);
    return { pointer, valid, errors: validate.errors ?? [] };
  } catch (e) {
    return { pointer, valid: false, errors: [{ message: e.message }] };
  }
});

const report = { valid: errors.length === 0, checkedSchemas: schemaPointers.length, errors, samples: results };
console.log(JSON.stringify(report, null, 2));
process.exit(report.valid ? 0 : 1);
