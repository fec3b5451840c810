package dev.kiln.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.KilnNode;
import dev.kiln.TestApp;
import dev.kiln.TestConfigs;
import dev.kiln.TestHttp;
import dev.kiln.TestPostgres;
import dev.kiln.gateway.OpenApiValidator.Sample;
import dev.kiln.observe.KilnVersion;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /_api/openapi.json} from a real node, checked by a real OpenAPI 3.1 validator. */
class OpenApiDocumentTest {

  static final String ECHO = "/paths/~1_api~1rpc~1echo/post";
  static final String ECHO_ARGS = """
      {"text":"hi","number":7,"id":"6f1c1a52-3b7a-4c34-9d0a-3d1e9f6b2a10",
       "at":"2026-11-22T10:15:30Z","color":"GREEN","items":[{"label":"a","count":1}],
       "extra":{"k":[1,2]}}""";

  static KilnNode node;
  static TestHttp http;
  static HttpResponse<String> response;
  static JsonNode doc;

  @BeforeAll
  static void start() {
    node = KilnNode.start(TestApp.app().definition(),
        TestConfigs.forDatabase(TestPostgres.newDatabase()));
    http = new TestHttp(node.httpPort());
    response = http.get("/_api/openapi.json");
    doc = TestHttp.json(response);
  }

  @AfterAll
  static void stop() {
    node.stop().await();
  }

  @Test
  void documentIsValidOpenApi31() {
    JsonNode report = OpenApiValidator.validate(doc);
    assertTrue(report.get("valid").asBoolean(), report.toPrettyString());
    assertTrue(report.get("checkedSchemas").asInt() > 100, report.toPrettyString());
    assertTrue(doc.get("openapi").asText().startsWith("3.1."));
  }

  @Test
  void validatorRejectsBrokenDocuments() {
    ObjectNode noInfo = doc.deepCopy();
    noInfo.remove("info");
    assertInvalid(noInfo, "openapi-schema");

    ObjectNode badStatus = doc.deepCopy();
    ((ObjectNode) badStatus.at(ECHO + "/responses")).set("20x", badStatus.at(ECHO + "/responses/200"));
    assertInvalid(badStatus, "openapi-schema");

    ObjectNode badSchema = doc.deepCopy();
    ((ObjectNode) badSchema.at("/components/schemas/Echo/properties/text")).put("type", "str");
    assertInvalid(badSchema, "json-schema-2020-12");

    ObjectNode danglingRef = doc.deepCopy();
    ((ObjectNode) danglingRef.at("/components/schemas/Echo/properties/items/items"))
        .put("$ref", "#/components/schemas/Missing");
    assertInvalid(danglingRef, "schema-compiles");
  }

  private static void assertInvalid(JsonNode broken, String check) {
    JsonNode report = OpenApiValidator.validate(broken);
    assertFalse(report.get("valid").asBoolean(), "accepted a broken document");
    Set<String> checks = new TreeSet<>();
    report.get("errors").forEach(e -> checks.add(e.get("check").asText()));
    assertTrue(checks.contains(check), check + " not among " + checks + ": " + report);
  }

