package dev.fidelio.weights;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a PyTorch {@code torch.save} checkpoint ({@code .pth}, {@code .pt}, {@code .bin}) without
 * Python: the zip archive PyTorch writes since 1.6 holds {@code <name>/data.pkl}, a pickle of the
 * state_dict in which every tensor is {@code torch._utils._rebuild_tensor_v2(storage, offset, size,
 * stride, ...)} and every storage a persistent id {@code ('storage', torch.FloatStorage, key,
 * location, numel)} whose bytes are the entry {@code <name>/data/<key>}.
 *
 * <p>The pickle runs in {@link PickleReader}, which executes no code: only the globals a state_dict
 * needs are understood, and any other one is an error naming it. Tensors are decoded to float32
 * (integer buffers such as num_batches_tracked included); views with any strides and offsets are
 * copied out element by element. A dict that wraps the state_dict under {@code state_dict} or
 * {@code model} (a training checkpoint) is unwrapped.
 */
public final class TorchCheckpointReader {
  private TorchCheckpointReader() {}

  /** A storage named by a persistent id; its bytes are read lazily from the archive. */
  private record Storage(String key, StoredDtype dtype, long numel) {}

  /** A tensor view of a storage, as _rebuild_tensor_v2 describes it. */
  private record TensorView(Storage storage, long offset, long[] size, long[] stride) {}

