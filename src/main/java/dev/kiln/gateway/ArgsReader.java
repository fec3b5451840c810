package dev.kiln.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Binds a valid body straight from its bytes, without building a JSON tree first. It mirrors
 * {@link ArgsBinder} (same record shapes, same leaf readers, same canonical constructors, lists
 * copied immutable) and accepts only what the tree walk accepts; anything else, whether invalid or
 * merely unusual (a null list element, a duplicate key, a decimal for a {@code BigDecimal}), it
 * declines with {@link #DECLINED}, and the caller falls back to the tree walk, which lists every
 * bad field or binds the unusual body its own way.
 */
final class ArgsReader {

  /** The body needs {@link ArgsBinder}. */
  static final Object DECLINED = new Object();

  private final ObjectMapper mapper;
  private final ArgsBinder binder;
  /**
   * The binder's leaf readers, minus the trailing-token check: here a leaf is followed by the rest
   * of the body (the tree walk reads each leaf from its own node, where nothing follows).
   */
  private final Map<Type, ObjectReader> leafReaders = new ConcurrentHashMap<>();

  ArgsReader(ObjectMapper mapper, ArgsBinder binder) {
    this.mapper = mapper;
    this.binder = binder;
  }

  /**
   * True when {@code body} is one JSON value and nothing after it, as the tree parser would find:
   * the syntax check that lets malformed bodies be refused before authentication without building
   * a tree. Numbers are decoded, because the parser's limits (e.g. digits) apply only then.
   */
  boolean wellFormed(byte[] body) {
    try (JsonParser p = mapper.createParser(body)) {
      JsonToken token = p.nextToken();
      if (token == null) {
        return true; // an empty body means {}
      }
      int depth = 0;
      do {
        if (token == null) {
          return false;
        }
        if (token.isStructStart()) {
          depth++;
        } else if (token.isStructEnd()) {
          depth--;
        } else if (token.isNumeric()) {
          p.getNumberValue();
        }
        token = depth > 0 ? p.nextToken() : token;
      } while (depth > 0);
      return p.nextToken() == null;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The args bound from {@code body}, or {@link #DECLINED}. */
  Object read(byte[] body, Class<?> type) {
    try (JsonParser p = mapper.createParser(body)) {
      JsonToken first = p.nextToken();
      if (first == null || first == JsonToken.VALUE_NULL) {
        return DECLINED; // an empty body binds as {}, a null one is refused: both the tree's call
      }
      Object value = value(p, type);
      return p.nextToken() == null ? value : DECLINED;
    } catch (IOException | RuntimeException e) {
      // a binding or constructor failure: the tree walk reports it with its path
      return DECLINED;
    }
  }

  /** The value starting at the parser's current token, which is not null. */
  private Object value(JsonParser p, Type type) throws IOException {
    Class<?> raw = ArgsBinder.rawClass(type);
    JsonToken token = p.currentToken();
    if (raw == Optional.class) {
      return token == JsonToken.VALUE_NULL
          ? Optional.empty()
          : Optional.of(value(p, ArgsBinder.typeArgument(type)));
    }
    if (token == JsonToken.VALUE_NULL) {
      throw Declined.INSTANCE; // ArgsBinder drops null list elements; leave that to it
    }
    if (raw.isRecord()) {
      return record(p, raw);
    }
    if (List.class.isAssignableFrom(raw) && type instanceof ParameterizedType) {
      if (token != JsonToken.START_ARRAY) {
        throw Declined.INSTANCE;
      }
      Type element = ArgsBinder.typeArgument(type);
      List<Object> list = new ArrayList<>();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        list.add(value(p, element));
      }
      return List.copyOf(list);
    }
    return leaf(p, raw, type, token);
  }

  private Object record(JsonParser p, Class<?> type) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw Declined.INSTANCE;
    }
    RecordShape shape = RecordShape.of(type);
    RecordShape.Field[] fields = shape.fields();
    Object[] values = new Object[fields.length];
    boolean[] seen = new boolean[fields.length];
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      Integer i = shape.index().get(name);
      if (i == null || seen[i]) {
        throw Declined.INSTANCE; // unknown field, or a duplicate key the tree would collapse
      }
      seen[i] = true;
      p.nextToken();
      values[i] = p.currentToken() == JsonToken.VALUE_NULL
          ? absent(fields[i])
          : value(p, fields[i].genericType());
    }
    for (int i = 0; i < fields.length; i++) {
      if (!seen[i]) {
        values[i] = absent(fields[i]);
      }
    }
    if (shape.constructor() == null) {
      throw Declined.INSTANCE; // the tree walk throws the reason
    }
    try {
      return shape.constructor().newInstance(values);
    } catch (ReflectiveOperationException e) {
      throw Declined.INSTANCE; // the compact constructor refused: the tree walk says why
    }
  }

  /** What a missing or null field binds to, as in {@link ArgsBinder}; required ones decline. */
  private static Object absent(RecordShape.Field f) {
    if (f.type() == Optional.class) {
      return Optional.empty();
    }
    if (f.type().isPrimitive() || !f.nullable()) {
      throw Declined.INSTANCE;
    }
    return null;
  }

  /**
   * The tokens whose value is beyond doubt are read directly; the rest go through the same
   * Jackson reader as the tree walk's. Decimals for {@code BigDecimal} and {@code float} decline:
   * the tree holds them as doubles first, so reading the text directly could give another value.
   */
  private Object leaf(JsonParser p, Class<?> raw, Type type, JsonToken token) throws IOException {
    if (raw == String.class && token == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if ((raw == int.class || raw == Integer.class) && token == JsonToken.VALUE_NUMBER_INT
        && p.getNumberType() == JsonParser.NumberType.INT) {
      return p.getIntValue();
    }
    if ((raw == long.class || raw == Long.class) && token == JsonToken.VALUE_NUMBER_INT
        && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      return p.getLongValue();
    }
    if ((raw == boolean.class || raw == Boolean.class)
        && (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE)) {
      return token == JsonToken.VALUE_TRUE;
    }
    if (raw == BigDecimal.class || raw == float.class || raw == Float.class) {
      throw Declined.INSTANCE;
    }
    Object value = leafReaders.computeIfAbsent(type,
        t -> binder.reader(t).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)).readValue(p);
    if (value == null) {
      throw Declined.INSTANCE;
    }
    return value;
  }

  /** Control flow only: no stack trace, one instance. */
  private static final class Declined extends RuntimeException {
    static final Declined INSTANCE = new Declined();

    private Declined() {
      super(null, null, false, false);
    }
  }
}
