package dev.kiln.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds config records from a parsed TOML tree by walking their {@link RecordComponent}s, so a
 * component added to a record is configurable, defaulted and type-checked with no further code.
 * A key missing from the tree keeps the value in the defaults; a key with a bad value is reported
 * and also keeps the default, so binding always finishes and every problem is found in one pass.
 *
 * <p>Strings are converted to the target type (numbers, booleans, enums, comma-separated lists)
 * because that is all an environment variable, a flag or a {@code "${PORT:-8080}"} can produce.
 */
final class RecordBinder {

  private static final Object INVALID = new Object();
  private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
  private static final Pattern DECIMAL = Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

  private final Problems problems;
  private final Class<? extends Record> rootType;

  RecordBinder(Class<? extends Record> rootType, Problems problems) {
    this.rootType = rootType;
    this.problems = problems;
  }

  <R extends Record> R bind(ObjectNode tree, R defaults) {
    @SuppressWarnings("unchecked")
    var type = (Class<R>) defaults.getClass();
    return bindRecord(type, tree, defaults, "");
  }

  private <R extends Record> R bindRecord(Class<R> type, ObjectNode node, R defaults, String prefix) {
    var components = new LinkedHashMap<String, RecordComponent>();
    for (RecordComponent c : type.getRecordComponents()) {
      components.put(KeyNames.snake(c.getName()), c);
    }
    node.fieldNames().forEachRemaining(name -> {
      if (!components.containsKey(name)) {
        reportUnknown(name, prefix, components.keySet());
      }
    });
    Object[] args = new Object[components.size()];
    int i = 0;
    for (var entry : components.entrySet()) {
      RecordComponent component = entry.getValue();
      Object fallback = read(component, defaults);
      JsonNode value = node.get(entry.getKey());
      String key = prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey();
      Object converted = value == null ? fallback : convert(component.getGenericType(), value, key, fallback);
      args[i++] = converted == INVALID ? fallback : converted;
    }
    return construct(type, args, defaults, prefix);
  }

  private void reportUnknown(String name, String prefix, Collection<String> known) {
    boolean section = prefix.isEmpty();
    String key = section ? name : prefix + "." + name;
    String what = section ? "unknown section" : "unknown key";
    Optional<String> near = KeyNames.closest(name, known);
    if (near.isPresent()) {
      problems.add(key, what + "; did you mean " + (section ? "" : prefix + ".") + near.get() + "?");
      return;
    }
    Optional<String> elsewhere = keyInOtherSection(name, prefix);
    if (elsewhere.isPresent()) {
      problems.add(key, what + "; did you mean " + elsewhere.get() + "? (it belongs in ["
          + elsewhere.get().substring(0, elsewhere.get().indexOf('.')) + "])");
      return;
    }
    problems.add(key, what + "; valid " + (section ? "sections" : "keys in [" + prefix + "]")
        + " are " + String.join(", ", known));
  }

  /** {@code [gateway] pool_size} or a top-level {@code port}: a real key, written in the wrong table. */
  private Optional<String> keyInOtherSection(String name, String prefix) {
    var qualified = new LinkedHashMap<String, String>();
    for (RecordComponent section : rootType.getRecordComponents()) {
      String sectionName = KeyNames.snake(section.getName());
      if (section.getType().isRecord() && !sectionName.equals(prefix)) {
        for (RecordComponent c : section.getType().getRecordComponents()) {
          qualified.putIfAbsent(KeyNames.snake(c.getName()), sectionName + "." + KeyNames.snake(c.getName()));
        }
      }
    }
    return KeyNames.closest(name, qualified.keySet()).map(qualified::get);
  }

  private Object convert(Type type, JsonNode value, String key, Object fallback) {
    if (type instanceof ParameterizedType p
        && (p.getRawType() == List.class || p.getRawType() == Set.class)) {
      return collection((Class<?>) p.getRawType(), (Class<?>) p.getActualTypeArguments()[0], value, key);
    }
    if (!(type instanceof Class<?> c)) {
      throw new IllegalStateException("config type " + type + " of " + key + " is not supported");
    }
    if (c.isRecord()) {
      if (!value.isObject()) {
        problems.add(key, "expected a table [" + key + "], got " + describe(value, key));
        return INVALID;
      }
      return bindRecord(c.asSubclass(Record.class), (ObjectNode) value, (Record) fallback, key);
    }
    return scalar(c, value, key, "");
  }

