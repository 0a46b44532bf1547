package dev.fidelio.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fidelio.runtime.Device;
import dev.fidelio.runtime.NativeRuntime;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/** Broken inputs through the command line: exit code 1, one line naming the problem, no stack trace. */
class CliErrorsTest {
  private static final String GOOD_CONFIG = """
      input_features: [{name: text, type: text, encoder: {type: auto_transformer,
        pretrained_model_name_or_path: sentence-transformers/all-MiniLM-L6-v2}}]
      output_features: [{name: label, type: category}]
      """;

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      unknown trainer key        | trainer: {epochz: 3}                                   | ok.csv      | trainer.epochz
      wrong value type           | trainer: {epochs: many}                                | ok.csv      | trainer.epochs
      unsupported optimizer      | trainer: {optimizer: {type: rmsprop}}                  | ok.csv      | trainer.optimizer.type
      compile not a boolean      | trainer: {compile: maybe}                              | ok.csv      | trainer.compile
      cache with trainable       | CACHE_TRAINABLE                                        | ok.csv      | cache
      model nowhere to be found  | MISSING_MODEL                                          | ok.csv      | no-such-org/no-such-model
      missing column             | output_features: [{name: label, type: category, column: lable}] | ok.csv | did you mean 'label'
      empty dataset              | trainer: {epochs: 1}                                   | empty.csv   | empty
      ragged row                 | trainer: {epochs: 1}                                   | ragged.csv  | line 3
      missing dataset file       | trainer: {epochs: 1}                                   | absent.csv  | absent.csv
      one class only             | trainer: {epochs: 1}                                   | oneclass.csv| at least 2
      """)
  void brokenInputsFailCleanly(String name, String extra, String dataset, String expected, @TempDir Path dir)
      throws Exception {
    String config = switch (extra) {
      case "CACHE_TRAINABLE" -> GOOD_CONFIG.replace("all-MiniLM-L6-v2}", "all-MiniLM-L6-v2, trainable: true},"
          + " preprocessing: {cache_encoder_embeddings: true}");
      case "MISSING_MODEL" -> GOOD_CONFIG.replace("sentence-transformers/all-MiniLM-L6-v2", "no-such-org/no-such-model");
      default -> extra.startsWith("output_features") ? GOOD_CONFIG.replaceAll("output_features:.*\n", extra + "\n")
          : GOOD_CONFIG + extra + "\n";
    };
    Files.writeString(dir.resolve("config.yaml"), config);
    Files.writeString(dir.resolve("ok.csv"), "text,label\nwin money now,spam\nlunch at noon,ham\nfree prize,spam\n");
    Files.writeString(dir.resolve("empty.csv"), "");
    Files.writeString(dir.resolve("ragged.csv"), "text,label\nhello,ham\nbroken,spam,extra\n");
    Files.writeString(dir.resolve("oneclass.csv"), "text,label\n" + "hello,ham\n".repeat(20));
    StringWriter err = new StringWriter();
    var cli = FidelioCli.commandLine();
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute("train", "--config", dir.resolve("config.yaml").toString(), "--dataset",
        dir.resolve(dataset).toString(), "--output_directory", dir.resolve("results").toString());
    assertEquals(1, code, "exit code; stderr: " + err);
    assertTrue(err.toString().contains(expected), "stderr should name '" + expected + "': " + err);
    assertFalse(err.toString().contains("\tat "), "no stack trace: " + err);
  }

  @Test
  void aDeviceThatIsNotThereFailsCleanly(@TempDir Path dir) throws Exception {
    assumeTrue(NativeRuntime.deviceCount(Device.Type.CUDA) == 0, "this machine has CUDA");
    Files.writeString(dir.resolve("config.yaml"), GOOD_CONFIG);
    Files.writeString(dir.resolve("ok.csv"), "text,label\nwin money now,spam\nlunch at noon,ham\nfree prize,spam\n");
    StringWriter err = new StringWriter();
    var cli = FidelioCli.commandLine();
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute("train", "--config", dir.resolve("config.yaml").toString(), "--dataset",
        dir.resolve("ok.csv").toString(), "--output_directory", dir.resolve("results").toString(), "--device", "cuda:1");
    assertEquals(1, code, "exit code; stderr: " + err);
    assertTrue(err.toString().contains("device 'cuda:1' is not available") && err.toString().contains("--device cpu"),
        err.toString());
    assertFalse(err.toString().contains("\tat "), "no stack trace: " + err);
  }
  @Test
  void preprocessExitsNonZeroWhenTheStoreCannotBeWritten(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("config.yaml"), GOOD_CONFIG);
    Files.writeString(dir.resolve("ok.csv"), "text,label\nwin money now,spam\nlunch at noon,ham\nfree prize,spam\n");
    Path blocker = Files.writeString(dir.resolve("not-a-folder"), "a file where the store's folder should go");
    StringWriter err = new StringWriter();
    var cli = FidelioCli.commandLine();
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute("preprocess", "--config", dir.resolve("config.yaml").toString(), "--dataset",
        dir.resolve("ok.csv").toString(), "--cache_dir", blocker.resolve("store").toString());
    assertEquals(1, code, "exit code; stderr: " + err);
    assertTrue(err.toString().contains("the preprocessed store could not be written"), err.toString());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      empty --dataset          | train     | --dataset=                 | --dataset is empty
      --model_path is a file   | predict   | --model_path=ok.csv        | is a file
      binary config            | train     | --config=binary.yaml       | is not UTF-8 text
      numbers near the maximum | train     | --config=numbers.yaml      | overflow
      no pixels allowed        | serve     | --max_image_pixels=0       | --max_image_pixels must be >= 1
      """)
  void unclearErrorsNameTheProblem(String name, String command, String option, String expected, @TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("config.yaml"), GOOD_CONFIG);
    Files.writeString(dir.resolve("ok.csv"), "text,label\nwin money now,spam\nlunch at noon,ham\nfree prize,spam\n");
    Files.write(dir.resolve("binary.yaml"), new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0, (byte) 0x80});
    Files.writeString(dir.resolve("numbers.yaml"), "input_features: [{name: x, type: number}]\n"
        + "output_features: [{name: y, type: binary}]\ntrainer: {epochs: 1}\n");
    Files.writeString(dir.resolve("numbers.csv"), "x,y\n" + "1e308,true\n1.7e308,false\n".repeat(10));
    String[] kv = option.split("=", 2);
    String value = kv[1].isEmpty() || kv[0].startsWith("--max") ? kv[1] : dir.resolve(kv[1]).toString();
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(command, kv[0], value));
    if (!kv[0].equals("--config") && command.equals("train")) args.addAll(java.util.List.of("--config", dir.resolve("config.yaml").toString()));
    if (command.equals("serve")) {
      args.addAll(java.util.List.of("--model_path", dir.toString()));
    } else if (!kv[0].equals("--dataset")) {
      args.addAll(java.util.List.of("--dataset", dir.resolve(kv[1].startsWith("numbers") ? "numbers.csv" : "ok.csv").toString()));
    }
    if (command.equals("train")) args.addAll(java.util.List.of("--output_directory", dir.resolve("results").toString()));
    StringWriter err = new StringWriter();
    var cli = FidelioCli.commandLine();
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args.toArray(String[]::new));
    assertEquals(1, code, "exit code; stderr: " + err);
    assertTrue(err.toString().contains(expected), "stderr should name '" + expected + "': " + err);
    assertFalse(err.toString().contains("\tat "), "no stack trace: " + err);
  }
}
