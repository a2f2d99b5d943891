import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parse as parseYaml } from "yaml";

/**
 * LINE's official specs, copied into the repository (see line-openapi/SOURCE.txt) so that the
 * demo runs from a clone alone. Resolved from the source tree, as the console's pages are, so
 * the same path serves tsx and a build in dist/.
 */
export const LINE_OPENAPI_DIR = path.resolve(__dirname, "../../src/simulator/line-openapi");
export const DEFAULT_MESSAGING_API_SPEC = path.join(LINE_OPENAPI_DIR, "messaging-api.yml");
export const DEFAULT_WEBHOOK_SPEC = path.join(LINE_OPENAPI_DIR, "webhook.yml");

/** One problem in LINE's error-detail shape: `property` is a path like `messages[0].text`. */
export interface ValidationProblem {
  property: string;
  message: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const SPEC_ID = "line-openapi-spec";
const BASE_SUFFIX = "__Base";
const KNOWN_FORMATS = new Set(["uri", "uuid", "date-time", "date", "email", "int32", "int64"]);

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validates JSON bodies against an OpenAPI 3.0 document with Ajv.
 *
 * LINE's spec models polymorphism with `discriminator` plus `allOf` inheritance (TextMessage is
 * `allOf: [Message, {...}]` and Message names its subtypes in `discriminator.mapping`). Ajv ignores
 * `discriminator` without `oneOf`, so as written a text message would only be checked against the
 * bare Message. The constructor rewrites each discriminated schema into "type must be one of the
 * mapping's keys, and if type is K then the body must match K's schema"; subtypes inherit from a
 * copy of the base without the discriminator (`Message__Base`) so the rewrite does not recurse.
 */
export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly spec: JsonObject;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(opts: { specPath?: string } = {}) {
    const specPath = opts.specPath ?? DEFAULT_MESSAGING_API_SPEC;
    const parsed: unknown = parseYaml(readFileSync(specPath, "utf8"));
    if (!isObject(parsed)) throw new Error(`OpenAPI spec at ${specPath} is not an object`);
    this.spec = resolveDiscriminators(parsed);
    this.ajv = new Ajv({ strict: false, allErrors: true, verbose: true, validateSchema: false });
    addFormats(this.ajv);
    for (const format of collectFormats(this.spec)) {
      // The spec uses formats such as int32 and binary that JSON Schema does not define.
      if (!KNOWN_FORMATS.has(format)) this.ajv.addFormat(format, true);
    }
    this.ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) });
    this.ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
    this.ajv.addSchema(this.spec, SPEC_ID);
  }

  /** True when the spec defines a JSON request body for this operation. */
  hasRequestBody(pathTemplate: string, method: string): boolean {
    return this.requestBodySchemaPointer(pathTemplate, method) !== undefined;
  }

  /** Problems with `body` as the JSON request body of `method pathTemplate`; empty when valid. */
  validateRequestBody(pathTemplate: string, method: string, body: unknown): string[] {
    return this.requestBodyProblems(pathTemplate, method, body).map(formatProblem);
  }

  /** Same as validateRequestBody, in LINE's `{property, message}` error-detail shape. */
  requestBodyProblems(pathTemplate: string, method: string, body: unknown): ValidationProblem[] {
    const pointer = this.requestBodySchemaPointer(pathTemplate, method);
    if (pointer === undefined) {
      return [{ property: "", message: `No JSON request body for ${method} ${pathTemplate}` }];
    }
    return this.run(pointer, body);
  }

  /** Problems with `value` as an instance of `components.schemas[schemaName]`. */
  validateSchema(schemaName: string, value: unknown): string[] {
    return this.schemaProblems(schemaName, value).map(formatProblem);
  }

  schemaProblems(schemaName: string, value: unknown): ValidationProblem[] {
    const schemas = this.spec["components"];
    if (
      !isObject(schemas) ||
      !isObject(schemas["schemas"]) ||
      !(schemaName in schemas["schemas"])
    ) {
      return [{ property: "", message: `Unknown schema ${schemaName}` }];
    }
    return this.run(`/components/schemas/${escapePointer(schemaName)}`, value);
  }

  private requestBodySchemaPointer(pathTemplate: string, method: string): string | undefined {
    const paths = this.spec["paths"];
    const item = isObject(paths) ? paths[pathTemplate] : undefined;
    const operation = isObject(item) ? item[method.toLowerCase()] : undefined;
    const requestBody = isObject(operation) ? operation["requestBody"] : undefined;
    const content = isObject(requestBody) ? requestBody["content"] : undefined;
    const json = isObject(content) ? content["application/json"] : undefined;
    if (!isObject(json) || !isObject(json["schema"])) return undefined;
    return ["", "paths", pathTemplate, method.toLowerCase(), "requestBody", "content"]
      .concat(["application/json", "schema"])
      .map(escapePointer)
      .join("/");
  }

  private run(pointer: string, value: unknown): ValidationProblem[] {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${SPEC_ID}#${pointer}` });
      this.compiled.set(pointer, validate);
    }
    if (validate(value)) return [];
    return toProblems(validate.errors ?? []);
  }
}

function formatProblem(problem: ValidationProblem): string {
  return problem.property ? `${problem.property}: ${problem.message}` : problem.message;
}

