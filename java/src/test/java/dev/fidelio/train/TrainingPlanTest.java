package dev.fidelio.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.config.ConfigException;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Steps, accumulation, evaluation interval, warmup and LR scaling resolved from trainer settings. */
class TrainingPlanTest {
  private static FidelioConfig config(String trainer) {
    return FidelioConfig.parse("""
        input_features: [{name: text, type: text}]
        output_features: [{name: label, type: category}]
        trainer:
        """ + trainer.indent(2));
  }

  @Test
  void effectiveBatchSizeSetsAccumulationAndStepCount() {
    var plan = TrainingPlan.of(config("""
        batch_size: 8
        effective_batch_size: 32
        epochs: 2
        learning_rate: 0.01
        """), 100, 1);
    assertEquals(4, plan.accumulationSteps());
    assertEquals(4, plan.stepsPerEpoch());        // ceil(100 / 32)
    assertEquals(8, plan.totalSteps());
    assertEquals(4, plan.stepsPerCheckpoint());   // one evaluation per epoch
  }

  @Test
  void warmupEvaluationsCountCheckpointIntervals() {
    var plan = TrainingPlan.of(config("""
        batch_size: 10
        epochs: 3
        learning_rate: 0.01
        checkpoints_per_epoch: 2
        learning_rate_scheduler: {warmup_evaluations: 3, decay: linear}
        """), 100, 1);
    assertEquals(10, plan.stepsPerEpoch());
    assertEquals(5, plan.stepsPerCheckpoint());
    assertEquals(15, plan.schedule().warmupSteps());
    // Linear warmup (Ludwig's lr x step / warmup) then linear decay to 0 over the remaining 15 of 30 steps.
    assertEquals(0.01 * 1 / 15, plan.schedule().at(1), 1e-15);
    assertEquals(0.01, plan.schedule().at(15), 1e-15);
    assertEquals(0.01 * (1 - 10.0 / 15), plan.schedule().at(25), 1e-15);
  }

  @Test
  void stepsPerCheckpointIsCappedByTrainSteps() {
    var plan = TrainingPlan.of(config("""
        batch_size: 10
        train_steps: 7
        steps_per_checkpoint: 50
        learning_rate: 0.01
        """), 100, 1);
    assertEquals(7, plan.totalSteps());
    assertEquals(7, plan.stepsPerCheckpoint());
    assertEquals(1, plan.epochs());
  }

  @Test
  void learningRateScalingWithWorkers() {
    assertEquals(4.0, TrainingPlan.scaling(Trainer.LearningRateScaling.LINEAR, 4));
    assertEquals(2.0, TrainingPlan.scaling(Trainer.LearningRateScaling.SQRT, 4));
    assertEquals(1.0, TrainingPlan.scaling(Trainer.LearningRateScaling.CONSTANT, 4));
    var plan = TrainingPlan.of(config("learning_rate: 0.01\nlearning_rate_scaling: sqrt\n"), 100, 1);
    assertEquals(0.01, plan.learningRate(), 0); // one worker
    assertTrue(plan.learningRateReason().contains("sqrt"));
  }

  @Test
  void inconsistentEffectiveBatchSizeIsAConfigError() {
    Executable parse = () -> config("batch_size: 8\ngradient_accumulation_steps: 2\neffective_batch_size: 32\n");
    var e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, parse);
    assertTrue(e.getMessage().contains("trainer.effective_batch_size"), e.getMessage());
  }

  @Test
  void reduceEvalMetricMustBeTracked() {
    var e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> config(
        "learning_rate_scheduler: {reduce_on_plateau: 2, reduce_eval_split: training, reduce_eval_metric: accuracy}\n"));
    assertTrue(e.getMessage().contains("trainer.learning_rate_scheduler.reduce_eval_metric"), e.getMessage());
  }

  /** Ludwig's get_auto_learning_rate (ludwig/utils/heuristics.py at v0.10.4, lines 5-24), for every input type. */
  @Test
  void autoLearningRateFollowsLudwigsHeuristicForEveryInputType() {
    String out = "output_features: [{name: y, type: binary}]\n";
    java.util.function.Function<String, String> rate = inputs ->
        TrainingPlan.autoLearningRate(FidelioConfig.parse("input_features: " + inputs + "\n" + out))[0];
    assertEquals("1e-3", rate.apply("[{name: n, type: number}, {name: c, type: category}, {name: b, type: binary}]"));
    assertEquals("2e-5", rate.apply("[{name: t, type: text}]"), "a frozen pretrained text encoder");
    assertEquals("1e-5", rate.apply("[{name: t, type: text, encoder: {trainable: true}}]"));
    assertEquals("1e-5", rate.apply("[{name: i, type: image, encoder: {type: resnet}}]"), "resnet trains by default");
    assertEquals("2e-5", rate.apply("[{name: i, type: image, encoder: {type: resnet, trainable: false}}]"));
    assertEquals("1e-4", rate.apply("[{name: i, type: image, encoder: {type: resnet, use_pretrained: false}},"
        + " {name: n, type: number}]"), "nothing pretrained");
  }
}
