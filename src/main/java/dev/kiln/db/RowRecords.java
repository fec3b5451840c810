package dev.kiln.db;

import com.fasterxml.jackson.annotation.JacksonAnnotationsInside;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.kiln.gateway.RecordShape;
import io.vertx.sqlclient.Row;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A row straight into a record's canonical constructor, for the cases where that gives exactly what
 * the Jackson route ({@code row → map → convertValue}) gives: a record without Jackson annotations,
 * whose every component has a column (snake_case → camelCase, the last of equal names winning, other
 * columns ignored) and is of a plain type, each value already of that type or one it widens to
 * without loss (int → long, a UTC timestamp → {@code Instant}, …). Anything else — a JSON or array
 * column, a numeric, an enum, a null for a primitive, a missing component, a mapper configured
 * otherwise, a compact constructor that throws — is declined ({@code null}), and the caller maps the
 * row through Jackson as before, with Jackson's conversions and error messages.
 */
final class RowRecords {

  private RowRecords() {}

  /** The record, or null when the row is to go through Jackson. */
  static Object map(Row row, Class<?> type, ObjectMapper mapper) {
    if (!eligible(mapper)) {
      return null;
    }
    Plan plan = PLANS.get(type);
    if (plan == null) {
      return null;
    }
    Layout layout = plan.layout(row);
    if (layout == null) {
      return null;
    }
    Object[] values = new Object[plan.types.length];
    int[] slots = layout.slots;
    for (int i = 0; i < slots.length; i++) {
      int slot = slots[i];
      if (slot >= 0) {
        Object v = convert(row.getValue(i), plan.types[slot]);
        if (v == DECLINED) {
          return null;
        }
        values[slot] = v;
      }
    }
    try {
      return plan.constructor.newInstance(values);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // the compact constructor refused: Jackson runs it again and reports it its way
    }
  }

  private static final Object DECLINED = new Object();

  /** {@code value} as a {@code type} component, exactly as Jackson would bind it, or DECLINED. */
  private static Object convert(Object value, Class<?> type) {
    if (value == null) {
      return type.isPrimitive() ? DECLINED : null; // Jackson decides: 0 or its own error
    }
    if (type == String.class) {
      return value instanceof String ? value : DECLINED;
    }
    if (type == long.class || type == Long.class) {
      return switch (value) {
        case Long l -> l;
        case Integer n -> (long) n;
        case Short n -> (long) n;
        default -> DECLINED;
      };
    }
    if (type == int.class || type == Integer.class) {
      return switch (value) {
        case Integer n -> n;
        case Short n -> (int) n;
        default -> DECLINED;
      };
    }
    if (type == Instant.class) {
      return value instanceof OffsetDateTime t ? t.toInstant() : DECLINED;
    }
    if (type == OffsetDateTime.class) {
      // PostgreSQL's timestamptz arrives in UTC, which Jackson keeps however it is configured
      return value instanceof OffsetDateTime t && t.getOffset().equals(ZoneOffset.UTC) ? t : DECLINED;
    }
    // the rest only as themselves (a primitive component takes its boxed type)
    Class<?> boxed = type.isPrimitive() ? BOXES.get(type) : type;
    return boxed != null && boxed == value.getClass() ? value : DECLINED;
  }

  private static final java.util.Map<Class<?>, Class<?>> BOXES = java.util.Map.of(
      boolean.class, Boolean.class, short.class, Short.class, double.class, Double.class,
      float.class, Float.class);

  /** Component types {@link #convert} handles. */
  private static final Set<Class<?>> PLAIN = Set.of(String.class, long.class, Long.class,
      int.class, Integer.class, short.class, Short.class, boolean.class, Boolean.class,
      double.class, Double.class, float.class, Float.class, UUID.class, Instant.class,
      OffsetDateTime.class, LocalDate.class, LocalDateTime.class, LocalTime.class);

  // --- the mapper ------------------------------------------------------------------------------

  private record Checked(ObjectMapper mapper, boolean eligible) {}

