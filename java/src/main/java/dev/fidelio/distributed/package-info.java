/**
 * Data-parallel training on c10d: the worker environment, process groups and sharding. The launcher that
 * starts the worker JVMs runs the command line, so it lives in {@code cli}.
 *
 * <p><b>Internal:</b> not part of Fidelio's API, which is {@link dev.fidelio.api}; public only so that
 * Fidelio's own packages can use it, and free to change in any release.
 */
package dev.fidelio.distributed;
