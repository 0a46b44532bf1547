package dev.fidelio.data;

import dev.fidelio.config.Split;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * preprocessing.split type {@code datetime}, as Ludwig's {@code DatetimeSplitter}: rows sorted by
 * their date (oldest first, ties in file order), the first share to training, the next to
 * validation, the newest to test, so the model is judged on a future it has not seen. Ludwig cuts at
 * {@code int(p x n)} rows and loses the few left over; here they go to test. Dates are read as
 * pandas' {@code to_datetime} reads the usual spellings: ISO dates and date-times (a 'T' or a space
 * between, optional seconds, fraction and offset), {@code yyyy/MM/dd} and US {@code MM/dd/yyyy}.
 */
final class DatetimeSplit {
  private static final List<DateTimeFormatter> DATES = List.of(DateTimeFormatter.ISO_LOCAL_DATE,
      DateTimeFormatter.ofPattern("yyyy/MM/dd"), DateTimeFormatter.ofPattern("M/d/yyyy"));
  private static final List<DateTimeFormatter> DATE_TIMES = List.of(DateTimeFormatter.ofPattern("yyyy/MM/dd H:mm[:ss]"),
      DateTimeFormatter.ofPattern("M/d/yyyy H:mm[:ss]"));

  private DatetimeSplit() {}

  static int[] assign(Table table, Split.Datetime split) {
    List<String> values = table.require(split.column(),
        table.source() + " (preprocessing.split.column for type 'datetime')");
    Instant[] times = new Instant[values.size()];
    for (int r = 0; r < times.length; r++) times[r] = parse(values.get(r), r, split.column(), table.source());
    // Stable: rows with the same time keep their file order.
    int[] byTime = IntStream.range(0, times.length).boxed().sorted(Comparator.comparing(r -> times[r]))
        .mapToInt(Integer::intValue).toArray();
    int n = byTime.length;
    int trainEnd = (int) (split.probabilities().get(0) * n);
    int validationEnd = trainEnd + (int) (split.probabilities().get(1) * n);
    int[] assignment = new int[n];
    for (int i = 0; i < n; i++) assignment[byTime[i]] = i < trainEnd ? 0 : i < validationEnd ? 1 : 2;
    return assignment;
  }

  static Instant parse(String value, int row, String column, String source) {
    String v = value == null ? "" : value.strip();
    String iso = v.replace(' ', 'T');
    try {
      return OffsetDateTime.parse(iso.endsWith("Z") ? iso.substring(0, iso.length() - 1) + "+00:00" : iso).toInstant();
    } catch (DateTimeParseException notOffset) {
      // next: without an offset (taken as UTC), other spellings, then dates alone (midnight)
    }
    try {
      return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException notIso) {
      // next spelling
    }
    for (DateTimeFormatter f : DATE_TIMES) {
      try {
        return LocalDateTime.parse(v, f).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        // next spelling
      }
    }
    for (DateTimeFormatter f : DATES) {
      try {
        return LocalDate.parse(v, f).atStartOfDay().toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        // next spelling
      }
    }
    throw new DataException(source + ": row " + (row + 1) + " (1-based, header excluded) has "
        + (value == null ? "no value" : "'" + value + "'") + " in datetime split column '" + column
        + "'; expected a date such as 2024-03-31, 2024-03-31 14:05:00, 2024-03-31T14:05:00+02:00 or 03/31/2024");
  }
}