  public static StateDict read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new WeightsException("PyTorch checkpoint " + file + " does not exist (or is not a file)");
    }
    try (ZipFile zip = new ZipFile(file.toFile())) {
      String prefix = archivePrefix(file, zip);
      checkByteOrder(file, zip, prefix);
      byte[] pickle = zip.getInputStream(zip.getEntry(prefix + "data.pkl")).readAllBytes();
      return fromPickle(file, pickle, key -> storageBytes(file, zip, prefix, key));
    } catch (NoSuchFileException e) {
      throw new WeightsException("PyTorch checkpoint " + file + " does not exist");
    } catch (ZipException e) {
      throw new WeightsException(file + " is not a zip archive, so not a PyTorch checkpoint written by torch.save "
              + "since PyTorch 1.6 (" + e.getMessage() + "); a file from an older torch.save must be re-saved with a "
              + "current PyTorch, or converted to safetensors");
    } catch (IOException e) {
      throw new WeightsException("cannot read PyTorch checkpoint " + file + ": " + e, e);
    }
  }

  /** The state_dict a data.pkl describes; storage gives the bytes of a storage key (read once each). */
  static StateDict fromPickle(Path file, byte[] pickle, Function<String, byte[]> storage) {
    Object root;
    try {
      root = PickleReader.load(pickle, new StateDictGlobals());
    } catch (PickleReader.PickleException e) {
      throw corrupt(file, "data.pkl: " + e.getMessage());
    }
    Map<String, TensorView> views = stateDictOf(file, root);
    List<NamedTensor> tensors = new ArrayList<>();
    Map<String, byte[]> storages = new HashMap<>();
    for (var entry : views.entrySet()) {
      TensorView view = entry.getValue();
      byte[] bytes = storages.computeIfAbsent(view.storage().key(), storage);
      tensors.add(new NamedTensor(entry.getKey(), view.size(), decode(file, entry.getKey(), view, bytes)));
    }
    return new StateDict(tensors);
  }

  /** The folder every entry lives in ("archive/" or the file's stem), found from its data.pkl. */
  private static String archivePrefix(Path file, ZipFile zip) {
    List<String> pickles = zip.stream().map(ZipEntry::getName).filter(n -> n.endsWith("/data.pkl")
            && n.indexOf('/') == n.length() - "/data.pkl".length()).toList();
    if (pickles.size() != 1) {
      boolean torchScript = zip.stream().anyMatch(e -> e.getName().endsWith("/constants.pkl"));
      throw new WeightsException(file + " is a zip archive but not a torch.save checkpoint: expected one "
              + "<name>/data.pkl entry, found " + pickles.size()
              + (torchScript ? " (this looks like a TorchScript module; save its state_dict() with torch.save instead)" : ""));
    }
    return pickles.get(0).substring(0, pickles.get(0).length() - "data.pkl".length());
  }

  private static void checkByteOrder(Path file, ZipFile zip, String prefix) throws IOException {
    ZipEntry entry = zip.getEntry(prefix + "byteorder");
    if (entry == null) return;  // written since PyTorch 2.1; older archives are little-endian
    String order = new String(zip.getInputStream(entry).readAllBytes()).trim();
    if (!order.equals("little")) {
      throw new WeightsException(file + " stores tensors in '" + order + "' byte order; only little-endian "
              + "checkpoints are supported");
    }
  }

  private static byte[] storageBytes(Path file, ZipFile zip, String prefix, String key) {
    ZipEntry entry = zip.getEntry(prefix + "data/" + key);
    if (entry == null) throw corrupt(file, "storage '" + key + "' named in data.pkl has no entry " + prefix + "data/" + key);
    try {
      return zip.getInputStream(entry).readAllBytes();
    } catch (IOException e) {
      throw new WeightsException("cannot read storage '" + key + "' of " + file + ": " + e, e);
    }
  }

  /** Training checkpoints nest the state_dict a level or two; a pickle may make a dict contain itself. */
  private static final int MAX_WRAPPERS = 4;

  private static Map<String, TensorView> stateDictOf(Path file, Object root) {
    Object current = root;
    for (int depth = 0; ; depth++) {
      if (!(current instanceof Map<?, ?> map)) {
        throw new WeightsException(file + " holds a " + PickleReader.kind(current) + ", not a state_dict (a dict of "
                + "tensors); save model.state_dict() with torch.save");
      }
      Object inner = null;
      for (String wrapper : List.of("state_dict", "model")) {
        if (map.get(wrapper) instanceof Map<?, ?> m && !map.values().stream().allMatch(v -> v instanceof TensorView)) {
          inner = m;
          break;
        }
      }
      if (inner == null) return views(file, map);
      if (depth == MAX_WRAPPERS) {
        throw corrupt(file, "the state_dict is wrapped in more than " + MAX_WRAPPERS + " 'state_dict'/'model' dicts"
                + " (a dict that contains itself?)");
      }
      current = inner;
    }
  }

  private static Map<String, TensorView> views(Path file, Map<?, ?> map) {
    Map<String, TensorView> views = new LinkedHashMap<>();
    List<String> others = new ArrayList<>();
    for (var entry : map.entrySet()) {
      if (entry.getKey() instanceof String name && entry.getValue() instanceof TensorView view) {
        views.put(name, view);
      } else {
        others.add(PickleReader.describe(entry.getKey()) + " (" + PickleReader.kind(entry.getValue()) + ")");
      }
    }
    if (!others.isEmpty()) {
      throw new WeightsException(file + " is not a plain state_dict: entries that are not tensors: "
              + others.subList(0, Math.min(8, others.size())) + (others.size() > 8 ? " ..." : ""));
    }
    return views;
  }

  private static float[] decode(Path file, String name, TensorView view, byte[] bytes) {
    Storage storage = view.storage();
    long available = bytes.length / storage.dtype().byteSize;
    long numel;
    try {
      numel = NamedTensor.numel(view.size());
    } catch (ArithmeticException e) {
      throw corrupt(file, "tensor '" + name + "' size " + Arrays.toString(view.size()) + " has more than 2^63 elements");
    }
    if (numel > Integer.MAX_VALUE - 8) {
      throw new WeightsException(file + ": tensor '" + name + "' has " + numel + " elements, more than one Java array holds");
    }
    if (view.size().length != view.stride().length) {
      throw corrupt(file, "tensor '" + name + "' has " + view.size().length + " sizes but " + view.stride().length + " strides");
    }
    long last = view.offset();
    try {  // exact: a stride near 2^62 must not wrap the bound below
        for (int d = 0; d < view.size().length; d++) {
        if (view.size()[d] > 0) last = Math.addExact(last, Math.multiplyExact(view.size()[d] - 1, view.stride()[d]));
      }
    } catch (ArithmeticException e) {
      last = Long.MAX_VALUE;
    }
    if (numel > 0 && (view.offset() < 0 || last >= available)) {
      throw corrupt(file, "tensor '" + name + "' " + Arrays.toString(view.size()) + " at offset " + view.offset()
              + " reads past its storage of " + available + " elements (file truncated?)");
    }
    if (numel > available) {  // in bounds, so a stride of 0 (an expanded view): a few bytes could ask for gigabytes
        throw corrupt(file, "tensor '" + name + "' " + Arrays.toString(view.size()) + " has " + numel + " elements but"
                + " its storage holds " + available + " (an expanded view); save tensor.contiguous() instead");
    }
    MemorySegment segment = MemorySegment.ofArray(bytes);
    if (isContiguous(view)) {
      return storage.dtype().decode(segment, view.offset() * storage.dtype().byteSize, (int) numel);
    }
    float[] all = storage.dtype().decode(segment, 0, (int) Math.min(available, Integer.MAX_VALUE - 8));
    float[] out = new float[(int) numel];
    long[] index = new long[view.size().length];
    for (int i = 0; i < out.length; i++) {
      long at = view.offset();
      for (int d = 0; d < index.length; d++) at += index[d] * view.stride()[d];
      out[i] = all[(int) at];
      for (int d = index.length - 1; d >= 0 && ++index[d] == view.size()[d]; d--) index[d] = 0;
    }
    return out;
  }

  private static boolean isContiguous(TensorView view) {
    long expected = 1;
    for (int d = view.size().length - 1; d >= 0; d--) {
      if (view.size()[d] != 1 && view.stride()[d] != expected) return false;
      expected *= view.size()[d];
    }
    return true;
  }

  /** The allow-list: what a state_dict's pickle may reference. Everything else is refused by name. */
  private static final class StateDictGlobals implements PickleReader.Globals {
    private static final Map<String, StoredDtype> STORAGE_TYPES = Map.ofEntries(
            Map.entry("FloatStorage", StoredDtype.F32), Map.entry("HalfStorage", StoredDtype.F16),
            Map.entry("BFloat16Storage", StoredDtype.BF16), Map.entry("DoubleStorage", StoredDtype.F64),
            Map.entry("LongStorage", StoredDtype.I64), Map.entry("IntStorage", StoredDtype.I32),
            Map.entry("ShortStorage", StoredDtype.I16), Map.entry("CharStorage", StoredDtype.I8),
            Map.entry("ByteStorage", StoredDtype.U8), Map.entry("BoolStorage", StoredDtype.BOOL));

    @Override
    public Object reduce(Object callable, List<Object> args) {
      String name = PickleReader.describe(callable);
      return switch (name) {
        case "collections.OrderedDict" -> new LinkedHashMap<>();
        case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> rebuildTensor(args);
        // a Parameter saved as such (keep_vars=True): its data tensor
        case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
          if (args.isEmpty() || !(args.get(0) instanceof TensorView view)) throw unsupported(name + " without a tensor");
          yield view;
        }
        default -> throw unsupported("the global " + name);
      };
    }

    @Override
    public Object build(Object obj, Object state) {
      if (obj instanceof Map<?, ?>) return obj;  // an OrderedDict's attributes (state_dict's _metadata)
      throw unsupported("setting the state of a " + PickleReader.kind(obj));
    }

    @Override
    public Object persistentLoad(Object pid) {
      // ('storage', torch.FloatStorage, key, location, numel)
      if (!(pid instanceof List<?> t) || t.size() != 5 || !"storage".equals(t.get(0))
              || !(t.get(1) instanceof PickleReader.Global type) || !(t.get(2) instanceof String key)
              || !(t.get(4) instanceof Long numel)) {
        throw new PickleReader.PickleException("unexpected persistent id " + PickleReader.describe(pid));
      }
      StoredDtype dtype = STORAGE_TYPES.get(type.name());
      if (!type.module().equals("torch") || dtype == null) throw unsupported("storage type " + type);
      return new Storage(key, dtype, numel);
    }

    private static TensorView rebuildTensor(List<Object> args) {
      if (args.size() < 4 || !(args.get(0) instanceof Storage storage) || !(args.get(1) instanceof Long offset)) {
        throw new PickleReader.PickleException("unexpected _rebuild_tensor arguments " + PickleReader.describe(args));
      }
      return new TensorView(storage, offset, longs(args.get(2)), longs(args.get(3)));
    }

    private static long[] longs(Object tuple) {
      if (!(tuple instanceof List<?> list)) {
        throw new PickleReader.PickleException("expected a size/stride tuple, got " + PickleReader.describe(tuple));
      }
      long[] out = new long[list.size()];
      for (int i = 0; i < out.length; i++) {
        if (!(list.get(i) instanceof Long v) || v < 0) {
          throw new PickleReader.PickleException("bad size/stride " + PickleReader.describe(list));
        }
        out[i] = v;
      }
      return out;
    }

    private static PickleReader.PickleException unsupported(String what) {
      return new PickleReader.PickleException(what + " is not supported: Fidelio reads state_dicts of tensors and"
              + " runs no code from a checkpoint");
    }
  }

  private static WeightsException corrupt(Path file, String what) {
    return new WeightsException("corrupt PyTorch checkpoint " + file + ": " + what);
  }
}
