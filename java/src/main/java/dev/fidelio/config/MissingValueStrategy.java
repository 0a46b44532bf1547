package dev.fidelio.config;

/** What preprocessing does with an empty cell; not every feature type allows every strategy. */
public enum MissingValueStrategy implements ConfigEnum {
    FILL_WITH_CONST, FILL_WITH_MODE, FILL_WITH_MEAN, FILL_WITH_FALSE, FILL_WITH_TRUE, BFILL, FFILL, DROP_ROW
}