  /** {@code context} names the element of a list, e.g. " (element 2)". */
  private Object scalar(Class<?> type, JsonNode value, String key, String context) {
    if (type == String.class) {
      if (value.isTextual()) {
        return value.textValue();
      }
      return typeProblem("a string", value, key, context);
    }
    if (type == int.class || type == Integer.class) {
      return integer(value, key, context, BigInteger.valueOf(Integer.MIN_VALUE), BigInteger.valueOf(Integer.MAX_VALUE), true);
    }
    if (type == long.class || type == Long.class) {
      return integer(value, key, context, BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MAX_VALUE), false);
    }
    if (type == double.class || type == Double.class) {
      if (value.isNumber()) {
        return value.doubleValue();
      }
      if (value.isTextual() && DECIMAL.matcher(value.textValue().trim()).matches()) {
        return new BigDecimal(value.textValue().trim()).doubleValue();
      }
      return typeProblem("a number", value, key, context);
    }
    if (type == boolean.class || type == Boolean.class) {
      if (value.isBoolean()) {
        return value.booleanValue();
      }
      if (value.isTextual() && (value.textValue().trim().equalsIgnoreCase("true")
          || value.textValue().trim().equalsIgnoreCase("false"))) {
        return Boolean.parseBoolean(value.textValue().trim());
      }
      return typeProblem("true or false", value, key, context);
    }
    if (type.isEnum()) {
      return enumValue(type, value, key, context);
    }
    throw new IllegalStateException("config type " + type.getName() + " of " + key + " is not supported");
  }

  private Object integer(JsonNode value, String key, String context, BigInteger min, BigInteger max, boolean asInt) {
    BigInteger n;
    if (value.isIntegralNumber()) {
      n = value.bigIntegerValue();
    } else if (value.isTextual() && INTEGER.matcher(value.textValue().trim()).matches()) {
      n = new BigInteger(value.textValue().trim());
    } else {
      return typeProblem("an integer", value, key, context);
    }
    if (n.compareTo(min) < 0 || n.compareTo(max) > 0) {
      problems.add(key, n + " is out of range" + context);
      return INVALID;
    }
    return asInt ? (Object) n.intValue() : (Object) n.longValue();
  }

  private Object enumValue(Class<?> type, JsonNode value, String key, String context) {
    var allowed = Arrays.stream(type.getEnumConstants())
        .map(e -> ((Enum<?>) e).name().toLowerCase(Locale.ROOT))
        .toList();
    if (!value.isTextual()) {
      return typeProblem("one of " + String.join(", ", allowed), value, key, context);
    }
    String text = value.textValue().trim().toLowerCase(Locale.ROOT);
    for (Object constant : type.getEnumConstants()) {
      if (((Enum<?>) constant).name().toLowerCase(Locale.ROOT).equals(text)) {
        return constant;
      }
    }
    String noun = KeyNames.snake(type.getSimpleName()).replace('_', ' ');
    problems.add(key, "unknown " + noun + " " + describe(value, key) + context
        + "; expected one of " + String.join(", ", allowed));
    return INVALID;
  }

  private Object collection(Class<?> raw, Class<?> element, JsonNode value, String key) {
    List<JsonNode> items = new ArrayList<>();
    if (value.isArray()) {
      ((ArrayNode) value).elements().forEachRemaining(items::add);
    } else if (value.isTextual()) {
      // "gateway,function" from a flag or an environment variable
      for (String part : value.textValue().split(",")) {
        if (!part.isBlank()) {
          items.add(TextNode.valueOf(part.trim()));
        }
      }
    } else {
      return typeProblem("a list", value, key, "");
    }
    var converted = new ArrayList<Object>(items.size());
    boolean valid = true;
    for (int i = 0; i < items.size(); i++) {
      Object v = scalar(element, items.get(i), key, items.size() > 1 ? " (element " + (i + 1) + ")" : "");
      valid &= v != INVALID;
      converted.add(v);
    }
    if (!valid) {
      return INVALID;
    }
    if (raw == List.class) {
      return List.copyOf(converted);
    }
    if (element.isEnum()) {
      return enumSet(element, converted);
    }
    return Collections.unmodifiableSet(new LinkedHashSet<>(converted));
  }

  // An EnumSet keeps declaration order, so config check prints roles the same way every time.
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Set<?> enumSet(Class<?> element, List<Object> values) {
    EnumSet set = EnumSet.noneOf((Class) element);
    set.addAll(values);
    return Collections.unmodifiableSet(set);
  }

  private Object typeProblem(String expected, JsonNode value, String key, String context) {
    problems.add(key, "expected " + expected + context + ", got " + describe(value, key));
    return INVALID;
  }

  /** A value as quoted in a problem: strings in quotes and truncated, secrets never shown. */
  static String describe(JsonNode value, String key) {
    if (value.isObject()) {
      return "a table";
    }
    if (value.isArray()) {
      return "a list";
    }
    if (Redaction.isSecretKey(key)) {
      return value.isTextual() ? "a string" : value.isBoolean() ? "a boolean" : "a number";
    }
    if (value.isTextual()) {
      String text = Redaction.url(value.textValue());
      return "\"" + (text.length() > 60 ? text.substring(0, 57) + "..." : text) + "\"";
    }
    return value.asText();
  }

  private static Object read(RecordComponent component, Record from) {
    try {
      return component.getAccessor().invoke(from);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + component, e);
    }
  }

  private <R extends Record> R construct(Class<R> type, Object[] args, R defaults, String prefix) {
    Class<?>[] types = Arrays.stream(type.getRecordComponents())
        .map(RecordComponent::getType)
        .toArray(Class<?>[]::new);
    try {
      return type.getDeclaredConstructor(types).newInstance(args);
    } catch (InvocationTargetException e) {
      // A compact constructor rejected the combination: report it, keep going with the defaults.
      problems.add(prefix.isEmpty() ? type.getSimpleName() : prefix, String.valueOf(e.getCause().getMessage()));
      return defaults;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot construct " + type.getName(), e);
    }
  }
}
