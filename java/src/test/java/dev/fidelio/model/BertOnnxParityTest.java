package dev.fidelio.model;

import dev.fidelio.config.TextEncoder.ReduceOutput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.text.TextTokenizer;
import dev.fidelio.text.TokenBatch;
import dev.fidelio.weights.OnnxBertWeights;
import dev.fidelio.weights.PretrainedLocator;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fidelio's BERT against ONNX Runtime running the same all-MiniLM-L6-v2 export: the last hidden
 * states of real sentences, padded to a common length, agree within 1e-4 (max abs).
 */
class BertOnnxParityTest {
  private static final List<String> SENTENCES = List.of(
      "Congratulations! You have won a free cruise to the Bahamas. Click here to claim your prize.",
      "Hi Bob, the meeting moved to 3pm tomorrow.",
      "Fidelio fine-tunes pretrained encoders.",
      "");

  @Test
  void lastHiddenStatesMatchOnnxRuntime() throws Exception {
    var pretrained = PretrainedLocator.fromEnvironment().load("sentence-transformers/all-MiniLM-L6-v2");
    long[][] ids;
    try (var in = pretrained.tokenizer().orElseThrow().open();
        var tokenizer = TextTokenizer.load(in, "bundled", 64, 0)) {
      ids = tokenizer.encode(SENTENCES);
    }
    int[] rows = {0, 1, 2, 3};
    TokenBatch batch = TokenBatch.pad(ids, rows, 0);
    long[] shape = {batch.batch(), batch.length()};
    float[] reference = onnxRuntime(batch, shape);

    List<String> notes = new ArrayList<>();
    try (TextEncoderModel bert = TextEncoderModel.pretrained(pretrained, 1, notes);
        Tensor inputIds = Tensor.of(batch.inputIds(), shape);
        Tensor mask = Tensor.of(batch.attentionMask(), shape);
        Tensor hidden = bert.forward(inputIds, mask, ReduceOutput.NONE)) {
      float[] ours = hidden.toFloatArray();
      assertEquals(reference.length, ours.length);
      double maxDiff = 0;
      int hiddenSize = pretrained.config().integer("hidden_size", -1);
      for (int b = 0; b < batch.batch(); b++) {
        for (int t = 0; t < batch.length(); t++) {
          if (batch.attentionMask()[b * batch.length() + t] == 0) continue; // padding positions carry no meaning
          for (int h = 0; h < hiddenSize; h++) {
            int i = (b * batch.length() + t) * hiddenSize + h;
            maxDiff = Math.max(maxDiff, Math.abs(ours[i] - reference[i]));
          }
        }
      }
      System.out.println("BERT vs ONNX Runtime, max abs difference of last hidden states: " + maxDiff);
      assertTrue(maxDiff <= 1e-4, "max abs difference to ONNX Runtime: " + maxDiff);
      assertTrue(notes.stream().anyMatch(n -> n.contains("pooler")), notes.toString());
    }
  }

  private static float[] onnxRuntime(TokenBatch batch, long[] shape) throws Exception {
    var env = OrtEnvironment.getEnvironment();
    byte[] model;
    try (var in = BertOnnxParityTest.class.getClassLoader().getResourceAsStream(OnnxBertWeights.BUNDLED_MODEL_RESOURCE)) {
      model = in.readAllBytes();
    }
    try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
        var ids = OnnxTensor.createTensor(env, LongBuffer.wrap(batch.inputIds()), shape);
        var mask = OnnxTensor.createTensor(env, LongBuffer.wrap(batch.attentionMask()), shape);
        var types = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[batch.inputIds().length]), shape)) {
      Map<String, OnnxTensor> inputs = new java.util.HashMap<>();
      for (String name : session.getInputNames()) {
        inputs.put(name, switch (name) {
          case "input_ids" -> ids;
          case "attention_mask" -> mask;
          case "token_type_ids" -> types;
          default -> throw new AssertionError("unexpected ONNX input " + name);
        });
      }
      try (var result = session.run(inputs)) {
        var out = (OnnxTensor) result.get(0);
        float[] flat = new float[(int) (shape[0] * shape[1] * out.getInfo().getShape()[2])];
        out.getFloatBuffer().get(flat);
        return flat;
      }
    }
  }
}
