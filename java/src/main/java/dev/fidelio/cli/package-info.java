/**
 * The {@code fidelio} command line (picocli): each command parses its flags and calls {@link dev.fidelio.api.Fidelio}.
 *
 * <p><b>Internal:</b> not part of Fidelio's API, which is {@link dev.fidelio.api}; public only so that
 * Fidelio's own packages can use it, and free to change in any release.
 */
package dev.fidelio.cli;