/** JSON pointer escaping, then URI escaping because Ajv reads the pointer from a URI fragment. */
function escapePointer(segment: string): string {
  return encodeURIComponent(segment.replace(/~/g, "~0").replace(/\//g, "~1"));
}

function collectFormats(node: Json, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((child) => collectFormats(child, found));
  if (!isObject(node)) return found;
  for (const [key, child] of Object.entries(node)) {
    if (key === "format" && typeof child === "string") found.add(child);
    else collectFormats(child, found);
  }
  return found;
}

/** Returns a copy of the spec in which every discriminated schema dispatches on its mapping. */
export function resolveDiscriminators(spec: JsonObject): JsonObject {
  const copy = structuredClone(spec);
  const components = copy["components"];
  const schemas = isObject(components) ? components["schemas"] : undefined;
  if (!isObject(schemas)) return copy;
  const discriminated = new Set<string>();
  for (const [name, schema] of Object.entries(schemas)) {
    if (isObject(schema) && isObject(schema["discriminator"])) discriminated.add(name);
  }
  for (const name of discriminated) {
    const schema = schemas[name];
    if (!isObject(schema)) continue;
    const { discriminator, ...base } = schema;
    schemas[name + BASE_SUFFIX] = base;
    schemas[name] = dispatchSchema(discriminator);
  }
  redirectInheritance(copy, discriminated);
  return copy;
}

function dispatchSchema(discriminator: Json | undefined): JsonObject {
  const info = isObject(discriminator) ? discriminator : {};
  const property = typeof info["propertyName"] === "string" ? info["propertyName"] : "type";
  const mapping = isObject(info["mapping"]) ? info["mapping"] : {};
  const branches: Json[] = Object.entries(mapping).map(([value, ref]) => ({
    if: { properties: { [property]: { const: value } }, required: [property] },
    then: { $ref: typeof ref === "string" ? ref : "#" },
  }));
  return {
    type: "object",
    required: [property],
    properties: { [property]: { type: "string", enum: Object.keys(mapping) } },
    allOf: branches,
  };
}

/** `allOf: [{$ref: Message}]` in a subtype must point at Message__Base, or it would loop. */
function redirectInheritance(node: Json, discriminated: Set<string>): void {
  if (Array.isArray(node)) {
    node.forEach((child) => redirectInheritance(child, discriminated));
    return;
  }
  if (!isObject(node)) return;
  const allOf = node["allOf"];
  if (Array.isArray(allOf)) {
    for (const part of allOf) {
      const ref = isObject(part) ? part["$ref"] : undefined;
      const name = typeof ref === "string" ? ref.replace("#/components/schemas/", "") : "";
      if (isObject(part) && discriminated.has(name))
        part["$ref"] = `${ref as string}${BASE_SUFFIX}`;
    }
  }
  Object.values(node).forEach((child) => redirectInheritance(child, discriminated));
}

/** Turns Ajv errors into LINE's wording (`Size must be between 1 and 5`) and property paths. */
function toProblems(errors: ErrorObject[]): ValidationProblem[] {
  const seen = new Set<string>();
  const problems: ValidationProblem[] = [];
  for (const error of errors) {
    // "must match then schema" only repeats the nested error that explains it.
    if (error.keyword === "if") continue;
    const problem = toProblem(error);
    const key = `${problem.property}\u0000${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

function toProblem(error: ErrorObject): ValidationProblem {
  const property = pointerToProperty(error.instancePath);
  const schema: unknown = error.parentSchema;
  const bounds = (min: string, max: string, fallbackMax: string): string => {
    const low = isObject(schema) && typeof schema[min] === "number" ? schema[min] : 0;
    const high = isObject(schema) && typeof schema[max] === "number" ? schema[max] : fallbackMax;
    return `${String(low)} and ${String(high)}`;
  };
  switch (error.keyword) {
    case "required": {
      const missing = (error.params as { missingProperty?: string }).missingProperty ?? "";
      return { property: joinProperty(property, missing), message: "May not be empty" };
    }
    case "minItems":
    case "maxItems":
      return { property, message: `Size must be between ${bounds("minItems", "maxItems", "∞")}` };
    case "minLength":
    case "maxLength":
      return {
        property,
        message: `Length must be between ${bounds("minLength", "maxLength", "∞")}`,
      };
    case "enum": {
      const allowed = (error.params as { allowedValues?: unknown }).allowedValues;
      const list = Array.isArray(allowed) ? allowed.map(String).join(", ") : "";
      return { property, message: `Must be one of the following values: [${list}]` };
    }
    default:
      return { property, message: capitalise(error.message ?? error.keyword) };
  }
}

function pointerToProperty(pointer: string): string {
  let out = "";
  for (const raw of pointer.split("/").slice(1)) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    out = /^\d+$/.test(part) ? `${out}[${part}]` : joinProperty(out, part);
  }
  return out;
}

function joinProperty(base: string, name: string): string {
  if (!name) return base;
  return base ? `${base}.${name}` : name;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

let defaultValidator: OpenApiValidator | undefined;

/**
 * Validates a request body against LINE's Messaging API spec at the default location, e.g.
 * `validateRequestBody("/v2/bot/message/push", "post", body)`; returns problems, empty = valid.
 */
export function validateRequestBody(pathTemplate: string, method: string, body: unknown): string[] {
  defaultValidator ??= new OpenApiValidator();
  return defaultValidator.validateRequestBody(pathTemplate, method, body);
}
