package dev.fidelio.bindings;

/**
 * A config option that the native library implements under a code of the C ABI (an FDL_* constant
 * of the generated bindings): the option and its code are one spelling, checked by the compiler.
 */
public interface AbiCoded {
    int abiCode();
}
