package dev.kiln.gateway;

import dev.kiln.api.Access;
import dev.kiln.api.FunctionOptions;
import dev.kiln.function.FunctionDefinition;
import dev.kiln.function.FunctionKind;
import dev.kiln.function.FunctionRegistry;
import dev.kiln.observe.KilnVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * The OpenAPI 3.1 description of an app: one {@code POST /_api/rpc/{name}} operation per query and
 * mutation, with the JSON Schemas of its arguments and result and the problem documents
 * ({@link Problem}) it can answer with, plus health and readiness.
 *
 * <p>Built from the registrations alone, so it describes what {@link RpcRoutes} does: which errors
 * apply depends on the function's access, rate limit and arguments.
 *
 * @see <a href="https://spec.openapis.org/oas/v3.1.1.html">OpenAPI 3.1.1</a>
 */
public final class OpenApiDocument {

  static final String OPENAPI_VERSION = "3.1.1";
  static final String PROBLEM = "Problem";
  static final String BEARER = "bearerAuth";
  private static final String PROBLEM_REF = "#/components/schemas/" + PROBLEM;

  private OpenApiDocument() {}

  /** The whole document for this app; a new object on each call. */
  public static JsonObject build(String appName, FunctionRegistry registry) {
    JsonSchemas schemas = new JsonSchemas(Set.of(PROBLEM));
    JsonObject paths = new JsonObject();
    for (FunctionDefinition fn : registry.all()) {
      paths.put("/_api/rpc/" + fn.name(), new JsonObject().put("post", operation(fn, schemas)));
    }
    paths.put(HealthRoutes.HEALTH, new JsonObject().put("get", health()));
    paths.put(HealthRoutes.READY, new JsonObject().put("get", ready()));
    paths.put(OpenApiRoutes.PATH, new JsonObject().put("get", self()));

    JsonObject componentSchemas = new JsonObject().put(PROBLEM, problemSchema());
    schemas.components().forEach(e -> componentSchemas.put(e.getKey(), e.getValue()));
    return new JsonObject()
        .put("openapi", OPENAPI_VERSION)
        .put("info", new JsonObject()
            .put("title", appName)
            .put("version", KilnVersion.get())
            .put("description", "Queries and mutations of " + appName + ", served by Kiln. Call "
                + "each with POST and a JSON body of its arguments; errors are RFC 9457 problem "
                + "documents (application/problem+json) with a stable code and the request_id."))
        .put("tags", new JsonArray()
            .add(tag(FunctionKind.QUERY.key(), "Reads; may be served from a read replica."))
            .add(tag(FunctionKind.MUTATION.key(), "Writes; each call is one database transaction."))
            .add(tag("health", "Liveness, readiness and this document.")))
        .put("paths", paths)
        .put("components", new JsonObject()
            .put("schemas", componentSchemas)
            .put("securitySchemes", new JsonObject().put(BEARER, new JsonObject()
                .put("type", "http")
                .put("scheme", "bearer")
                .put("bearerFormat", "JWT")
                .put("description", "A JWT signed with the configured secret or a key of the "
                    + "configured JWKS; roles come from its 'roles' claim."))));
  }

  private static JsonObject operation(FunctionDefinition fn, JsonSchemas schemas) {
    FunctionOptions options = fn.options();
    String description = options.description() == null ? "" : options.description().strip();
    JsonObject argsSchema = schemas.schemaFor(fn.argsType());
    JsonObject op = new JsonObject()
        .put("operationId", fn.name())
        .put("tags", new JsonArray().add(fn.kind().key()))
        .put("summary", description.isEmpty() ? fn.kind().key() + " " + fn.name() : summary(description));
    if (!description.isEmpty()) {
      op.put("description", description);
    }
    op.put("security", security(options.access()));
    op.put("requestBody", new JsonObject()
        // an empty body binds as {}, so it may be left out when no argument is required
        .put("required", !emptyBodyAccepted(fn.argsType()))
        .put("content", json("application/json", argsSchema)));

    JsonObject responses = new JsonObject()
        .put("200", new JsonObject()
            .put("description", "The function's result.")
            .put("content", json("application/json", schemas.schemaFor(fn.resultType()))))
        .put("400", problem("`malformed_json`: the body is not JSON; `invalid_args`: arguments do "
            + "not match the schema, every bad field listed in `errors` by JSON path."));
    if (options.access() instanceof Access.Public) {
      responses.put("401", problem("`invalid_token` and similar: a bearer token was sent and it "
          + "is not valid (a public function needs none, but a bad one is still refused)."));
    } else {
      responses.put("401", problem("`unauthenticated`: no bearer token; `invalid_token`, "
          + "`token_expired`, `invalid_signature`…: the token is not valid."));
    }
    if (options.access() instanceof Access.RequiresRole r) {
      responses.put("403", problem("`forbidden`: the token lacks the role '" + r.role() + "'."));
    }
    responses
        .put("404", problem("`unknown_function` or `not_found`: this node does not serve the "
            + "function."))
        .put("413", problem("`payload_too_large`: the body exceeds the gateway's limit."))
        .put("415", problem("`unsupported_media_type`: the body is not sent as JSON."));
    if (options.rateLimit() != null) {
      FunctionOptions.RateLimit limit = options.rateLimit();
      responses.put("429", withRetryAfter(problem("`rate_limited`: more than " + limit.capacity()
          + " call(s) at once or " + limit.perSecond() + " per second per "
          + (limit.key() == FunctionOptions.RateLimit.Key.IP ? "client IP" : "user (or client IP)")
          + ".")));
    }
    responses
        .put("4XX", problem("An error the function raised itself (`AppError`), with its own "
            + "status and `code`."))
        .put("500", problem("`internal_error`: the function failed unexpectedly; details are "
            + "only in the server log, under the `request_id`."))
        .put("503", withRetryAfter(problem("`overloaded`: too many requests in flight; "
            + "`draining`: the node is shutting down. Retry, on another node if need be.")))
        .put("504", problem("`timeout`: the function did not finish within "
            + (options.timeout() != null ? options.timeout().toMillis() + " ms" : "the gateway's request timeout")
            + (fn.kind() == FunctionKind.MUTATION ? "; its transaction was rolled back." : ".")));
    return op.put("responses", responses);
  }

