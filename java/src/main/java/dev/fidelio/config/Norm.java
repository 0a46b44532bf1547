package dev.fidelio.config;

/** Normalization after each fully connected layer; null in the config means none. */
public enum Norm implements ConfigEnum { BATCH, LAYER, GHOST }
