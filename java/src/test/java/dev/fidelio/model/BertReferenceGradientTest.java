package dev.fidelio.model;

import dev.fidelio.config.TextEncoder.ReduceOutput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.runtime.DType;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.text.TextTokenizer;
import dev.fidelio.text.TokenBatch;
import dev.fidelio.weights.NamedTensor;
import dev.fidelio.weights.PretrainedEncoder;
import dev.fidelio.weights.PretrainedLocator;
import dev.fidelio.weights.SafetensorsReader;
import dev.fidelio.weights.SafetensorsWriter;
import dev.fidelio.weights.StateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gradients of every parameter of the pretrained all-MiniLM-L6-v2 encoder against an independent
 * reference: Debian's python3-torch running the same weights on the same padded batch through a
 * BertModel written from the HF definition (src/test/python/bert_reference_gradients.py). Both run
 * float32; each gradient tensor must agree within 1e-4 of its largest entry (key biases, whose
 * gradient is zero in exact arithmetic, within 1e-6 of zero).
 */
class BertReferenceGradientTest {
  private static final Path SCRIPT = Path.of("src/test/python/bert_reference_gradients.py");
  private static final List<String> SENTENCES = List.of(
      "Congratulations! You have won a free cruise to the Bahamas. Click here to claim your prize.",
      "Hi Bob, the meeting moved to 3pm tomorrow.",
      "ok");

  @TempDir Path dir;

  @Test
  void everyGradientMatchesPyTorch() throws Exception {
    PretrainedEncoder pretrained = PretrainedLocator.fromEnvironment().load("sentence-transformers/all-MiniLM-L6-v2");
    TokenBatch batch;
    try (var in = pretrained.tokenizer().orElseThrow().open();
        var tokenizer = TextTokenizer.load(in, "bundled", 64, 0)) {
      batch = TokenBatch.pad(tokenizer.encode(SENTENCES), new int[] {0, 1, 2}, 0);
    }
    long[] shape = {batch.batch(), batch.length()};
    int hidden = pretrained.config().integer("hidden_size", -1);
    float[] lossWeight = new float[batch.batch() * hidden];
    Random random = new Random(5);
    for (int i = 0; i < lossWeight.length; i++) lossWeight[i] = (float) random.nextGaussian();

    StateDict reference = pytorchGradients(pretrained, batch, lossWeight);

    try (TextEncoderModel bert = TextEncoderModel.pretrained(pretrained, 1, new ArrayList<>());
        Tensor ids = Tensor.of(batch.inputIds(), shape);
        Tensor mask = Tensor.of(batch.attentionMask(), shape);
        Tensor weight = Tensor.of(lossWeight, batch.batch(), hidden)) {
      bert.setTrainable(true);
      double loss = BertHooks.lossGrad(bert, ids, mask, ReduceOutput.MEAN, weight);
      double referenceLoss = reference.require("__loss").data()[0];
      assertEquals(referenceLoss, loss, 1e-4 * Math.abs(referenceLoss), "loss");

      List<String> names = bert.stateNames();
      int compared = 0;
      double worst = 0;
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        NamedTensor expected = reference.get(name);
        if (expected == null) {
          assertTrue(!bert.hasGradient(i), name + " has a gradient in Fidelio but none in PyTorch");
          continue;
        }
        float[] ours;
        try (Tensor g = bert.gradient(i)) {
          ours = g.toFloatArray();
        }
        double scale = 0;
        double diff = 0;
        for (int j = 0; j < ours.length; j++) {
          scale = Math.max(scale, Math.abs(expected.data()[j]));
          diff = Math.max(diff, Math.abs(ours[j] - expected.data()[j]));
        }
        if (name.endsWith("attention.self.key.bias")) {
          // Exactly zero in exact arithmetic: a key bias adds the same q.b to every score of a query,
          // and softmax ignores that shift. Both sides must show only rounding noise.
          assertTrue(scale < 1e-6 && diff < 1e-6, name + ": expected a zero gradient, got max " + scale);
          compared++;
          continue;
        }
        assertTrue(scale > 0, name + ": the reference gradient is all zeros, so the check would be empty");
        double relative = diff / scale;
        worst = Math.max(worst, relative);
        assertTrue(relative <= 1e-4, name + ": max |difference| " + diff + " against max |gradient| " + scale);
        compared++;
      }
      System.out.printf("MiniLM gradients vs PyTorch: %d tensors, worst relative difference %.2e%n", compared, worst);
      assertEquals(reference.size() - 1, compared, "every parameter PyTorch differentiated was compared");
      assertTrue(compared >= 100, "expected every encoder parameter but the pooler, got " + compared);
    }
  }

  private StateDict pytorchGradients(PretrainedEncoder pretrained, TokenBatch batch, float[] lossWeight)
      throws IOException, InterruptedException {
    List<NamedTensor> inputs = new ArrayList<>(pretrained.weights().tensors());
    long[] shape = {batch.batch(), batch.length()};
    inputs.add(new NamedTensor("__input_ids", shape, toFloats(batch.inputIds())));
    inputs.add(new NamedTensor("__attention_mask", shape, toFloats(batch.attentionMask())));
    inputs.add(new NamedTensor("__loss_weight", new long[] {batch.batch(), pretrained.config().integer("hidden_size", -1)}, lossWeight));
    Path in = dir.resolve("in.safetensors");
    Path out = dir.resolve("out.safetensors");
    SafetensorsWriter.write(in, new StateDict(inputs), Map.of(
        "num_attention_heads", Integer.toString(pretrained.config().integer("num_attention_heads", -1)),
        "layer_norm_eps", Double.toString(pretrained.config().number("layer_norm_eps", 1e-12))));
    Process python = new ProcessBuilder("/usr/bin/python3", SCRIPT.toString(), in.toString(), out.toString())
        .redirectErrorStream(true).start();
    String output = new String(python.getInputStream().readAllBytes());
    assertTrue(python.waitFor(120, TimeUnit.SECONDS), "python3 timed out");
    assertEquals(0, python.exitValue(), "the PyTorch reference failed (bin/test installs python3-torch):\n" + output);
    assertTrue(Files.size(out) > 0);
    return SafetensorsReader.read(out).tensors();
  }

  private static float[] toFloats(long[] values) {
    float[] floats = new float[values.length];
    for (int i = 0; i < values.length; i++) floats[i] = values[i];
    return floats;
  }
}
