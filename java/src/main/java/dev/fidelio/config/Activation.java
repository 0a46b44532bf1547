package dev.fidelio.config;

import dev.fidelio.bindings.AbiCoded;
import dev.fidelio.bindings.FidelioH;

/** Activation functions of fully connected layers, spelled as Ludwig spells them; null is none. */
public enum Activation implements ConfigEnum, AbiCoded {
  ELU("elu", FidelioH.FDL_ACTIVATION_ELU),
  LEAKY_RELU("leakyRelu", FidelioH.FDL_ACTIVATION_LEAKY_RELU),
  LOG_SIGMOID("logSigmoid", FidelioH.FDL_ACTIVATION_LOG_SIGMOID),
  RELU("relu", FidelioH.FDL_ACTIVATION_RELU),
  SIGMOID("sigmoid", FidelioH.FDL_ACTIVATION_SIGMOID),
  TANH("tanh", FidelioH.FDL_ACTIVATION_TANH),
  SOFTMAX("softmax", FidelioH.FDL_ACTIVATION_SOFTMAX),
  NONE(null, FidelioH.FDL_ACTIVATION_NONE);

  private final String yamlName;
  private final int abiCode;

  Activation(String yamlName, int abiCode) {
    this.yamlName = yamlName;
    this.abiCode = abiCode;
  }

  @Override
  public String yamlName() {
    return yamlName;
  }

  @Override
  public int abiCode() {
    return abiCode;
  }
}
