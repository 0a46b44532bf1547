package dev.fidelio.weights;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safe interpreter for the subset of Python's pickle format (protocols 2 to 5) that
 * {@code torch.save} writes for a state_dict. It never executes code: a GLOBAL (a class or function
 * reference) is only a name, and REDUCE / BUILD on it are answered by the caller's {@link Globals},
 * which knows a short allow-list ({@code collections.OrderedDict},
 * {@code torch._utils._rebuild_tensor_v2}, ...) and rejects everything else by name.
 *
 * <p>Values: {@code None} is null, bool is Boolean, int is Long (or BigInteger), float is Double,
 * str is String, bytes is byte[], tuple is an unmodifiable List, list is ArrayList, dict is
 * LinkedHashMap; a GLOBAL is a {@link Global}; a persistent id becomes what
 * {@link Globals#persistentLoad} returns.
 */
final class PickleReader {

  /** A module-level name a pickle refers to, e.g. {@code torch._utils._rebuild_tensor_v2}. */
  record Global(String module, String name) {
    @Override
    public String toString() {
      return module + "." + name;
    }
  }

  /** What the pickle may call: the caller's allow-list, which must throw for anything unknown. */
  interface Globals {
    /** The result of calling callable (a Global, or an object built earlier) with args. */
    Object reduce(Object callable, List<Object> args);

    /** The object after {@code obj.__setstate__(state)}; dicts usually ignore their attributes. */
    Object build(Object obj, Object state);

    Object persistentLoad(Object pid);
  }

  /** Thrown for malformed or unsupported pickles; the caller adds the file name. */
  static final class PickleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PickleException(String message) {
      super(message);
    }
  }

  private static final Object MARK = new Object();

  private final ByteBuffer in;
  private final Globals globals;
  private final ArrayList<Object> stack = new ArrayList<>();
  private final ArrayList<Integer> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();

  private PickleReader(byte[] data, Globals globals) {
    this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    this.globals = globals;
  }

  /** Runs the pickle in data up to STOP and returns the object it built. */
  static Object load(byte[] data, Globals globals) {
    try {
      return new PickleReader(data, globals).run();
    } catch (java.nio.BufferUnderflowException e) {
      throw new PickleException("the pickle ends in the middle of an instruction (truncated)");
    }
  }

  private Object run() {
    while (true) {
      int at = in.position();
      int op = in.get() & 0xFF;
      switch (op) {
        case 0x80 -> { // PROTO
            int protocol = in.get() & 0xFF;
          if (protocol < 2 || protocol > 5) throw new PickleException("pickle protocol " + protocol + " is not supported (2 to 5 are)");
        }
        case 0x95 -> in.getLong(); // FRAME: a length hint only
        case '.' -> { // STOP
            if (stack.size() != 1) throw new PickleException("STOP with " + stack.size() + " values on the stack");
          return pop();
        }
        case '(' -> { // MARK
            marks.add(stack.size());
          stack.add(MARK);
        }
        case 'N' -> stack.add(null);
        case 0x88 -> stack.add(Boolean.TRUE);
        case 0x89 -> stack.add(Boolean.FALSE);
        case 'J' -> stack.add((long) in.getInt()); // BININT
        case 'K' -> stack.add((long) (in.get() & 0xFF)); // BININT1
        case 'M' -> stack.add((long) (in.getShort() & 0xFFFF)); // BININT2
        case 0x8a -> stack.add(long1(in.get() & 0xFF)); // LONG1
        case 0x8b -> stack.add(long1(length(in.getInt()))); // LONG4
        case 'G' -> stack.add(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT (big-endian)
        case 'X' -> stack.add(text(length(in.getInt()))); // BINUNICODE
        case 0x8c -> stack.add(text(in.get() & 0xFF)); // SHORT_BINUNICODE
        case 0x8d -> stack.add(text(length(in.getLong()))); // BINUNICODE8
        case 'U' -> stack.add(text(in.get() & 0xFF)); // SHORT_BINSTRING (ASCII in torch's pickles)
        case 'T' -> stack.add(text(length(in.getInt()))); // BINSTRING
        case 'C' -> stack.add(bytes(in.get() & 0xFF)); // SHORT_BINBYTES
        case 'B' -> stack.add(bytes(length(in.getInt()))); // BINBYTES
        case ')' -> stack.add(List.of());
        case ']' -> stack.add(new ArrayList<>());
        case '}' -> stack.add(new LinkedHashMap<>());
        case 't' -> stack.add(tuple(popMark()));
        case 0x85 -> stack.add(tuple(popN(1)));
        case 0x86 -> stack.add(tuple(popN(2)));
        case 0x87 -> stack.add(tuple(popN(3)));
        case 'l' -> stack.add(new ArrayList<>(popMark())); // LIST
        case 'a' -> { // APPEND
            Object value = pop();
          list(peek(), at).add(value);
        }
        case 'e' -> { // APPENDS
            List<Object> values = popMark();
          list(peek(), at).addAll(values);
        }
        case 'd' -> stack.add(dict(new LinkedHashMap<>(), popMark(), at)); // DICT
        case 's' -> { // SETITEM
            List<Object> pair = popN(2);
          dict(map(peek(), at), pair, at);
        }
        case 'u' -> { // SETITEMS
            List<Object> items = popMark();
          dict(map(peek(), at), items, at);
        }
        case 'c' -> stack.add(new Global(line(), line())); // GLOBAL "module\nname\n"
        case 0x93 -> { // STACK_GLOBAL
            List<Object> names = popN(2);
          stack.add(new Global(string(names.get(0), at), string(names.get(1), at)));
        }
        case 'R' -> { // REDUCE
            Object args = pop();
          Object callable = pop();
          if (!(args instanceof List<?> argList)) throw new PickleException("REDUCE arguments are not a tuple at byte " + at);
          stack.add(globals.reduce(callable, castList(argList)));
        }
        case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args)
            Object args = pop();
          Object cls = pop();
          if (!(args instanceof List<?> argList)) throw new PickleException("NEWOBJ arguments are not a tuple at byte " + at);
          stack.add(globals.reduce(cls, castList(argList)));
        }
        case 'b' -> { // BUILD
            Object state = pop();
          stack.add(globals.build(pop(), state));
        }
        case 'Q' -> stack.add(globals.persistentLoad(pop())); // BINPERSID
        case 'q' -> memo.put((long) (in.get() & 0xFF), peek()); // BINPUT
        case 'r' -> memo.put(in.getInt() & 0xFFFFFFFFL, peek()); // LONG_BINPUT
        case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
        case 'h' -> stack.add(memoized(in.get() & 0xFF, at)); // BINGET
        case 'j' -> stack.add(memoized(in.getInt() & 0xFFFFFFFFL, at)); // LONG_BINGET
        case '0' -> pop(); // POP
        case '2' -> stack.add(peek()); // DUP
        default -> throw new PickleException(String.format("unsupported pickle opcode 0x%02x at byte %d", op, at));
      }
    }
  }

  private static int length(long n) {
    if (n < 0 || n > Integer.MAX_VALUE - 8) throw new PickleException("invalid length " + n);
    return (int) n;
  }

  private Object long1(int n) {
    byte[] le = bytes(n);
    byte[] be = new byte[n];
    for (int i = 0; i < n; i++) be[i] = le[n - 1 - i];
    BigInteger value = n == 0 ? BigInteger.ZERO : new BigInteger(be);
    return value.bitLength() < 64 ? (Object) value.longValue() : value;
  }

  private byte[] bytes(int n) {
    if (n > in.remaining()) throw new PickleException("a string of " + n + " bytes runs past the end of the pickle");
    byte[] out = new byte[n];
    in.get(out);
    return out;
  }

  private String text(int n) {
    return new String(bytes(n), StandardCharsets.UTF_8);
  }

  private String line() {
    StringBuilder sb = new StringBuilder();
    for (byte b; (b = in.get()) != '\n'; ) sb.append((char) (b & 0xFF));
    return sb.toString();
  }

  private Object pop() {
    if (stack.isEmpty()) throw new PickleException("pickle stack underflow");
    Object value = stack.removeLast();
    if (value == MARK) throw new PickleException("unexpected MARK on the pickle stack");
    return value;
  }

  private Object peek() {
    if (stack.isEmpty() || stack.getLast() == MARK) throw new PickleException("pickle stack underflow");
    return stack.getLast();
  }

  private List<Object> popN(int n) {
    List<Object> values = new ArrayList<>();
    for (int i = 0; i < n; i++) values.addFirst(pop());
    return values;
  }

  private List<Object> popMark() {
    if (marks.isEmpty()) throw new PickleException("pickle instruction needs a MARK but none is set");
    int mark = marks.removeLast();
    List<Object> values = new ArrayList<>(stack.subList(mark + 1, stack.size()));
    stack.subList(mark, stack.size()).clear();
    return values;
  }

  private Object memoized(long key, int at) {
    if (!memo.containsKey(key)) throw new PickleException("memo entry " + key + " is read before it is written, at byte " + at);
    return memo.get(key);
  }

  private static List<Object> tuple(List<Object> values) {
    return java.util.Collections.unmodifiableList(new ArrayList<>(values));
  }

  @SuppressWarnings("unchecked")
  private static List<Object> castList(List<?> list) {
    return (List<Object>) list;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object target, int at) {
    if (target instanceof ArrayList<?> l) return (List<Object>) l;
    throw new PickleException("APPEND to a " + kind(target) + " at byte " + at);
  }

  @SuppressWarnings("unchecked")
  private static Map<Object, Object> map(Object target, int at) {
    if (target instanceof LinkedHashMap<?, ?> m) return (Map<Object, Object>) m;
    throw new PickleException("SETITEM on a " + kind(target) + " at byte " + at);
  }

  private static Map<Object, Object> dict(Map<Object, Object> target, List<Object> items, int at) {
    if (items.size() % 2 != 0) throw new PickleException("odd number of dict items at byte " + at);
    for (int i = 0; i < items.size(); i += 2) {
      requireHashable(items.get(i), at);
      target.put(items.get(i), items.get(i + 1));
    }
    return target;
  }

  /**
   * Python refuses a list or dict as a dict key (unhashable); so does this reader, which also keeps
   * every key acyclic: a list that contains itself would recurse without end in hashCode.
   */
  private static void requireHashable(Object key, int at) {
    if (key instanceof ArrayList<?> || key instanceof Map<?, ?>) {
      throw new PickleException("a " + kind(key) + " as a dict key (unhashable) at byte " + at);
    }
    if (key instanceof List<?> tuple) {
      for (Object item : tuple) requireHashable(item, at);  // tuples nest finitely: each is built from earlier values
    }
  }

  private static String string(Object value, int at) {
    if (value instanceof String s) return s;
    throw new PickleException("expected a string at byte " + at + ", found a " + kind(value));
  }

  static String kind(Object value) {
    return value == null ? "None" : value.getClass().getSimpleName();
  }

  /**
   * A short description of a pickled value for error texts; never toString of a container,
   * which a pickle can make contain itself (endless recursion) or make huge.
   */
  static String describe(Object value) {
    return switch (value) {
      case null -> "None";
      case Global g -> g.toString();
      case String s -> "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
      case Long l -> l.toString();
      case Double d -> d.toString();
      case Boolean b -> b ? "True" : "False";
      case ArrayList<?> l -> "a list of " + l.size() + " items";
      case List<?> t -> "a tuple of " + t.size() + " items";
      case Map<?, ?> m -> "a dict of " + m.size() + " items";
      default -> "a " + kind(value);
    };
  }
}