  @Test
  void realRequestsAndResponsesMatchTheSchemas() throws Exception {
    JsonNode args = dev.kiln.observe.Json.mapper().readTree(ECHO_ARGS);
    HttpResponse<String> ok = http.rpc("echo", ECHO_ARGS);
    assertEquals(200, ok.statusCode(), ok.body());
    HttpResponse<String> invalid = http.rpc("echo", "{\"text\":5,\"bogus\":true}");
    assertEquals(400, invalid.statusCode(), invalid.body());
    HttpResponse<String> count = http.rpc("items.count", "{}");
    assertEquals(200, count.statusCode(), count.body());

    String request = ECHO + "/requestBody/content/application~1json/schema";
    List<Sample> samples = new ArrayList<>(List.of(
        new Sample(request, args),
        new Sample(ECHO + "/responses/200/content/application~1json/schema", TestHttp.json(ok)),
        new Sample(ECHO + "/responses/400/content/application~1problem+json/schema",
            TestHttp.json(invalid)),
        new Sample("/paths/~1_api~1rpc~1items.count/post/responses/200/content/application~1json/schema",
            TestHttp.json(count)),
        new Sample("/paths/~1_api~1health/get/responses/200/content/application~1json/schema",
            TestHttp.json(http.get("/_api/health"))),
        new Sample("/paths/~1_api~1ready/get/responses/200/content/application~1json/schema",
            TestHttp.json(http.get("/_api/ready")))));
    int expectedValid = samples.size();
    // and what the server refuses, the schema refuses
    samples.add(new Sample(request, ((ObjectNode) args.deepCopy()).put("bogus", true)));
    samples.add(new Sample(request, ((ObjectNode) args.deepCopy()).put("number", 1L << 40)));
    samples.add(new Sample(request, ((ObjectNode) args.deepCopy()).put("color", "BLUE")));
    samples.add(new Sample(request, ((ObjectNode) args.deepCopy()).put("id", "not-a-uuid")));
    samples.add(new Sample(request, ((ObjectNode) args.deepCopy()).without("text")));

    JsonNode report = OpenApiValidator.validate(doc, samples);
    assertTrue(report.get("valid").asBoolean(), report.toPrettyString());
    JsonNode results = report.get("samples");
    for (int i = 0; i < samples.size(); i++) {
      assertEquals(i < expectedValid, results.get(i).get("valid").asBoolean(),
          "sample " + i + " " + samples.get(i) + ": " + results.get(i));
    }
    // spot-check that the server refuses what the schema refused
    for (String bad : List.of("{\"bogus\":true}", "{\"number\":1099511627776}")) {
      assertEquals(400, http.rpc("echo", merge(args, bad)).statusCode());
    }
  }

  private static String merge(JsonNode base, String patch) throws Exception {
    ObjectNode copy = base.deepCopy();
    copy.setAll((ObjectNode) dev.kiln.observe.Json.mapper().readTree(patch));
    return copy.toString();
  }

  @Test
  void echoArgsSchemaDescribesEveryField() {
    JsonNode body = doc.at(ECHO + "/requestBody");
    assertTrue(body.get("required").asBoolean());
    assertEquals("#/components/schemas/Echo",
        body.at("/content/application~1json/schema/$ref").asText());
    JsonNode echo = doc.at("/components/schemas/Echo");
    assertEquals("object", echo.get("type").asText());
    assertFalse(echo.get("additionalProperties").asBoolean());
    assertEquals(Set.of("text", "number", "id", "at", "color", "items", "extra"),
        strings(echo.get("required")));

    JsonNode p = echo.get("properties");
    assertEquals("string", p.at("/text/type").asText());
    assertEquals("integer", p.at("/number/type").asText());
    assertEquals("int32", p.at("/number/format").asText());
    assertEquals(Integer.MAX_VALUE, p.at("/number/maximum").asLong());
    assertEquals(Set.of("string", "null"), strings(p.at("/note/type")), "Optional allows null");
    assertEquals("uuid", p.at("/id/format").asText());
    assertEquals("date-time", p.at("/at/format").asText());
    assertEquals(Set.of("RED", "GREEN"), strings(p.at("/color/enum")));
    assertEquals("array", p.at("/items/type").asText());
    assertEquals("#/components/schemas/Inner", p.at("/items/items/$ref").asText());
    assertEquals("object", p.at("/extra/type").asText());
    assertTrue(p.at("/extra/additionalProperties").isObject());
    assertTrue(p.at("/extra/additionalProperties").isEmpty(), "Map<String, Object> values: any JSON");

    JsonNode inner = doc.at("/components/schemas/Inner");
    assertEquals(Set.of("label", "count"), strings(inner.get("required")));
    assertEquals("int32", inner.at("/properties/count/format").asText());
  }

  @Test
  void resultSchemasFollowTheDeclaredResultType() {
    assertEquals("#/components/schemas/Echo",
        doc.at(ECHO + "/responses/200/content/application~1json/schema/$ref").asText());
    JsonNode count = doc.at(
        "/paths/~1_api~1rpc~1items.count/post/responses/200/content/application~1json/schema");
    assertEquals("integer", count.get("type").asText());
    assertEquals("int64", count.get("format").asText());
    JsonNode undeclared = doc.at(
        "/paths/~1_api~1rpc~1whoami/post/responses/200/content/application~1json/schema");
    assertTrue(undeclared.isObject() && undeclared.isEmpty(), "no result type: any JSON");
  }

