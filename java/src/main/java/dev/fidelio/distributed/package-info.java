/**
 * Data-parallel training on c10d: the launcher, worker environment, process groups and sharding.
 *
 * <p><b>Internal:</b> not part of Fidelio's API, which is {@link dev.fidelio.api}; public only so that
 * Fidelio's own packages can use it, and free to change in any release.
 */
package dev.fidelio.distributed;
