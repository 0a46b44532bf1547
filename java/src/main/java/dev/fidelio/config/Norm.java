package dev.fidelio.config;

import dev.fidelio.bindings.AbiCoded;
import dev.fidelio.bindings.FidelioH;

/** Normalization after each fully connected layer; null in the config (NONE) means none. */
public enum Norm implements ConfigEnum, AbiCoded {
  NONE(FidelioH.FDL_NORM_NONE), BATCH(FidelioH.FDL_NORM_BATCH), LAYER(FidelioH.FDL_NORM_LAYER),
  GHOST(FidelioH.FDL_NORM_GHOST);

  private final int abiCode;

  Norm(int abiCode) {
    this.abiCode = abiCode;
  }

  @Override
  public String yamlName() {
    return this == NONE ? null : ConfigEnum.super.yamlName();
  }

  @Override
  public int abiCode() {
    return abiCode;
  }
}
