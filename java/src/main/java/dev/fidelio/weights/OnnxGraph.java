package dev.fidelio.weights;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The parts of an ONNX {@code ModelProto} that hold weights: the graph's initializers
 * (TensorProto) and its nodes (NodeProto, for which initializer feeds which layer). Field numbers
 * are from onnx.proto: ModelProto.graph = 7; GraphProto.node = 1, initializer = 5; NodeProto
 * input = 1, output = 2, name = 3, op_type = 4; TensorProto dims = 1, data_type = 2,
 * float_data = 4, name = 8, raw_data = 9, external_data = 13.
 */
record OnnxGraph(List<Initializer> initializers, List<Node> nodes) {

  record Node(String name, String opType, List<String> inputs) {}

  /** A TensorProto whose payload still lies in the parsed buffer; decoded on demand. */
  record Initializer(String name, long[] dims, int dataType, MemorySegment raw, float[] floatData, boolean external) {
    // TensorProto.DataType values.
    static final int FLOAT = 1, FLOAT16 = 10, DOUBLE = 11, BFLOAT16 = 16;

    boolean isFloatingPoint() {
      return dataType == FLOAT || dataType == FLOAT16 || dataType == DOUBLE || dataType == BFLOAT16;
    }

    NamedTensor toTensor(String key, String source) {
      long numel;
      try {
        numel = NamedTensor.numel(dims);
      } catch (IllegalArgumentException | ArithmeticException e) {  // a negative dimension, or 2^63 elements
          throw new WeightsException("corrupt ONNX initializer '" + name + "' in " + source + ": dims "
                  + Arrays.toString(dims) + " are not a tensor's shape");
      }
      if (external) {
        throw new WeightsException(source + ": initializer '" + name + "' keeps its data in an external file, "
                + "which is not supported; re-export the model with the weights inside the .onnx file");
      }
      if (raw == null) {
        if (dataType == FLOAT && floatData != null && floatData.length == numel) {
          return new NamedTensor(key, dims, floatData);
        }
        throw new WeightsException(source + ": initializer '" + name + "' " + Arrays.toString(dims)
                + " has neither raw_data nor " + numel + " float_data values (data_type " + dataType + ")");
      }
      StoredDtype dtype = switch (dataType) {
        case FLOAT -> StoredDtype.F32;
        case FLOAT16 -> StoredDtype.F16;
        case DOUBLE -> StoredDtype.F64;
        case BFLOAT16 -> StoredDtype.BF16;
        default -> throw new WeightsException(source + ": initializer '" + name + "' has non-float data_type " + dataType);
      };
      if (numel > Integer.MAX_VALUE - 8 || raw.byteSize() != numel * dtype.byteSize) {
        throw new WeightsException("corrupt ONNX initializer '" + name + "' in " + source + ": dims "
                + Arrays.toString(dims) + " need " + numel * dtype.byteSize + " bytes, raw_data has " + raw.byteSize());
      }
      return new NamedTensor(key, dims, dtype.decode(raw, 0, Math.toIntExact(numel)));
    }
  }

  static OnnxGraph parse(MemorySegment bytes, String source) {
    ProtoReader model = new ProtoReader(bytes, source);
    List<Initializer> inits = new ArrayList<>();
    List<Node> nodes = new ArrayList<>();
    boolean sawGraph = false;
    while (model.hasMore()) {
      int tag = model.tag();
      if (ProtoReader.field(tag) == 7 && ProtoReader.wireType(tag) == ProtoReader.LENGTH_DELIMITED) {
        sawGraph = true;
        ProtoReader graph = model.message();
        while (graph.hasMore()) {
          int g = graph.tag();
          int field = ProtoReader.field(g);
          if (field == 1 && ProtoReader.wireType(g) == ProtoReader.LENGTH_DELIMITED) nodes.add(node(graph.message()));
          else if (field == 5 && ProtoReader.wireType(g) == ProtoReader.LENGTH_DELIMITED) inits.add(tensor(graph.message()));
          else graph.skip(ProtoReader.wireType(g));
        }
      } else {
        model.skip(ProtoReader.wireType(tag));
      }
    }
    if (!sawGraph) throw model.corrupt("no graph (ModelProto field 7); is this an ONNX model file?");
    return new OnnxGraph(List.copyOf(inits), List.copyOf(nodes));
  }

  private static Node node(ProtoReader r) {
    String name = "", opType = "";
    List<String> inputs = new ArrayList<>();
    while (r.hasMore()) {
      int tag = r.tag();
      switch (ProtoReader.field(tag)) {
        case 1 -> inputs.add(r.string());
        case 3 -> name = r.string();
        case 4 -> opType = r.string();
        default -> r.skip(ProtoReader.wireType(tag));
      }
    }
    return new Node(name, opType, List.copyOf(inputs));
  }

  private static Initializer tensor(ProtoReader r) {
    List<Long> dims = new ArrayList<>();
    int dataType = 0;
    String name = "";
    MemorySegment raw = null;
    FloatCollector floats = new FloatCollector();
    boolean external = false;
    while (r.hasMore()) {
      int tag = r.tag();
      int wire = ProtoReader.wireType(tag);
      switch (ProtoReader.field(tag)) {
        case 1 -> { // repeated int64, packed or not
            if (wire == ProtoReader.LENGTH_DELIMITED) {
            ProtoReader packed = r.message();
            while (packed.hasMore()) dims.add(packed.varint());
          } else {
            dims.add(r.varint());
          }
        }
        case 2 -> dataType = (int) r.varint();
        case 4 -> { // repeated float, packed or not
            if (wire == ProtoReader.LENGTH_DELIMITED) {
            ProtoReader packed = r.message();
            while (packed.hasMore()) floats.add(Float.intBitsToFloat(packed.fixed32Bits()));
          } else {
            floats.add(Float.intBitsToFloat(r.fixed32Bits()));
          }
        }
        case 8 -> name = r.string();
        case 9 -> {
          long[] s = r.span();
          raw = r.segment().asSlice(s[0], s[1]);
        }
        case 13 -> {
          external = true;
          r.skip(wire);
        }
        case 14 -> external |= r.varint() == 1; // data_location EXTERNAL
        default -> r.skip(wire);
      }
    }
    long[] d = dims.stream().mapToLong(Long::longValue).toArray();
    return new Initializer(name, d, dataType, raw, floats.size == 0 ? null : floats.toArray(), external);
  }

  /** A growable float list, so float_data needs no boxing. */
  private static final class FloatCollector {
    float[] data = new float[16];
    int size;

    void add(float v) {
      if (size == data.length) data = Arrays.copyOf(data, size * 2);
      data[size++] = v;
    }

    float[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }
}
