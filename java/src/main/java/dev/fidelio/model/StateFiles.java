package dev.fidelio.model;

import dev.fidelio.model.NativeModule.StatePart;
import dev.fidelio.runtime.DType;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.weights.NamedTensor;
import dev.fidelio.weights.SafetensorsReader;
import dev.fidelio.weights.SafetensorsWriter;
import dev.fidelio.weights.StateDict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's state as safetensors files, the one form model folders and checkpoints share: float32
 * copies (exact for float32 weights, step counts and the generator's bytes), written atomically.
 */
public final class StateFiles {
  private StateFiles() {}

  /** Float32 copies of tensors, their names prefixed; the caller still owns (and closes) tensors. */
  public static List<NamedTensor> float32(String prefix, Map<String, Tensor> tensors) {
    List<NamedTensor> out = new ArrayList<>(tensors.size());
    for (var entry : tensors.entrySet()) {
      Tensor t = entry.getValue();
      try (Tensor f = t.dtype() == DType.FLOAT32 ? null : t.to(DType.FLOAT32)) {
        out.add(new NamedTensor(prefix + entry.getKey(), t.shape(), (f == null ? t : f).toFloatArray()));
      }
    }
    return out;
  }

  /** Float32 copies of part of model's state, names prefixed. */
  public static List<NamedTensor> float32(String prefix, NativeModule model, StatePart part) {
    Map<String, Tensor> state = model.stateDict(part);
    try {
      return float32(prefix, state);
    } finally {
      state.values().forEach(Tensor::close);
    }
  }

  /** Writes part of model's state to file (atomically); false, writing nothing, when the part is empty. */
  public static boolean write(Path file, NativeModule model, StatePart part) {
    List<NamedTensor> tensors = float32("", model, part);
    if (tensors.isEmpty()) return false;
    SafetensorsWriter.write(file, new StateDict(tensors), Map.of("format", "pt"));
    return true;
  }

  /** The tensors of file whose names start with prefix, by name without it, as native tensors the caller closes. */
  public static Map<String, Tensor> read(Path file, String prefix) {
    return tensors(SafetensorsReader.read(file).tensors(), prefix);
  }

  public static Map<String, Tensor> tensors(StateDict state, String prefix) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    try {
      for (NamedTensor t : state) {
        if (t.name().startsWith(prefix)) tensors.put(t.name().substring(prefix.length()), Tensor.of(t.data(), t.shape()));
      }
      return tensors;
    } catch (RuntimeException e) {
      tensors.values().forEach(Tensor::close);
      throw e;
    }
  }
}
