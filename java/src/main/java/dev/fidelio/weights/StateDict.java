package dev.fidelio.weights;

import dev.fidelio.util.Digests;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;

/**
 * Named float32 tensors in checkpoint order, like PyTorch's {@code state_dict()}. Immutable: the
 * order is the file's, so error messages and copies follow the checkpoint.
 */
public final class StateDict implements Iterable<NamedTensor> {
  private final LinkedHashMap<String, NamedTensor> byName;

  public StateDict(Collection<NamedTensor> tensors) {
    byName = new LinkedHashMap<>();
    for (NamedTensor t : tensors) {
      if (byName.putIfAbsent(t.name(), t) != null) {
        throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
      }
    }
  }

  public int size() {
    return byName.size();
  }

  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  /** The tensor, or null. */
  public NamedTensor get(String name) {
    return byName.get(name);
  }

  /** The tensor, or an error that lists a few of the keys that do exist. */
  public NamedTensor require(String name) {
    NamedTensor t = byName.get(name);
    if (t == null) {
      List<String> some = names().stream().limit(8).toList();
      throw new WeightsException("no tensor named '" + name + "' among " + size() + " tensors (first: " + some + ")");
    }
    return t;
  }

  public SequencedSet<String> names() {
    return Collections.unmodifiableSequencedSet(byName.sequencedKeySet());
  }

  public List<NamedTensor> tensors() {
    return List.copyOf(byName.values());
  }

  /** Name to shape, for key/shape comparisons in tests and strict loading. */
  public Map<String, List<Long>> shapes() {
    Map<String, List<Long>> out = new LinkedHashMap<>();
    byName.forEach((k, v) -> out.put(k, Arrays.stream(v.shape()).boxed().toList()));
    return out;
  }

  public long parameterCount() {
    long n = 0;
    for (NamedTensor t : byName.values()) n += t.numel();
    return n;
  }

  /**
   * SHA-256 of every tensor's name, shape and float32 values (little-endian), in state order: the
   * weights' identity in a store key, whatever file format they came from.
   */
  public String sha256() {
    MessageDigest digest = Digests.newSha256();
    ByteBuffer values = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    for (NamedTensor t : byName.values()) {
      digest.update(t.name().getBytes(StandardCharsets.UTF_8));
      ByteBuffer shape = ByteBuffer.allocate(8 * (t.rank() + 1)).order(ByteOrder.LITTLE_ENDIAN);
      shape.putLong(t.rank());
      for (long d : t.shape()) shape.putLong(d);
      digest.update(shape.flip());
      float[] data = t.data();
      for (int start = 0; start < data.length; start += values.capacity() / Float.BYTES) {
        int n = Math.min(values.capacity() / Float.BYTES, data.length - start);
        values.clear();
        values.asFloatBuffer().put(data, start, n);
        digest.update(values.limit(n * Float.BYTES));
      }
    }
    return Digests.hex(digest);
  }

  @Override
  public Iterator<NamedTensor> iterator() {
    return Collections.unmodifiableCollection(byName.values()).iterator();
  }
}