  private static boolean emptyBodyAccepted(Class<?> argsType) {
    return argsType.isRecord() && java.util.Arrays.stream(argsType.getRecordComponents())
        .noneMatch(c -> c.getType().isPrimitive()
            || (c.getType() != java.util.Optional.class && !JsonSchemas.isNullable(c)));
  }

  private static JsonArray security(Access access) {
    return switch (access) {
      case Access.Public p -> new JsonArray(); // overrides nothing: no token needed
      case Access.Authenticated a -> new JsonArray().add(new JsonObject().put(BEARER, new JsonArray()));
      // OpenAPI 3.1 lets non-OAuth schemes list the roles an operation needs
      case Access.RequiresRole r ->
          new JsonArray().add(new JsonObject().put(BEARER, new JsonArray().add(r.role())));
    };
  }

  /** The first sentence of the description, as a one-line summary. */
  private static String summary(String description) {
    String firstLine = description.lines().findFirst().orElse("").strip();
    int stop = firstLine.indexOf(". ");
    return stop > 0 ? firstLine.substring(0, stop + 1) : firstLine;
  }

  private static JsonObject problem(String description) {
    return new JsonObject()
        .put("description", description)
        .put("content", json(Problem.CONTENT_TYPE, new JsonObject().put("$ref", PROBLEM_REF)));
  }

  private static JsonObject withRetryAfter(JsonObject response) {
    return response.put("headers", new JsonObject().put("Retry-After", new JsonObject()
        .put("description", "Seconds to wait before retrying.")
        .put("schema", new JsonObject().put("type", "integer").put("minimum", 0))));
  }

  private static JsonObject json(String mediaType, JsonObject schema) {
    return new JsonObject().put(mediaType, new JsonObject().put("schema", schema));
  }

  private static JsonObject tag(String name, String description) {
    return new JsonObject().put("name", name).put("description", description);
  }

  /** The shape of {@link Problem#toJson(String)}. */
  private static JsonObject problemSchema() {
    JsonObject string = new JsonObject().put("type", "string");
    return new JsonObject()
        .put("type", "object")
        .put("description", "An RFC 9457 problem document.")
        .put("properties", new JsonObject()
            .put("type", string.copy().put("format", "uri-reference"))
            .put("title", string.copy())
            .put("status", new JsonObject().put("type", "integer").put("minimum", 100)
                .put("maximum", 599))
            .put("detail", string.copy())
            .put("code", string.copy().put("description", "Stable, machine-readable error code."))
            .put("request_id", string.copy()
                .put("description", "Also in the x-request-id header; quote it in bug reports."))
            .put("errors", new JsonObject()
                .put("type", "array")
                .put("description", "Every bad field of the request (code invalid_args).")
                .put("items", new JsonObject()
                    .put("type", "object")
                    .put("properties", new JsonObject()
                        .put("path", string.copy().put("description", "JSON path, e.g. $.items[2].qty"))
                        .put("message", string.copy()))
                    .put("required", new JsonArray().add("path").add("message")))))
        .put("required", new JsonArray().add("type").add("title").add("status").add("detail")
            .add("code"));
  }

  private static JsonObject health() {
    return probe("health", "Liveness: 200 while the process runs; never touches the database.",
        new JsonObject().put("200", new JsonObject()
            .put("description", "The process is alive.")
            .put("content", json("application/json", object(new JsonObject()
                .put("status", new JsonObject().put("const", "healthy"))
                .put("version", new JsonObject().put("type", "string")))))));
  }

  private static JsonObject ready() {
    JsonObject readiness = object(new JsonObject()
        .put("ready", new JsonObject().put("type", "boolean"))
        .put("database", new JsonObject().put("type", "boolean"))
        .put("draining", new JsonObject().put("type", "boolean"))
        .put("in_flight", new JsonObject().put("type", "integer").put("minimum", 0))
        .put("node", new JsonObject().put("type", "string").put("format", "uuid"))
        .put("version", new JsonObject().put("type", "string")));
    return probe("ready", "Readiness: 200 when the database answers and the node is not draining.",
        new JsonObject()
            .put("200", new JsonObject().put("description", "Ready for traffic.")
                .put("content", json("application/json", readiness)))
            .put("503", new JsonObject()
                .put("description", "Not ready: the database does not answer or the node drains.")
                .put("content", json("application/json", readiness))));
  }

  private static JsonObject self() {
    return probe("openapi", "This document.", new JsonObject()
        .put("200", new JsonObject().put("description", "The OpenAPI 3.1 document.")
            .put("content", json("application/json", new JsonObject().put("type", "object"))))
        .put("304", new JsonObject().put("description", "Unchanged since the ETag sent in "
            + "If-None-Match.")));
  }

  private static JsonObject probe(String operationId, String summary, JsonObject responses) {
    return new JsonObject()
        .put("operationId", "_" + operationId)
        .put("tags", new JsonArray().add("health"))
        .put("summary", summary)
        .put("security", new JsonArray())
        .put("responses", responses);
  }

  private static JsonObject object(JsonObject properties) {
    JsonArray required = new JsonArray();
    properties.fieldNames().forEach(required::add);
    return new JsonObject().put("type", "object").put("properties", properties)
        .put("required", required);
  }
}
