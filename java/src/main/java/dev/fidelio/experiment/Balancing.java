package dev.fidelio.experiment;

import dev.fidelio.config.BinaryOutputFeature;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.Preprocessing;
import dev.fidelio.data.Table;
import dev.fidelio.features.BinaryLabels;
import dev.fidelio.features.TrainingSetMetadata;
import dev.fidelio.util.Log;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Ludwig's preprocessing.oversample_minority / undersample_majority ({@code balance_data} in
 * ludwig/data/preprocessing.py): the training split of a single binary output is resampled so the
 * minority class has {@code oversample_minority} x the majority's rows (drawn with replacement), or
 * the majority {@code minority / undersample_majority} rows (without). Validation and test keep
 * their rows, so metrics stay those of the real class balance. Rows whose target is missing or not a
 * label are left as they are; preprocessing drops them as usual.
 */
final class Balancing {
  private Balancing() {}

  /** The training rows to preprocess (repeats allowed), in their original order; {@code train} when off. */
  static int[] apply(FidelioConfig config, Table table, int[] train, TrainingSetMetadata metadata, long seed) {
    Preprocessing p = config.preprocessing();
    double over = p.oversampleMinority() == null ? 0 : p.oversampleMinority();
    double under = p.undersampleMajority() == null ? 0 : p.undersampleMajority();
    if (over == 0 && under == 0) return train;
    // The config check allows balancing only for one binary output, as Ludwig's does.
    BinaryOutputFeature target = (BinaryOutputFeature) config.outputFeatures().getFirst();
    BinaryLabels labels = metadata.binary(target.name());
    List<String> column = table.require(target.column(), table.source() + " (output feature '" + target.name() + "')");
    List<Integer> positives = new ArrayList<>(), negatives = new ArrayList<>(), other = new ArrayList<>();
    for (int row : train) {
      String cell = column.get(row);
      Boolean value = cell == null || cell.isBlank() ? null : labels.parse(cell);
      (value == null ? other : value ? positives : negatives).add(row);
    }
    boolean positiveMinority = positives.size() < negatives.size();
    List<Integer> minority = positiveMinority ? positives : negatives;
    List<Integer> majority = positiveMinority ? negatives : positives;
    if (minority.isEmpty()) {
      Log.warn("preprocessing: the training split has one class only; nothing to balance");
      return train;
    }
    Random random = new Random(seed);
    List<Integer> kept = new ArrayList<>(other);
    int minorityAfter = minority.size(), majorityAfter = majority.size();
    if (over > 0) {
      kept.addAll(majority);
      minorityAfter = (int) Math.round(majority.size() * over);
      for (int i = 0; i < minorityAfter; i++) kept.add(minority.get(random.nextInt(minority.size())));
    } else {
      kept.addAll(minority);
      majorityAfter = Math.min(majority.size(), (int) (minority.size() / under));
      List<Integer> shuffled = new ArrayList<>(majority);
      Collections.shuffle(shuffled, random);
      kept.addAll(shuffled.subList(0, majorityAfter));
    }
    int[] rows = kept.stream().mapToInt(Integer::intValue).toArray();
    Arrays.sort(rows);
    Log.info(String.format("preprocessing: training split balanced (%s): minority '%s' %d -> %d rows, majority %d -> %d",
        over > 0 ? "oversample_minority " + over : "undersample_majority " + under, labels.label(positiveMinority),
        minority.size(), minorityAfter, majority.size(), majorityAfter));
    return rows;
  }
}
