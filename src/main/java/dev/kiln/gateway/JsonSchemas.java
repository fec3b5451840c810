package dev.kiln.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * JSON Schemas (draft 2020-12, the dialect of OpenAPI 3.1) for the Java types functions take and
 * return, as {@link ArgsBinder} reads them and {@code Json.mapper()} writes them.
 *
 * <p>Every record becomes a named schema in {@link #components()} and is referred to by
 * {@code $ref}, which keeps the document small and makes recursive records terminate. A record's
 * name is its simple name; when two records share one, the later gets its enclosing classes
 * prefixed (then its package, then a number). Types this class does not know become {@code {}}
 * (any JSON): a schema that says less is better than one that says something false.
 *
 * <p>Not thread-safe; build the document on one thread.
 */
final class JsonSchemas {

  private static final String REF_PREFIX = "#/components/schemas/";

  private final JsonObject components = new JsonObject();
  private final Map<Class<?>, String> names = new HashMap<>();
  private final Set<String> taken = new HashSet<>();

  /** @param reserved component names already used by the document (e.g. {@code Problem}) */
  JsonSchemas(Set<String> reserved) {
    taken.addAll(reserved);
  }

  /** The named record schemas generated so far, for {@code components.schemas}. */
  JsonObject components() {
    return components;
  }

  /** A schema for this type: inline for scalars and containers, a {@code $ref} for records. */
  JsonObject schemaFor(Type type) {
    if (type instanceof WildcardType w) {
      return schemaFor(w.getUpperBounds()[0]);
    }
    if (type instanceof GenericArrayType g) {
      return arrayOf(g.getGenericComponentType());
    }
    if (type instanceof ParameterizedType p) {
      return parameterized(p);
    }
    if (!(type instanceof Class<?> c)) {
      return new JsonObject(); // a type variable: nothing is known about it
    }
    JsonObject scalar = scalar(c);
    if (scalar != null) {
      return scalar;
    }
    if (c.isEnum()) {
      JsonArray constants = new JsonArray();
      Arrays.stream(c.getEnumConstants()).forEach(e -> constants.add(((Enum<?>) e).name()));
      return new JsonObject().put("type", "string").put("enum", constants);
    }
    if (c == byte[].class) {
      // Jackson writes byte arrays as one base64 string, not as an array of numbers
      return new JsonObject().put("type", "string").put("contentEncoding", "base64");
    }
    if (c.isArray()) {
      return arrayOf(c.getComponentType());
    }
    if (c.isRecord()) {
      return new JsonObject().put("$ref", REF_PREFIX + recordName(c));
    }
    if (Collection.class.isAssignableFrom(c)) {
      return collection(c, Object.class);
    }
    if (Map.class.isAssignableFrom(c)) {
      return new JsonObject().put("type", "object");
    }
    return new JsonObject();
  }

  private JsonObject parameterized(ParameterizedType p) {
    Class<?> raw = (Class<?>) p.getRawType();
    Type[] args = p.getActualTypeArguments();
    if (raw == Optional.class) {
      return nullable(schemaFor(args[0]));
    }
    if (Collection.class.isAssignableFrom(raw)) {
      return collection(raw, args[0]);
    }
    if (Map.class.isAssignableFrom(raw)) {
      JsonObject map = new JsonObject().put("type", "object")
          .put("additionalProperties", schemaFor(args[1]));
      if (args[0] instanceof Class<?> key && key.isEnum()) {
        map.put("propertyNames", schemaFor(key));
      }
      return map;
    }
    return schemaFor(raw);
  }

  private JsonObject collection(Class<?> raw, Type element) {
    JsonObject array = arrayOf(element);
    if (Set.class.isAssignableFrom(raw)) {
      array.put("uniqueItems", true);
    }
    return array;
  }

  private JsonObject arrayOf(Type element) {
    return new JsonObject().put("type", "array").put("items", schemaFor(element));
  }

  private static JsonObject scalar(Class<?> c) {
    if (c == String.class || c == CharSequence.class) {
      return type("string");
    }
    if (c == char.class || c == Character.class) {
      return type("string").put("minLength", 1).put("maxLength", 1);
    }
    if (c == boolean.class || c == Boolean.class) {
      return type("boolean");
    }
    if (c == int.class || c == Integer.class) {
      return integer("int32", Integer.MIN_VALUE, Integer.MAX_VALUE);
    }
    if (c == long.class || c == Long.class) {
      return integer("int64", Long.MIN_VALUE, Long.MAX_VALUE);
    }
    if (c == short.class || c == Short.class) {
      return integer(null, Short.MIN_VALUE, Short.MAX_VALUE);
    }
    if (c == byte.class || c == Byte.class) {
      return integer(null, Byte.MIN_VALUE, Byte.MAX_VALUE);
    }
    if (c == BigInteger.class) {
      return type("integer");
    }
    if (c == double.class || c == Double.class) {
      return type("number").put("format", "double");
    }
    if (c == float.class || c == Float.class) {
      return type("number").put("format", "float");
    }
    if (c == BigDecimal.class) {
      return type("number");
    }
    if (c == UUID.class) {
      return type("string").put("format", "uuid");
    }
    if (c == Instant.class || c == OffsetDateTime.class || c == ZonedDateTime.class) {
      return type("string").put("format", "date-time");
    }
    if (c == LocalDate.class) {
      return type("string").put("format", "date");
    }
    if (c == Object.class || c == void.class || c == Void.class) {
      return new JsonObject();
    }
    return null;
  }

  private static JsonObject type(String type) {
    return new JsonObject().put("type", type);
  }

  private static JsonObject integer(String format, long min, long max) {
    JsonObject schema = type("integer");
    if (format != null) {
      schema.put("format", format);
    }
    return schema.put("minimum", min).put("maximum", max);
  }

  /** Registers the record (once) and returns its component name. */
  private String recordName(Class<?> record) {
    String existing = names.get(record);
    if (existing != null) {
      return existing;
    }
    String name = uniqueName(record);
    names.put(record, name);
    taken.add(name);
    // reserve the slot before walking the components, so a record that contains itself refers
    // to the name instead of recursing
    components.put(name, new JsonObject());
    components.put(name, recordSchema(record));
    return name;
  }

  private JsonObject recordSchema(Class<?> record) {
    JsonObject properties = new JsonObject();
    JsonArray required = new JsonArray();
    for (RecordComponent c : record.getRecordComponents()) {
      boolean optional = c.getType() == Optional.class;
      JsonObject schema = schemaFor(c.getGenericType());
      if (!optional && !c.getType().isPrimitive() && isNullable(c)) {
        schema = nullable(schema);
      }
      properties.put(c.getName(), schema);
      if (c.getType().isPrimitive() || (!optional && !isNullable(c))) {
        required.add(c.getName());
      }
    }
    JsonObject schema = new JsonObject().put("type", "object").put("properties", properties);
    if (!required.isEmpty()) {
      schema.put("required", required);
    }
    // ArgsBinder refuses fields the record does not have, and results have exactly its components
    return schema.put("additionalProperties", false);
  }

  /**
   * The same schema, also allowing {@code null}: an absent {@code Optional} is written as null,
   * and a null {@code @Nullable} field is accepted.
   */
  static JsonObject nullable(JsonObject schema) {
    if (schema.isEmpty()) {
      return schema; // already any JSON, null included
    }
    Object type = schema.getValue("type");
    if (type instanceof String t && !schema.containsKey("$ref")) {
      JsonObject copy = schema.copy().put("type", new JsonArray().add(t).add("null"));
      JsonArray values = copy.getJsonArray("enum");
      if (values != null) {
        copy.put("enum", values.copy().addNull()); // enum constrains independently of type
      }
      return copy;
    }
    return new JsonObject().put("anyOf", new JsonArray().add(schema)
        .add(new JsonObject().put("type", "null")));
  }

  /** Like {@link ArgsBinder}: any annotation whose simple name is {@code Nullable} counts. */
  static boolean isNullable(RecordComponent c) {
    return Arrays.stream(c.getAnnotations()).anyMatch(JsonSchemas::isNullableAnnotation)
        || Arrays.stream(c.getAnnotatedType().getAnnotations())
            .anyMatch(JsonSchemas::isNullableAnnotation);
  }

  private static boolean isNullableAnnotation(java.lang.annotation.Annotation a) {
    return a.annotationType().getSimpleName().equals("Nullable");
  }

  private String uniqueName(Class<?> record) {
    String simple = record.getSimpleName();
    if (!taken.contains(simple)) {
      return simple;
    }
    String nested = record.getName().substring(record.getPackageName().length())
        .replaceFirst("^\\.", "").replace('$', '.');
    if (!taken.contains(nested)) {
      return nested;
    }
    String full = record.getName().replace('$', '.');
    if (!taken.contains(full)) {
      return full;
    }
    for (int i = 2; ; i++) {
      if (!taken.contains(simple + i)) {
        return simple + i;
      }
    }
  }
}