  private static volatile Checked lastChecked;
  private static final java.util.Map<ObjectMapper, Boolean> CHECKED =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>()); // identity: no equals

  /**
   * Whether {@code mapper} binds rows the way {@link #convert} assumes: java.time registered, no
   * naming strategy or mix-ins, exact property names, unknown columns ignored.
   */
  private static boolean eligible(ObjectMapper mapper) {
    Checked c = lastChecked;
    if (c == null || c.mapper != mapper) {
      c = new Checked(mapper, CHECKED.computeIfAbsent(mapper, m ->
          m.getRegisteredModuleIds().contains(new JavaTimeModule().getTypeId())
              && m.getPropertyNamingStrategy() == null
              && m.mixInCount() == 0
              && !m.isEnabled(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
              && !m.isEnabled(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)));
      lastChecked = c;
    }
    return c.eligible;
  }

  // --- the record type -------------------------------------------------------------------------

  /** What mapping needs of one record type; the last column layout seen is kept. */
  private static final class Plan {
    final Class<?> type;
    final RecordShape shape;
    final Class<?>[] types;
    final Constructor<?> constructor;
    volatile Layout last;

    Plan(Class<?> type, RecordShape shape) {
      this.type = type;
      this.shape = shape;
      this.types = Arrays.stream(shape.fields()).map(RecordShape.Field::type).toArray(Class[]::new);
      this.constructor = shape.constructor();
    }

    /** Column i → component slot (-1: ignored) for this row's columns, or null to decline. */
    Layout layout(Row row) {
      Layout l = last;
      if (l != null && l.matches(row)) {
        return l.usable ? l : null;
      }
      l = Layout.of(row, this);
      last = l;
      return l.usable ? l : null;
    }
  }

  private static final class Layout {
    final String[] columns;
    final int[] slots;
    final boolean usable;

    private Layout(String[] columns, int[] slots, boolean usable) {
      this.columns = columns;
      this.slots = slots;
      this.usable = usable;
    }

    boolean matches(Row row) {
      if (row.size() != columns.length) {
        return false;
      }
      for (int i = 0; i < columns.length; i++) {
        if (!columns[i].equals(row.getColumnName(i))) {
          return false;
        }
      }
      return true;
    }

    static Layout of(Row row, Plan plan) {
      String[] columns = new String[row.size()];
      int[] slots = new int[row.size()];
      boolean[] covered = new boolean[plan.types.length];
      boolean usable = true;
      for (int i = 0; i < columns.length; i++) {
        columns[i] = row.getColumnName(i);
        String name = BlockingDb.RowMapper.camelCase(columns[i]);
        Integer slot = plan.shape.index().get(name);
        slots[i] = slot == null ? -1 : slot;
        if (slot != null) {
          covered[slot] = true;
        } else if (hasBeanMethod(plan.type, name)) {
          usable = false; // Jackson might bind the extra column through it
        }
      }
      for (boolean c : covered) {
        usable &= c; // a missing component: Jackson decides (null, 0 or its own error)
      }
      return new Layout(columns, slots, usable);
    }

    private static boolean hasBeanMethod(Class<?> type, String property) {
      String cap = property.isEmpty() ? property
          : Character.toUpperCase(property.charAt(0)) + property.substring(1);
      for (Method m : type.getDeclaredMethods()) {
        String n = m.getName();
        if (n.equals("get" + cap) || n.equals("set" + cap) || n.equals("is" + cap)) {
          return true;
        }
      }
      return false;
    }
  }

  private static final ClassValue<Plan> PLANS = new ClassValue<>() {
    @Override
    protected Plan computeValue(Class<?> type) {
      // Jackson refuses local and anonymous classes; so must this
      if (!type.isRecord() || type.isLocalClass() || type.isAnonymousClass()
          || jacksonAnnotated(type)) {
        return null;
      }
      RecordShape shape = RecordShape.of(type);
      if (shape.constructor() == null) {
        return null;
      }
      for (RecordShape.Field f : shape.fields()) {
        if (!PLAIN.contains(f.type())) {
          return null;
        }
      }
      return new Plan(type, shape);
    }
  };

  /** Whether Jackson annotations (or {@code @ConstructorProperties}) could change the binding. */
  private static boolean jacksonAnnotated(Class<?> type) {
    List<AnnotatedElement> elements = new ArrayList<>();
    elements.add(type);
    for (RecordComponent c : type.getRecordComponents()) {
      elements.add(c);
      elements.add(c.getAccessor());
    }
    elements.addAll(Arrays.asList(type.getDeclaredFields()));
    elements.addAll(Arrays.asList(type.getDeclaredMethods()));
    for (Constructor<?> k : type.getDeclaredConstructors()) {
      elements.add(k);
      for (Parameter p : k.getParameters()) {
        elements.add(p);
      }
    }
    for (Class<?> i : allInterfaces(type, new ArrayList<>())) {
      elements.add(i);
      elements.addAll(Arrays.asList(i.getDeclaredMethods()));
    }
    for (AnnotatedElement e : elements) {
      for (Annotation a : e.getAnnotations()) {
        Class<? extends Annotation> t = a.annotationType();
        if (t.getName().startsWith("com.fasterxml.jackson.")
            || t.getName().equals("java.beans.ConstructorProperties")
            || t.isAnnotationPresent(JacksonAnnotationsInside.class)) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<Class<?>> allInterfaces(Class<?> type, List<Class<?>> out) {
    for (Class<?> i : type.getInterfaces()) {
      out.add(i);
      allInterfaces(i, out);
    }
    return out;
  }
}
