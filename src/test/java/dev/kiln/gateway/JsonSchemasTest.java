package dev.kiln.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.FunctionOptions;
import dev.kiln.function.FunctionDefinition;
import dev.kiln.function.FunctionKind;
import dev.kiln.function.FunctionRegistry;
import dev.kiln.observe.Json;
import io.vertx.core.json.JsonObject;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Java types to JSON Schema, the way ArgsBinder reads them and Json.mapper() writes them. */
class JsonSchemasTest {

  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.RECORD_COMPONENT, ElementType.TYPE_USE})
  @interface Nullable {}

  enum Level { LOW, HIGH }

  record Tree(String name, List<Tree> children, Optional<Tree> parent) {}

  record Everything(long big, double ratio, float f, BigDecimal price, boolean flag, Boolean boxed,
      LocalDate day, OffsetDateTime when, Set<String> tags, int[] scores, byte[] blob,
      Map<String, Integer> counts, Map<Level, String> byLevel, @Nullable String maybe,
      @Nullable Level level, Optional<Tree> tree, Object anything) {}

  static final class A {
    record Item(String a) {}
  }

  static final class B {
    record Item(int b) {}
  }

  record Problem(String notTheGatewayOne) {}

  record Both(A.Item first, B.Item second, Problem problem) {}

  private static JsonObject components(Class<?> type) {
    JsonSchemas schemas = new JsonSchemas(Set.of("Problem"));
    schemas.schemaFor(type);
    return schemas.components();
  }

  @Test
  void recursiveRecordsReferToThemselves() {
    JsonObject tree = components(Tree.class).getJsonObject("Tree");
    assertEquals("#/components/schemas/Tree",
        tree.getJsonObject("properties").getJsonObject("children").getJsonObject("items")
            .getString("$ref"));
    // an absent Optional is written as null, so the reference is widened with anyOf
    assertEquals("#/components/schemas/Tree", tree.getJsonObject("properties")
        .getJsonObject("parent").getJsonArray("anyOf").getJsonObject(0).getString("$ref"));
    assertEquals(List.of("name", "children"), tree.getJsonArray("required").getList());
  }

  @Test
  void scalarsContainersAndNullables() {
    JsonObject p = components(Everything.class).getJsonObject("Everything")
        .getJsonObject("properties");
    assertEquals("int64", p.getJsonObject("big").getString("format"));
    assertEquals(Long.MIN_VALUE, p.getJsonObject("big").getLong("minimum"));
    assertEquals("number", p.getJsonObject("ratio").getString("type"));
    assertEquals("float", p.getJsonObject("f").getString("format"));
    assertEquals("number", p.getJsonObject("price").getString("type"));
    assertEquals("boolean", p.getJsonObject("boxed").getString("type"));
    assertEquals("date", p.getJsonObject("day").getString("format"));
    assertEquals("date-time", p.getJsonObject("when").getString("format"));
    assertTrue(p.getJsonObject("tags").getBoolean("uniqueItems"));
    assertEquals("integer", p.getJsonObject("scores").getJsonObject("items").getString("type"));
    assertEquals("base64", p.getJsonObject("blob").getString("contentEncoding"));
    assertEquals("int32", p.getJsonObject("counts").getJsonObject("additionalProperties")
        .getString("format"));
    assertEquals(List.of("LOW", "HIGH"), p.getJsonObject("byLevel").getJsonObject("propertyNames")
        .getJsonArray("enum").getList());
    assertEquals(List.of("string", "null"), p.getJsonObject("maybe").getJsonArray("type").getList());
    assertTrue(p.getJsonObject("level").getJsonArray("enum").getList().contains(null));
    assertTrue(p.getJsonObject("anything").isEmpty());

    List<?> required = components(Everything.class).getJsonObject("Everything")
        .getJsonArray("required").getList();
    assertFalse(required.contains("maybe"), "@Nullable is not required");
    assertFalse(required.contains("level"));
    assertFalse(required.contains("tree"), "Optional is not required");
    assertTrue(required.containsAll(List.of("big", "flag", "boxed", "blob", "anything")));
  }

  @Test
  void recordsSharingASimpleNameGetDistinctComponents() {
    JsonObject components = components(Both.class);
    assertTrue(components.containsKey("Item"), components.fieldNames().toString());
    // the later one is qualified by its enclosing classes
    assertTrue(components.containsKey("JsonSchemasTest.B.Item"), components.fieldNames().toString());
    assertTrue(components.containsKey("JsonSchemasTest.Problem"), "Problem is the gateway's");
    JsonObject both = components.getJsonObject("Both").getJsonObject("properties");
    assertEquals("#/components/schemas/JsonSchemasTest.B.Item", both.getJsonObject("second").getString("$ref"));
  }

  @Test
  void documentOfTrickyTypesIsValidOpenApi() throws Exception {
    FunctionRegistry registry = new FunctionRegistry(List.of(
        fn(FunctionKind.QUERY, "tree", Tree.class, Everything.class),
        fn(FunctionKind.MUTATION, "both", Both.class, byte[].class)));
    JsonNode doc = Json.mapper().readTree(OpenApiDocument.build("tricky", registry).encode());
    JsonNode report = OpenApiValidator.validate(doc);
    assertTrue(report.get("valid").asBoolean(), report.toPrettyString());
  }

  private static FunctionDefinition fn(FunctionKind kind, String name, Class<?> args,
      Class<?> result) {
    return new FunctionDefinition(kind, name, args, result,
        FunctionOptions.DEFAULTS.withDescription("Tricky. Second sentence."), (ctx, a) -> null);
  }
}
