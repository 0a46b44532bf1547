package dev.fidelio.benchmarks;

import dev.fidelio.model.EcdModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The correctness check benchmarks/gpu/run-gpu.sh runs before timing: the benchmarks' train step
 * (BertTrainStep, dropout 0 so that runs are comparable) for a few steps on one repeated batch, from
 * the same initial weights, as
 * <ul>
 *   <li>eager vs captured (trainer.compile), float32 and bfloat16: every step's loss within
 *       atol + rtol x |eager|, and on CUDA the captured run must really have replayed a graph;</li>
 *   <li>float32 vs bfloat16 (and float16 on CUDA), eager: the first step's loss (same weights, same
 *       batch: the forward pass alone) within mixed_tol; the later steps are printed.</li>
 * </ul>
 * Arguments are key=value: device (cuda), layers (12), hidden (768), batch (32), length (128),
 * steps (8), lr (1e-4), atol (2e-3), rtol (1e-3), bf16_atol (2e-2), mixed_tol (3e-2), json (a file
 * for the results). Exits 1 when a check fails.
 */
public final class GpuStepCheck {
  private GpuStepCheck() {}

  /** One run's losses, step by step; stats only for a compiled run. */
  private record Run(String name, List<Double> losses, String compileReport, EcdModel.CompileStats stats) {}

  public static void main(String[] args) throws IOException {
    Map<String, String> a = new LinkedHashMap<>();
    String[] defaults = {"device", "cuda", "layers", "12", "hidden", "768", "batch", "32", "length", "128", "steps", "8",
        "lr", "1e-4", "atol", "2e-3", "rtol", "1e-3", "bf16_atol", "2e-2", "mixed_tol", "3e-2", "json", ""};
    for (int i = 0; i < defaults.length; i += 2) a.put(defaults[i], defaults[i + 1]);
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 0 || !a.containsKey(arg.substring(0, eq))) {
        throw new IllegalArgumentException("argument '" + arg + "': expected key=value, key one of " + a.keySet());
      }
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    String device = a.get("device");
    var shape = new BertTrainStep.Shape(Integer.parseInt(a.get("layers")), Integer.parseInt(a.get("hidden")),
        Integer.parseInt(a.get("batch")), Integer.parseInt(a.get("length")));
    int steps = Integer.parseInt(a.get("steps"));
    double lr = Double.parseDouble(a.get("lr"));
    boolean cuda = device.startsWith("cuda");
    System.out.println("check: " + shape + " on " + device + ", " + steps + " steps at lr " + lr);

    Map<String, Run> runs = new LinkedHashMap<>();
    for (String precision : cuda ? List.of("fp32", "bf16", "fp16") : List.of("fp32", "bf16")) {
      runs.put(precision, run(precision, false, shape, device, steps, lr));
      if (!precision.equals("fp16")) runs.put(precision + "-captured", run(precision, true, shape, device, steps, lr));
    }

    List<String> verdicts = new ArrayList<>();
    boolean ok = true;
    for (String precision : List.of("fp32", "bf16")) {
      double atol = Double.parseDouble(a.get(precision.equals("fp32") ? "atol" : "bf16_atol"));
      double rtol = Double.parseDouble(a.get("rtol"));
      Run eager = runs.get(precision);
      Run captured = runs.get(precision + "-captured");
      double worst = 0;
      boolean within = true;
      for (int i = 0; i < steps; i++) {
        double e = eager.losses().get(i);
        double diff = Math.abs(e - captured.losses().get(i));
        worst = Math.max(worst, diff);
        within &= diff <= atol + rtol * Math.abs(e);
      }
      boolean replayed = !cuda || captured.stats().replays() > 0;
      boolean pass = within && replayed;
      ok &= pass;
      verdicts.add(String.format(Locale.ROOT, "%s eager vs captured: %s (max |loss difference| %.3g over %d steps, "
              + "allowed %.1g + %.1g x |loss|%s)", precision, pass ? "ok" : "FAIL", worst, steps, atol, rtol,
          replayed ? "" : "; the captured run replayed no graph: " + captured.compileReport()));
    }
    double mixedTol = Double.parseDouble(a.get("mixed_tol"));
    double reference = runs.get("fp32").losses().get(0);
    for (String precision : cuda ? List.of("bf16", "fp16") : List.of("bf16")) {
      double diff = Math.abs(runs.get(precision).losses().get(0) - reference);
      boolean pass = diff <= mixedTol * Math.max(1, Math.abs(reference));
      ok &= pass;
      verdicts.add(String.format(Locale.ROOT, "fp32 vs %s first-step loss: %s (|difference| %.3g, allowed %.1g)",
          precision, pass ? "ok" : "FAIL", diff, mixedTol));
    }

    for (Run r : runs.values()) {
      System.out.println(String.format(Locale.ROOT, "  %-14s %s   [%s]", r.name(), format(r.losses()),
          r.stats() == null ? r.compileReport() : r.stats()));
    }
    verdicts.forEach(v -> System.out.println("check: " + v));
    System.out.println("check: " + (ok ? "passed" : "FAILED"));
    if (!a.get("json").isEmpty()) Files.writeString(Path.of(a.get("json")), json(runs, verdicts, ok));
    if (!ok) System.exit(1);
  }

  private static Run run(String precision, boolean compile, BertTrainStep.Shape shape, String device, int steps,
                         double lr) {
    try (BertTrainStep step = BertTrainStep.create(shape, device, precision, compile, 0.0, 11)) {
      List<Double> losses = new ArrayList<>();
      for (int i = 0; i < steps; i++) losses.add(step.run(lr));
      return new Run(precision + (compile ? "-captured" : ""), losses, step.compileReport(),
          compile ? step.compileStats() : null);
    }
  }

  private static String format(List<Double> losses) {
    return losses.stream().map(l -> String.format(Locale.ROOT, "%.5f", l)).collect(Collectors.joining(" "));
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private static String json(Map<String, Run> runs, List<String> verdicts, boolean ok) {
    String runsJson = runs.values().stream().map(r -> quote(r.name()) + ": {\"losses\": [" + r.losses().stream()
            .map(d -> Double.toString(d)).collect(Collectors.joining(", ")) + "], \"compile\": "
            + quote(r.compileReport()) + ", \"stats\": " + quote(String.valueOf(r.stats())) + "}")
        .collect(Collectors.joining(",\n    "));
    return "{\n  \"passed\": " + ok + ",\n  \"verdicts\": [" + verdicts.stream().map(GpuStepCheck::quote)
        .collect(Collectors.joining(", ")) + "],\n  \"runs\": {\n    " + runsJson + "\n  }\n}\n";
  }
}