  @Test
  void operationsCarryNameKindDescriptionAndAccess() {
    JsonNode echo = doc.at(ECHO);
    assertEquals("echo", echo.get("operationId").asText());
    assertEquals("query", echo.at("/tags/0").asText());
    assertEquals("mutation", doc.at("/paths/~1_api~1rpc~1items.add/post/tags/0").asText());
    assertEquals("bearer", doc.at("/components/securitySchemes/bearerAuth/scheme").asText());
    assertEquals("JWT", doc.at("/components/securitySchemes/bearerAuth/bearerFormat").asText());

    assertTrue(echo.get("security").isArray() && echo.get("security").isEmpty(), "public");
    assertTrue(echo.at("/responses/403").isMissingNode());
    JsonNode whoami = doc.at("/paths/~1_api~1rpc~1whoami/post");
    assertTrue(whoami.at("/security/0/bearerAuth").isEmpty(), "any valid token");
    assertFalse(whoami.at("/responses/401").isMissingNode());
    JsonNode admin = doc.at("/paths/~1_api~1rpc~1admin.only/post");
    assertEquals("admin", admin.at("/security/0/bearerAuth/0").asText());
    assertFalse(admin.at("/responses/403").isMissingNode());

    assertTrue(echo.at("/responses/429").isMissingNode(), "no rate limit, no 429");
    JsonNode limited = doc.at("/paths/~1_api~1rpc~1limited/post/responses/429");
    assertFalse(limited.at("/headers/Retry-After").isMissingNode());
    assertTrue(doc.at("/paths/~1_api~1rpc~1sleep/post/responses/504/description").asText()
        .contains("3000 ms"));
    assertFalse(doc.at("/paths/~1_api~1rpc~1whoami/post/requestBody/required").asBoolean(),
        "no required args: an empty body is fine");
  }

  @Test
  void everyErrorResponseIsAProblemDocument() {
    List<String> statuses = new ArrayList<>();
    doc.at(ECHO + "/responses").fieldNames().forEachRemaining(statuses::add);
    assertTrue(statuses.containsAll(List.of("200", "400", "401", "404", "413", "415", "500", "503",
        "504")), statuses.toString());
    for (String status : statuses) {
      if (!status.equals("200")) {
        assertEquals("#/components/schemas/Problem", doc.at(ECHO + "/responses/" + status
            + "/content/application~1problem+json/schema/$ref").asText(), status);
      }
    }
    JsonNode problem = doc.at("/components/schemas/Problem");
    assertEquals(Set.of("type", "title", "status", "detail", "code", "request_id", "errors"),
        fieldNames(problem.get("properties")));
    assertEquals(Set.of("path", "message"),
        fieldNames(problem.at("/properties/errors/items/properties")));
  }

  @Test
  void healthAndReadinessAreDocumentedAndPublic() {
    assertTrue(doc.at("/paths/~1_api~1health/get/security").isEmpty());
    assertFalse(doc.at("/paths/~1_api~1ready/get/responses/503").isMissingNode());
    assertEquals("testapp", doc.at("/info/title").asText());
    assertEquals(KilnVersion.get(), doc.at("/info/version").asText());
  }

  @Test
  void servedAsCacheableJsonWithAnEtag() {
    assertEquals(200, response.statusCode());
    assertEquals("application/json", response.headers().firstValue("content-type").orElse(""));
    assertTrue(response.headers().firstValue("cache-control").orElse("").contains("max-age"));
    String etag = response.headers().firstValue("etag").orElseThrow();
    HttpResponse<String> again = http.send(HttpRequest.newBuilder(
        URI.create(http.base() + "/_api/openapi.json")).header("if-none-match", etag).GET());
    assertEquals(304, again.statusCode());
    assertNotNull(again.headers().firstValue("x-request-id").orElse(null));
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> out = new TreeSet<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Set<String> fieldNames(JsonNode object) {
    Set<String> out = new TreeSet<>();
    object.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
