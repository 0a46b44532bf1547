/**
 * The training loop, its plan, learning-rate schedule, checkpoints and exact resume.
 *
 * <p><b>Internal:</b> not part of Fidelio's API, which is {@link dev.fidelio.api}; public only so that
 * Fidelio's own packages can use it, and free to change in any release.
 */
package dev.fidelio.train;
