package dev.kiln.gateway;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * What binding needs of an args record type, worked out once per type: {@code getRecordComponents()}
 * returns fresh objects on every call (their annotations parsed again), and looking up and opening
 * the canonical constructor costs more than the binding itself. Rows mapped to records
 * ({@code db.RowRecords}) use the same cache.
 *
 * @param constructor the canonical constructor, or null when it cannot be opened
 * @param unconstructable why it cannot, reported when a valid request needs it
 */
public record RecordShape(Field[] fields, Map<String, Integer> index, Constructor<?> constructor,
    ReflectiveOperationException unconstructable) {

  /** One component; required unless {@code Optional}, or {@code @Nullable} and not primitive. */
  public record Field(String name, Class<?> type, Type genericType, boolean nullable) {}

  public static RecordShape of(Class<?> type) {
    return SHAPES.get(type);
  }

  public boolean has(String name) {
    return index.containsKey(name);
  }

  private static final ClassValue<RecordShape> SHAPES = new ClassValue<>() {
    @Override
    protected RecordShape computeValue(Class<?> type) {
      RecordComponent[] components = type.getRecordComponents();
      Field[] fields = new Field[components.length];
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < components.length; i++) {
        RecordComponent c = components[i];
        fields[i] = new Field(c.getName(), c.getType(), c.getGenericType(), nullable(c));
        index.put(c.getName(), i);
      }
      try {
        Constructor<?> constructor = type.getDeclaredConstructor(
            Arrays.stream(components).map(RecordComponent::getType).toArray(Class[]::new));
        constructor.setAccessible(true);
        return new RecordShape(fields, Map.copyOf(index), constructor, null);
      } catch (ReflectiveOperationException e) {
        return new RecordShape(fields, Map.copyOf(index), null, e);
      }
    }
  };

  /** Fields are required unless annotated {@code @Nullable} (any annotation of that simple name). */
  private static boolean nullable(RecordComponent c) {
    for (var a : c.getAnnotations()) {
      if (a.annotationType().getSimpleName().equals("Nullable")) {
        return true;
      }
    }
    for (var a : c.getAnnotatedType().getAnnotations()) {
      if (a.annotationType().getSimpleName().equals("Nullable")) {
        return true;
      }
    }
    return false;
  }
}
