package dev.fidelio.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Behaviour of torch.optim.lr_scheduler.ReduceLROnPlateau (patience, rel threshold 1e-4) with Ludwig's cap. */
class PlateauReductionTest {
  @Test
  void reducesAfterMoreThanPatienceBadEvaluationsAndStopsAtTheCap() {
    var p = new PlateauReduction(2, 2, 0.5, true);
    assertFalse(p.observe(1.0));            // first value is the best
    assertFalse(p.observe(1.0));            // bad 1 (not better by the threshold)
    assertFalse(p.observe(0.99995));        // bad 2: 1e-4 relative is needed, 5e-5 is not enough
    assertTrue(p.observe(1.2));             // bad 3 > patience 2: reduce
    assertEquals(0.5, p.factor(), 0);
    assertFalse(p.observe(0.5));            // improvement resets
    assertFalse(p.observe(0.6));
    assertFalse(p.observe(0.6));
    assertTrue(p.observe(0.6));
    assertEquals(0.25, p.factor(), 0);
    for (int i = 0; i < 10; i++) assertFalse(p.observe(9.0)); // capped at 2 reductions
    assertEquals(2, p.reductions());
  }

  @Test
  void higherIsBetterForAccuracy() {
    var p = new PlateauReduction(1, 0, 0.1, false);
    assertFalse(p.observe(0.8));
    assertFalse(p.observe(0.9));
    assertTrue(p.observe(0.85));
    assertEquals(0.1, p.factor(), 1e-15);
  }
}
