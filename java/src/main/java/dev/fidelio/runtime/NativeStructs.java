package dev.fidelio.runtime;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fidelio.bindings.AbiCoded;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.List;

/**
 * Java records written into (and read from) the C structs of fidelio.h, field by field by name: the
 * struct field {@code norm_params} is the record component {@code normParams}. A pointer field
 * {@code xs} with a following {@code n_xs} takes a list (of records, for a pointer to structs) and
 * its size; a {@code const char*} a String; a {@code const void*} a native object's handle; an int
 * field a boolean (0/1), a number or an {@link AbiCoded} option. So a new option is one struct field
 * and one record component, with no copying code between them.
 */
public final class NativeStructs {
  private NativeStructs() {}

  /** value as a struct of layout, allocated in arena (with everything it points to). */
  public static MemorySegment write(Arena arena, StructLayout layout, Record value) {
    MemorySegment struct = arena.allocate(layout);
    writeInto(arena, struct, layout, value);
    return struct;
  }

  /** A record of type whose components are read from the struct's fields of the same names. */
  public static <R extends Record> R read(MemorySegment struct, StructLayout layout, Class<R> type) {
    RecordComponent[] components = type.getRecordComponents();
    Object[] values = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      String field = snakeCase(components[i].getName());
      var member = layout.select(MemoryLayout.PathElement.groupElement(field));
      long offset = layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
      types[i] = components[i].getType();
      values[i] = switch (member) {
        case ValueLayout.OfLong l -> struct.get(JAVA_LONG, offset);
        case ValueLayout.OfDouble d -> struct.get(JAVA_DOUBLE, offset);
        case ValueLayout.OfInt n -> struct.get(JAVA_INT, offset);
        default -> throw new IllegalArgumentException("cannot read field " + field + " of " + layout.name().orElse("?"));
      };
    }
    try {
      return type.getDeclaredConstructor(types).newInstance(values);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + type.getSimpleName() + " from " + layout, e);
    }
  }

  /** Every field name of layout must have a component of the same name in type (a count n_x a list x). */
  public static void requireMatch(StructLayout layout, Class<? extends Record> type) {
    for (MemoryLayout member : layout.memberLayouts()) {
      if (member instanceof PaddingLayout) continue;
      String field = member.name().orElseThrow();
      if (component(type, field) == null && !(field.startsWith("n_") && component(type, field.substring(2)) != null)) {
        throw new IllegalArgumentException(type.getSimpleName() + " has no component for field '" + field + "' of "
            + layout.name().orElse("the struct"));
      }
    }
  }

  private static void writeInto(Arena arena, MemorySegment struct, StructLayout layout, Record value) {
    requireMatch(layout, value.getClass());
    for (MemoryLayout member : layout.memberLayouts()) {
      if (member instanceof PaddingLayout) continue;
      String field = member.name().orElseThrow();
      long offset = layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
      RecordComponent component = component(value.getClass(), field);
      if (component == null) {  // n_x: the size of list x
        struct.set(JAVA_INT, offset, size(get(value, component(value.getClass(), field.substring(2)))));
        continue;
      }
      writeField(arena, struct.asSlice(offset, member.byteSize()), member, get(value, component), field);
    }
  }

  private static void writeField(Arena arena, MemorySegment at, MemoryLayout member, Object v, String field) {
    switch (member) {
      case StructLayout nested -> writeInto(arena, at, nested, (Record) v);
      case ValueLayout.OfInt n -> at.set(JAVA_INT, 0, switch (v) {
        case Boolean b -> b ? 1 : 0;
        case AbiCoded coded -> coded.abiCode();
        case Number number -> Math.toIntExact(number.longValue());
        default -> throw mismatch(field, v);
      });
      case ValueLayout.OfLong l -> at.set(JAVA_LONG, 0, ((Number) v).longValue());
      case ValueLayout.OfDouble d -> at.set(JAVA_DOUBLE, 0, ((Number) v).doubleValue());
      case AddressLayout address -> at.set(ADDRESS, 0, pointer(arena, address, v, field));
      default -> throw mismatch(field, v);
    }
  }

  private static MemorySegment pointer(Arena arena, AddressLayout address, Object v, String field) {
    return switch (v) {
      case null -> MemorySegment.NULL;
      case String s -> arena.allocateFrom(s);
      case NativeObject object -> object.handle();
      case float[] floats -> floats.length == 0 ? MemorySegment.NULL : arena.allocateFrom(JAVA_FLOAT, floats);
      case List<?> list when address.targetLayout().orElse(null) instanceof StructLayout element -> {
        MemorySegment array = arena.allocate(element, Math.max(1, list.size()));
        for (int i = 0; i < list.size(); i++) {
          writeInto(arena, array.asSlice(i * element.byteSize(), element.byteSize()), element, (Record) list.get(i));
        }
        yield array;
      }
      default -> throw mismatch(field, v);
    };
  }

  private static int size(Object list) {
    return switch (list) {
      case null -> 0;
      case List<?> l -> l.size();
      case float[] a -> a.length;
      default -> throw new IllegalArgumentException("a count field needs a list, found " + list.getClass());
    };
  }

  private static RecordComponent component(Class<?> type, String field) {
    String name = camelCase(field);
    for (RecordComponent c : type.getRecordComponents()) {
      if (c.getName().equals(name)) return c;
    }
    return null;
  }

  private static Object get(Record value, RecordComponent component) {
    try {
      var accessor = component.getAccessor();
      accessor.setAccessible(true);
      return accessor.invoke(value);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read " + component.getName() + " of " + value.getClass(), e);
    }
  }

  private static IllegalArgumentException mismatch(String field, Object v) {
    return new IllegalArgumentException("field '" + field + "' cannot take " + (v == null ? "null" : v.getClass()));
  }

  static String camelCase(String snake) {
    var out = new StringBuilder();
    boolean upper = false;
    for (char c : snake.toCharArray()) {
      if (c == '_') {
        upper = true;
        continue;
      }
      out.append(upper ? Character.toUpperCase(c) : c);
      upper = false;
    }
    return out.toString();
  }

  /** A record component's name as its struct field (and config key) spells it: normParams -> norm_params. */
  public static String snakeCase(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }
}
