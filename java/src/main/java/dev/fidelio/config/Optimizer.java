package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The optimizer and its torch.optim hyperparameters, with Ludwig's (= PyTorch's) defaults.
 * {@code exclude_bias_and_norm_from_weight_decay} (a Fidelio key, default false as in torch) exempts
 * one-dimensional parameters, i.e. biases and norm scales, from weight decay.
 */
public sealed interface Optimizer extends Yaml.Rendered {

  record Adam(List<Double> betas, double eps, double weightDecay, boolean amsgrad,
              boolean excludeBiasAndNormFromWeightDecay) implements Optimizer {}

  /** Decoupled weight decay; Ludwig keeps torch's betas and eps but defaults weight_decay to 0. */
  record AdamW(List<Double> betas, double eps, double weightDecay, boolean amsgrad,
               boolean excludeBiasAndNormFromWeightDecay) implements Optimizer {}

  record Sgd(double momentum, double weightDecay, double dampening, boolean nesterov,
             boolean excludeBiasAndNormFromWeightDecay) implements Optimizer {}

  static Optimizer read(ConfigNode node) {
    String type = node.type("adam", List.of("adam", "adamw", "sgd"), List.of("adam_8bit", "adamw_8bit",
            "paged_adam", "paged_adamw", "sgd_8bit", "lbfgs", "adadelta", "adagrad", "adamax", "rmsprop", "lamb"));
    if (type == null) return null;
    Optimizer optimizer = switch (type) {
      case "adam" -> new Adam(betas(node), eps(node), weightDecay(node), node.bool("amsgrad", false), exclude(node));
      case "adamw" -> new AdamW(betas(node), eps(node), weightDecay(node), node.bool("amsgrad", false), exclude(node));
      case "sgd" -> {
        double momentum = node.decimal("momentum", 0.0, 0.0, Double.MAX_VALUE);
        double weightDecay = weightDecay(node);
        double dampening = node.decimal("dampening", 0.0, 0.0, Double.MAX_VALUE);
        boolean nesterov = node.bool("nesterov", false);
        // torch.optim.SGD rejects this combination at construction; say so before training starts.
        if (nesterov && (momentum <= 0 || dampening != 0)) {
          node.error("nesterov", "is true but Nesterov momentum needs momentum > 0 and dampening 0, "
                  + "found momentum " + momentum + " and dampening " + dampening);
        }
        yield new Sgd(momentum, weightDecay, dampening, nesterov, exclude(node));
      }
      default -> throw new IllegalStateException("type() returned an unlisted type " + type);
    };
    node.rejectUnknownKeys();
    return optimizer;
  }

  private static List<Double> betas(ConfigNode node) {
    List<Double> betas = node.decimals("betas", List.of(0.9, 0.999), 0.0, 1.0);
    if (betas.size() != 2) {
      node.error("betas", "expected two numbers [beta1, beta2] in [0, 1), found " + betas.size());
      return List.of(0.9, 0.999);
    }
    return betas;
  }

  private static double eps(ConfigNode node) {
    return node.decimal("eps", 1e-8, 0.0, Double.MAX_VALUE);
  }

  private static double weightDecay(ConfigNode node) {
    return node.decimal("weight_decay", 0.0, 0.0, Double.MAX_VALUE);
  }

  private static boolean exclude(ConfigNode node) {
    return node.bool(EXCLUDE_KEY, false);
  }

  String EXCLUDE_KEY = "exclude_bias_and_norm_from_weight_decay";

  @Override
  default JsonNode toYamlNode() {
    return switch (this) {
      case Adam a -> Yaml.map("type", "adam", "betas", a.betas, "eps", a.eps, "weight_decay", a.weightDecay,
              "amsgrad", a.amsgrad, EXCLUDE_KEY, a.excludeBiasAndNormFromWeightDecay);
      case AdamW a -> Yaml.map("type", "adamw", "betas", a.betas, "eps", a.eps, "weight_decay", a.weightDecay,
              "amsgrad", a.amsgrad, EXCLUDE_KEY, a.excludeBiasAndNormFromWeightDecay);
      case Sgd s -> Yaml.map("type", "sgd", "momentum", s.momentum, "weight_decay", s.weightDecay,
              "dampening", s.dampening, "nesterov", s.nesterov, EXCLUDE_KEY, s.excludeBiasAndNormFromWeightDecay);
    };
  }
}
