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
 *
 * <p>Before authentication {@link #scan} checks the syntax and reads the leaves in the same pass,
 * leaving every record to be constructed by {@link #bind} after authentication, authorization and
 * the rate limit: constructors (and Jackson deserializers, which may be the app's) are app code.
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
    try {
      Object pending = collect(body, type, true);
      return pending == DECLINED ? DECLINED : construct(pending);
    } catch (RuntimeException e) {
      return DECLINED; // a constructor refused: the tree walk reports it with its path
    }
  }

  /**
   * What the check before authentication found: {@link #MALFORMED}, {@link #WELL_FORMED} (bind it
   * with {@link #read} after the checks), or {@link Collected} args waiting for {@link #bind}.
   */
  sealed interface Scan permits Verdict, Collected {}

  enum Verdict implements Scan { MALFORMED, WELL_FORMED }

  /** Leaves read and records laid out, but no constructor run: that waits for {@link #bind}. */
  record Collected(Object pending) implements Scan {}

  static final Scan MALFORMED = Verdict.MALFORMED;
  static final Scan WELL_FORMED = Verdict.WELL_FORMED;

  /**
   * The syntax check and the binding in one pass, for before authentication: it reads only the
   * leaves it reads itself (strings, ints, longs, booleans) and runs no constructor and no Jackson
   * deserializer, so no app code runs until {@link #bind}. A body it cannot collect that way is
   * checked by {@link #wellFormed} instead.
   */
  Scan scan(byte[] body, Class<?> type) {
    Object pending;
    try {
      pending = collect(body, type, false);
    } catch (RuntimeException e) {
      pending = DECLINED;
    }
    if (pending != DECLINED) {
      return new Collected(pending);
    }
    return wellFormed(body) ? WELL_FORMED : MALFORMED;
  }

  /** The args of a {@link Collected} scan, constructed now, or {@link #DECLINED}. */
  Object bind(Collected scan) {
    try {
      return construct(scan.pending());
    } catch (RuntimeException e) {
      return DECLINED; // a constructor refused: the tree walk reports it with its path
    }
  }

  /**
   * One pass over {@code body} and nothing after it: the args with their records, lists and
   * optionals still to be built ({@link #construct}), or {@link #DECLINED}. Leaves of other types
   * go through the binder's Jackson readers when {@code jacksonLeaves}, and decline otherwise.
   */
  private Object collect(byte[] body, Class<?> type, boolean jacksonLeaves) {
    try (JsonParser p = mapper.createParser(body)) {
      JsonToken first = p.nextToken();
      if (first == null || first == JsonToken.VALUE_NULL) {
        return DECLINED; // an empty body binds as {}, a null one is refused: both the tree's call
      }
      Object value = value(p, type, jacksonLeaves);
      return p.nextToken() == null ? value : DECLINED;
    } catch (IOException | RuntimeException e) {
      return DECLINED; // a binding failure: the tree walk reports it with its path
    }
  }

  /** A record whose components are read (some perhaps pending themselves), not yet constructed. */
  private record PendingRecord(RecordShape shape, Object[] values) {}

  private record PendingList(List<Object> elements) {}

  private record PendingOptional(Object value) {}

  /** Builds what {@link #collect} left pending, innermost first; a refusal throws. */
  private static Object construct(Object value) {
    return switch (value) {
      case PendingRecord r -> {
        Object[] values = r.values();
        for (int i = 0; i < values.length; i++) {
          values[i] = construct(values[i]);
        }
        if (r.shape().constructor() == null) {
          throw Declined.INSTANCE; // the tree walk throws the reason
        }
        try {
          yield r.shape().constructor().newInstance(values);
        } catch (ReflectiveOperationException e) {
          throw Declined.INSTANCE; // the compact constructor refused: the tree walk says why
        }
      }
      case PendingList l -> {
        List<Object> elements = l.elements();
        elements.replaceAll(ArgsReader::construct);
        yield List.copyOf(elements);
      }
      case PendingOptional o -> Optional.of(construct(o.value()));
      case null, default -> value;
    };
  }

  /** The value starting at the parser's current token, which is not null; records etc. pending. */
  private Object value(JsonParser p, Type type, boolean jacksonLeaves) throws IOException {
    Class<?> raw = ArgsBinder.rawClass(type);
    JsonToken token = p.currentToken();
    if (raw == Optional.class) {
      return token == JsonToken.VALUE_NULL
          ? Optional.empty()
          : new PendingOptional(value(p, ArgsBinder.typeArgument(type), jacksonLeaves));
    }
    if (token == JsonToken.VALUE_NULL) {
      throw Declined.INSTANCE; // ArgsBinder drops null list elements; leave that to it
    }
    if (raw.isRecord()) {
      return record(p, raw, jacksonLeaves);
    }
    if (List.class.isAssignableFrom(raw) && type instanceof ParameterizedType) {
      if (token != JsonToken.START_ARRAY) {
        throw Declined.INSTANCE;
      }
      Type element = ArgsBinder.typeArgument(type);
      List<Object> list = new ArrayList<>();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        list.add(value(p, element, jacksonLeaves));
      }
      return new PendingList(list);
    }
    return leaf(p, raw, type, token, jacksonLeaves);
  }

  private Object record(JsonParser p, Class<?> type, boolean jacksonLeaves) throws IOException {
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
          : value(p, fields[i].genericType(), jacksonLeaves);
    }
    for (int i = 0; i < fields.length; i++) {
      if (!seen[i]) {
        values[i] = absent(fields[i]);
      }
    }
    return new PendingRecord(shape, values);
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
   * Jackson reader as the tree walk's (when {@code jacksonLeaves}; else they decline). Decimals for {@code BigDecimal} and {@code float} decline:
   * the tree holds them as doubles first, so reading the text directly could give another value.
   */
  private Object leaf(JsonParser p, Class<?> raw, Type type, JsonToken token, boolean jacksonLeaves)
      throws IOException {
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
    if (!jacksonLeaves || raw == BigDecimal.class || raw == float.class || raw == Float.class) {
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
