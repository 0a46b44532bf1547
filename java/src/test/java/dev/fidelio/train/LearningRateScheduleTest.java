package dev.fidelio.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Ludwig's schedule formulas (ludwig/modules/lr_scheduler.py at v0.10.4, lines 167-171 and 192-208). */
class LearningRateScheduleTest {
  @Test
  void warmupRisesLinearlyThenLinearDecayReachesZero() {
    var s = LearningRateSchedule.of(1e-3, 100, 0.2, LearningRateSchedule.Decay.LINEAR);
    assertEquals(20, s.warmupSteps());
    assertEquals(0, s.at(0), 1e-15, "LambdaLR(step / warmup) starts at 0");
    assertEquals(1e-3 * 19 / 20, s.at(19), 1e-15);
    assertEquals(1e-3, s.at(20), 1e-15);
    assertEquals(0.5e-3, s.at(60), 1e-15);
    assertEquals(1e-3 / 80, s.at(99), 1e-15);
    for (long step = 21; step < 100; step++) assertTrue(s.at(step) < s.at(step - 1));
  }

  @Test
  void cosineIsOneCurveToTheMinimum() {
    var s = new LearningRateSchedule(1.0, 101, 0, LearningRateSchedule.Decay.COSINE, 0.1, 0, 1, false);
    assertEquals(1.0, s.at(0), 1e-12);
    assertEquals(0.55, s.at(50), 0.01);
    assertEquals(0.1, s.at(101), 1e-12);
  }

  @Test
  void exponentialStaircaseStepsAtBoundaries() {
    // decay_rate^ceil(1 + t / decay_steps)
    var s = new LearningRateSchedule(1.0, 100, 0, LearningRateSchedule.Decay.EXPONENTIAL, 0, 0.5, 10, true);
    assertEquals(0.5, s.at(0), 1e-12);
    assertEquals(0.25, s.at(9), 1e-12);
    assertEquals(0.25, s.at(10), 1e-12);
    assertEquals(0.125, s.at(11), 1e-12);
    assertEquals(0.0625, s.at(25), 1e-12);
  }

  @Test
  void badSettingsAreNamed() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> LearningRateSchedule.of(1e-3, 10, 1.5, LearningRateSchedule.Decay.LINEAR));
    assertTrue(e.getMessage().contains("warmup_fraction"));
  }

  @Test
  void cosineFormulaAtChosenStepsAfterWarmup() {
    // warmup 10 of 110 steps, then 0.5 * (1 + cos(pi * t / 100)) between eta_min 1e-5 and 1e-3
    var s = new LearningRateSchedule(1e-3, 110, 10, LearningRateSchedule.Decay.COSINE, 1e-5, 0, 1, false);
    for (long step : new long[] {10, 35, 60, 85, 109}) {
      double t = (step - 10) / 100.0;
      assertEquals(1e-5 + (1e-3 - 1e-5) * 0.5 * (1 + Math.cos(Math.PI * t)), s.at(step), 1e-15, "step " + step);
    }
  }

  @Test
  void exponentialWithoutStaircaseIsSmooth() {
    var s = new LearningRateSchedule(0.1, 1000, 0, LearningRateSchedule.Decay.EXPONENTIAL, 0, 0.96, 100, false);
    assertEquals(0.1 * Math.pow(0.96, 3.5), s.at(250), 1e-15);
    assertEquals(0.1 * Math.pow(0.96, 10.99), s.at(999), 1e-15);
  }
}
