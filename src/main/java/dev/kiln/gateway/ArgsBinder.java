package dev.kiln.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.kiln.gateway.Problem.FieldError;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a JSON tree into an args record, collecting every bad field instead of stopping at the
 * first, so a client fixes its request in one round. Records, {@code Optional} and lists are walked
 * here; everything else (UUID, Instant, enums, numbers, strings, maps) is Jackson's.
 */
final class ArgsBinder {

  private final ObjectMapper mapper;
  /** One reader per leaf type of the app's args (a bounded set), instead of one per field per call. */
  private final Map<Type, ObjectReader> readers = new ConcurrentHashMap<>();

  ArgsBinder(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** The bound value, or the complete list of problems. */
  sealed interface Result {
    record Bound(Object value) implements Result {}

    record Invalid(List<FieldError> errors) implements Result {}
  }

  Result bind(JsonNode body, Class<?> type) {
    List<FieldError> errors = new ArrayList<>();
    if (body == null || body.isNull()) {
      return new Result.Invalid(List.of(new FieldError("$", "expected an object, got null")));
    }
    Object value = bind(body, type, "$", errors);
    return errors.isEmpty() ? new Result.Bound(value) : new Result.Invalid(List.copyOf(errors));
  }

  /** The reader of a leaf type, shared with {@link ArgsReader} so both read leaves alike. */
  ObjectReader reader(Type type) {
    return readers.computeIfAbsent(type, t -> mapper.readerFor(mapper.constructType(t)));
  }

  private Object bind(JsonNode node, Type type, String path, List<FieldError> errors) {
    Class<?> raw = rawClass(type);
    if (raw == Optional.class) {
      if (node == null || node.isNull()) {
        return Optional.empty();
      }
      return Optional.ofNullable(bind(node, typeArgument(type), path, errors));
    }
    if (node == null || node.isNull()) {
      return null;
    }
    if (raw.isRecord()) {
      return bindRecord(node, raw, path, errors);
    }
    if (List.class.isAssignableFrom(raw) && type instanceof ParameterizedType) {
      if (!node.isArray()) {
        errors.add(new FieldError(path, "expected an array, got " + describe(node)));
        return null;
      }
      List<Object> list = new ArrayList<>(node.size());
      for (int i = 0; i < node.size(); i++) {
        list.add(bind(node.get(i), typeArgument(type), path + "[" + i + "]", errors));
      }
      return List.copyOf(list.stream().filter(java.util.Objects::nonNull).toList());
    }
    try {
      return reader(type).readValue(node);
    } catch (java.io.IOException e) {
      errors.add(new FieldError(path + jacksonPath(e), leafMessage(e, raw, node)));
      return null;
    }
  }

  private Object bindRecord(JsonNode node, Class<?> type, String path, List<FieldError> errors) {
    if (!node.isObject()) {
      errors.add(new FieldError(path, "expected an object, got " + describe(node)));
      return null;
    }
    RecordShape shape = RecordShape.of(type);
    Object[] values = new Object[shape.fields().length];
    int before = errors.size();
    for (int i = 0; i < values.length; i++) {
      RecordShape.Field f = shape.fields()[i];
      JsonNode child = node.get(f.name());
      String childPath = path + "." + f.name();
      boolean optional = f.type() == Optional.class;
      if ((child == null || child.isNull()) && !optional) {
        if (f.type().isPrimitive() || !f.nullable()) {
          errors.add(new FieldError(childPath, "is required"));
        }
        values[i] = f.type().isPrimitive() ? primitiveDefault(f.type()) : null;
        continue;
      }
      values[i] = bind(child, f.genericType(), childPath, errors);
    }
    node.fieldNames().forEachRemaining(name -> {
      if (!shape.has(name)) {
        errors.add(new FieldError(path + "." + name, "is not a field of this request"));
      }
    });
    if (errors.size() > before) {
      return null;
    }
    try {
      if (shape.constructor() == null) {
        throw shape.unconstructable();
      }
      return shape.constructor().newInstance(values);
    } catch (java.lang.reflect.InvocationTargetException e) {
      // the record's compact constructor validated and refused: that is the client's mistake
      Throwable cause = e.getCause();
      errors.add(new FieldError(path, cause.getMessage() == null ? "is invalid" : cause.getMessage()));
      return null;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot construct " + type.getName(), e);
    }
  }

  private static String leafMessage(java.io.IOException e, Class<?> raw, JsonNode node) {
    if (e instanceof InvalidFormatException ife && ife.getTargetType() != null
        && ife.getTargetType().isEnum()) {
      return "expected one of " + java.util.Arrays.toString(ife.getTargetType().getEnumConstants())
          + ", got " + describe(node);
    }
    if (e instanceof MismatchedInputException || e instanceof InvalidFormatException) {
      return "expected " + typeName(raw) + ", got " + describe(node);
    }
    return "expected " + typeName(raw) + ": " + firstLine(e.getMessage());
  }

  private static String jacksonPath(java.io.IOException e) {
    if (!(e instanceof com.fasterxml.jackson.databind.JsonMappingException jme)) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    for (var ref : jme.getPath()) {
      if (ref.getFieldName() != null) {
        sb.append('.').append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  static String typeName(Class<?> raw) {
    if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class
        || raw == short.class || raw == Short.class || raw == java.math.BigInteger.class) {
      return "an integer";
    }
    if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class
        || raw == java.math.BigDecimal.class) {
      return "a number";
    }
    if (raw == boolean.class || raw == Boolean.class) {
      return "a boolean";
    }
    if (raw == String.class) {
      return "a string";
    }
    if (raw == java.util.UUID.class) {
      return "a UUID string";
    }
    if (raw == java.time.Instant.class || raw == java.time.OffsetDateTime.class) {
      return "an RFC 3339 timestamp string";
    }
    if (raw == java.time.LocalDate.class) {
      return "a date string (YYYY-MM-DD)";
    }
    return "a " + raw.getSimpleName();
  }

  private static String describe(JsonNode node) {
    if (node.isTextual()) {
      String text = node.asText();
      return "\"" + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "\"";
    }
    if (node.isNumber()) {
      String n = node.asText();
      return n.length() > 40 ? "a number with " + n.length() + " digits" : n;
    }
    return node.getNodeType().name().toLowerCase();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "invalid value";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  static Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class;
  }

  static Type typeArgument(Type type) {
    return type instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
  }

  static Object primitiveDefault(Class<?> type) {
    if (type == boolean.class) {
      return false;
    }
    if (type == char.class) {
      return '\0';
    }
    if (type == long.class) {
      return 0L;
    }
    if (type == double.class) {
      return 0d;
    }
    if (type == float.class) {
      return 0f;
    }
    if (type == short.class) {
      return (short) 0;
    }
    if (type == byte.class) {
      return (byte) 0;
    }
    return 0;
  }
}
