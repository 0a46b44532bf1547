package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fidelio.bindings.AbiCoded;
import dev.fidelio.bindings.FidelioH;
import java.util.Map;

/**
 * One fully connected layer of an {@link FcStack}; keys it omits inherit the stack's values. Its
 * components are the fields of the C ABI's {@code fdl_fc_layer} (fidelio.h), written by name: a new
 * layer option is a component here, a field there, and the native module that reads it.
 */
public record FcLayer(int outputSize, Activation activation, double dropout, Norm norm, NormParams normParams,
                      boolean useBias, BiasInitializer biasInitializer) implements Yaml.Rendered {

  /** Ludwig's bias_initializer (its default: zeros), as torch.nn.init applies it. */
  public enum BiasInitializer implements ConfigEnum, AbiCoded {
    ZEROS(FidelioH.FDL_BIAS_INITIALIZER_ZEROS), ONES(FidelioH.FDL_BIAS_INITIALIZER_ONES),
    NORMAL(FidelioH.FDL_BIAS_INITIALIZER_NORMAL), UNIFORM(FidelioH.FDL_BIAS_INITIALIZER_UNIFORM);

    private final int abiCode;

    BiasInitializer(int abiCode) {
      this.abiCode = abiCode;
    }

    @Override
    public int abiCode() {
      return abiCode;
    }
  }

  /** A layer with Ludwig's default bias initializer (zeros). */
  public FcLayer(int outputSize, Activation activation, double dropout, Norm norm, NormParams normParams,
                 boolean useBias) {
    this(outputSize, activation, dropout, norm, normParams, useBias, BiasInitializer.ZEROS);
  }

  /**
   * This layer's keys read from node; {@code prefix} is the decoders' "fc_" on a stack's defaults.
   * norm_params the layer omits are the stack's as given (inheritedParams, null when none), read
   * with this layer's norm: its defaults fill what is not given, its keys are the ones allowed.
   */
  static FcLayer read(ConfigNode node, String prefix, FcLayer inherited, Map<String, Object> inheritedParams) {
    Norm norm = node.choice(prefix + "norm", Norm.class, inherited.norm);  // an explicit null is NONE
    Map<String, Object> given = node.parameters(prefix + "norm_params");
    NormParams normParams = NormParams.read(node, prefix + "norm_params", norm, given != null ? given : inheritedParams);
    return new FcLayer(
            node.integer(prefix + "output_size", inherited.outputSize, 1, Integer.MAX_VALUE),
            node.choice(prefix + "activation", Activation.class, inherited.activation),
            node.decimal(prefix + "dropout", inherited.dropout, 0.0, 1.0),
            norm, normParams,
            node.bool(prefix + "use_bias", inherited.useBias),
            node.choice(prefix + "bias_initializer", BiasInitializer.class, inherited.biasInitializer));
  }

  /** The layer Ludwig's defaults describe: no norm, relu, no dropout, a bias. */
  static FcLayer defaults(int outputSize) {
    return new FcLayer(outputSize, Activation.RELU, 0.0, Norm.NONE, NormParams.defaults(Norm.NONE), true);
  }

  @Override
  public JsonNode toYamlNode() {
    // Ludwig renders norm_params null unless given; params at the norm's defaults render so too.
    return Yaml.map("output_size", outputSize, "activation", activation, "dropout", dropout,
            "norm", norm, "norm_params", normParams.equals(NormParams.defaults(norm)) ? null : normParams,
            "use_bias", useBias, "bias_initializer", biasInitializer);
  }
}
