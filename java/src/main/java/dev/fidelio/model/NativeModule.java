package dev.fidelio.model;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.fidelio.bindings.FidelioH;
import dev.fidelio.runtime.DType;
import dev.fidelio.runtime.Device;
import dev.fidelio.runtime.NativeCall;
import dev.fidelio.runtime.NativeObject;
import dev.fidelio.runtime.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/** A native model handle with a state dict (parameters, then buffers) reachable by name. */
public abstract class NativeModule extends NativeObject {
  protected NativeModule(String kind, MemorySegment handle, ToIntFunction<MemorySegment> free) {
    super(kind, handle, free);
  }

  public int stateCount() {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.arena().allocate(JAVA_INT);
      call.check(FidelioH.fdl_module_state_count(handle(), out, call.error(), call.errorCapacity()),
          "fdl_module_state_count");
      return out.get(JAVA_INT, 0);
    }
  }

  public String stateName(int index) {
    try (var call = NativeCall.open()) {
      long capacity = 1024;
      MemorySegment name = call.arena().allocate(capacity);
      call.check(FidelioH.fdl_module_state_name(handle(), index, name, capacity, call.error(), call.errorCapacity()),
          "fdl_module_state_name");
      return name.getString(0);
    }
  }

  public List<String> stateNames() {
    List<String> names = new ArrayList<>();
    for (int i = 0, n = stateCount(); i < n; i++) names.add(stateName(i));
    return names;
  }

  /** A copy of state entry index. */
  public Tensor state(int index) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      call.check(FidelioH.fdl_module_state_get(handle(), index, out, call.error(), call.errorCapacity()),
          "fdl_module_state_get");
      return Tensor.adopt(handleFrom(out));
    }
  }

  /** Whether the last backward pass left a gradient on entry index (frozen or unused entries have none). */
  public boolean hasGradient(int index) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.arena().allocate(JAVA_INT);
      call.check(FidelioH.fdl_module_state_has_gradient(handle(), index, out, call.error(), call.errorCapacity()),
          "fdl_module_state_has_gradient");
      return out.get(JAVA_INT, 0) != 0;
    }
  }

  /** Whether entry index is a parameter that never trains (requires no gradient), such as a frozen encoder's. */
  public boolean frozen(int index) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.arena().allocate(JAVA_INT);
      call.check(FidelioH.fdl_module_state_frozen(handle(), index, out, call.error(), call.errorCapacity()),
          "fdl_module_state_frozen");
      return out.get(JAVA_INT, 0) != 0;
    }
  }

  /** A copy of the gradient of entry index from the last backward pass (zeros if none). */
  public Tensor gradient(int index) {
    try (var call = NativeCall.open()) {
      MemorySegment out = call.allocatePointer();
      call.check(FidelioH.fdl_module_state_gradient(handle(), index, out, call.error(), call.errorCapacity()),
          "fdl_module_state_gradient");
      return Tensor.adopt(handleFrom(out));
    }
  }

  public void setState(int index, Tensor value) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_module_state_set(handle(), index, value.nativeHandle(), call.error(),
          call.errorCapacity()), "fdl_module_state_set");
    }
  }

  /**
   * Strict loading by name (see fdl_module_load_state): returns the module keys that were allowed to be
   * missing (a prefix of allowMissingPrefixes) and so kept their initial values.
   */
  public List<String> loadState(Map<String, Tensor> state, List<String> allowMissingPrefixes) {
    try (var call = NativeCall.open()) {
      var arena = call.arena();
      MemorySegment names = arena.allocate(ADDRESS, Math.max(1, state.size()));
      MemorySegment tensors = arena.allocate(ADDRESS, Math.max(1, state.size()));
      int i = 0;
      for (var entry : state.entrySet()) {
        names.setAtIndex(ADDRESS, i, arena.allocateFrom(entry.getKey()));
        tensors.setAtIndex(ADDRESS, i, entry.getValue().nativeHandle());
        i++;
      }
      long reportCapacity = 1 << 16;
      MemorySegment report = arena.allocate(reportCapacity);
      call.check(FidelioH.fdl_module_load_state(handle(), names, tensors, state.size(),
          arena.allocateFrom(String.join(",", allowMissingPrefixes)), report, reportCapacity, call.error(),
          call.errorCapacity()), "fdl_module_load_state");
      String left = report.getString(0);
      return left.isEmpty() ? List.of() : List.of(left.split(","));
    }
  }

  /** Which entries a copy of the state holds. */
  public enum StatePart {
    ALL,
    /** Trainable parameters and buffers: what a training step or an evaluation can change. */
    CHANGING,
    /** Parameters that never train: written once per run, not at every save. */
    FROZEN
  }

  /** Copies of every state entry, by name, in module order. The caller closes the tensors. */
  public Map<String, Tensor> stateDict() {
    return stateDict(StatePart.ALL);
  }

  /** Copies of the state entries of part, by name, in module order. The caller closes the tensors. */
  public Map<String, Tensor> stateDict(StatePart part) {
    Map<String, Tensor> state = new LinkedHashMap<>();
    for (int i = 0, n = stateCount(); i < n; i++) {
      if (part == StatePart.ALL || frozen(i) == (part == StatePart.FROZEN)) state.put(stateName(i), state(i));
    }
    return state;
  }

  /** Converts parameters and buffers to dtype on device. */
  public void to(DType dtype, Device device) {
    try (var call = NativeCall.open()) {
      call.check(FidelioH.fdl_module_to(handle(), dtype.code(), device.type().code(), device.index(), call.error(),
          call.errorCapacity()), "fdl_module_to");
    }
  }

  /** The raw handle, for native calls that take this model as an argument. */
  public MemorySegment nativeHandle() {
    return handle();
  }
}
