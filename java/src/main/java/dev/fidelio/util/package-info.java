/**
 * Helpers every layer may use: the terminal log and atomic JSON files. Depends on nothing in Fidelio,
 * so that a low layer (features, store, train) logging or writing a file does not import a higher one.
 *
 * <p><b>Internal:</b> not part of Fidelio's API, which is {@link dev.fidelio.api}; public only so that
 * Fidelio's own packages can use it, and free to change in any release.
 */
package dev.fidelio.util;
