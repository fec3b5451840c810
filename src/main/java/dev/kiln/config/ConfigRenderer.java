package dev.kiln.config;

import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Prints an effective configuration as TOML, every section and key, for {@code kiln config check}.
 * Secrets are replaced by {@code <redacted>}: keys named like secrets, and passwords inside URLs. The
 * output loads back to the same configuration, apart from what was redacted.
 */
public final class ConfigRenderer {

  private ConfigRenderer() {}

  public static String render(KilnConfig config) {
    var out = new StringBuilder("# Effective Kiln configuration. Secrets are shown as " + Redaction.REDACTED + ".\n");
    for (RecordComponent section : KilnConfig.class.getRecordComponents()) {
      String name = KeyNames.snake(section.getName());
      out.append('\n').append('[').append(name).append("]\n");
      Record values = (Record) read(section, config);
      for (RecordComponent key : values.getClass().getRecordComponents()) {
        String snake = KeyNames.snake(key.getName());
        out.append(snake).append(" = ").append(value(name + "." + snake, read(key, values))).append('\n');
      }
    }
    return out.toString();
  }

  private static String value(String key, Object value) {
    return switch (value) {
      case String s -> quote(Redaction.value(key, s));
      case Enum<?> e -> quote(e.name().toLowerCase(Locale.ROOT));
      case Collection<?> c -> c.stream()
          .sorted(enumOrder())
          .map(v -> value(key, v))
          .collect(Collectors.joining(", ", "[", "]"));
      case Record r -> inlineTable(key, r);
      case Number n when n instanceof Integer || n instanceof Long || n instanceof Double -> n.toString();
      case Boolean b -> b.toString();
      default -> throw new IllegalStateException("cannot render " + key + " of type " + value.getClass());
    };
  }

  // Sets of enums (roles) print in declaration order whatever Set they were built into;
  // everything else keeps its order (the sort is stable and treats non-enums as equal).
  private static Comparator<Object> enumOrder() {
    return Comparator.comparingInt(v -> v instanceof Enum<?> e ? e.ordinal() : 0);
  }

  private static String inlineTable(String key, Record record) {
    var parts = new StringBuilder("{ ");
    for (RecordComponent c : record.getClass().getRecordComponents()) {
      String snake = KeyNames.snake(c.getName());
      if (parts.length() > 2) {
        parts.append(", ");
      }
      parts.append(snake).append(" = ").append(value(key + "." + snake, read(c, record)));
    }
    return parts.append(" }").toString();
  }

  /**
   * A TOML basic string. <code>${</code> is written <code>$${</code> so that loading the output
   * does not substitute it.
   */
  static String quote(String s) {
    var out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        case '$' -> out.append(s.startsWith("${", i) ? "$$" : "$");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static Object read(RecordComponent component, Record from) {
    try {
      return component.getAccessor().invoke(from);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + component, e);
    }
  }
}
