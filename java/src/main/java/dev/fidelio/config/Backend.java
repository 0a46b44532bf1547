package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fidelio.bindings.AbiCoded;
import dev.fidelio.bindings.FidelioH;
import java.util.List;

/**
 * Where training runs. {@code type: local} (the default) trains in this machine's processes:
 * one, or {@code trainer.num_workers} data-parallel workers on c10d (Ludwig's trainer keys of its
 * distributed backends: {@code strategy: ddp} replicates the optimizer, {@code strategy: deepspeed}
 * runs ZeRO stage 1). Ludwig's cluster backends (ray, horovod, dask) are rejected by name: Fidelio's
 * workers run under any torchrun-style launcher instead.
 */
public sealed interface Backend extends Yaml.Rendered {

  /**
   * ddp: every rank holds the whole optimizer state; deepspeed: ZeRO-1, each rank a shard of it (the
   * native FDL_STRATEGY_ZERO1).
   */
  enum Strategy implements ConfigEnum, AbiCoded {
    DDP(FidelioH.FDL_STRATEGY_DDP), DEEPSPEED(FidelioH.FDL_STRATEGY_ZERO1);

    private final int abiCode;

    Strategy(int abiCode) {
      this.abiCode = abiCode;
    }

    @Override
    public int abiCode() {
      return abiCode;
    }
  }

  record Local(Strategy strategy, int numWorkers) implements Backend {
    public Local() {
      this(Strategy.DDP, 1);
    }
  }

  static Backend read(ConfigNode node) {
    String type = node.type("local", List.of("local"), List.of("ray", "horovod", "deepspeed", "dask"));
    if (type == null) return null;
    ConfigNode trainer = node.section("trainer");
    Strategy strategy = trainer.choice("strategy", Strategy.class, Strategy.DDP);
    int numWorkers = trainer.integer("num_workers", 1, 1, 4096);
    trainer.rejectUnknownKeys();
    node.rejectUnknownKeys();
    return new Local(strategy, numWorkers);
  }

  @Override
  default JsonNode toYamlNode() {
    return switch (this) {
      case Local l -> Yaml.map("type", "local", "trainer",
              Yaml.map("strategy", l.strategy(), "num_workers", l.numWorkers()));
    };
  }
}
