package dev.fidelio.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.fidelio.api.InvalidInputException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * pandas' {@code split} orientation ({@code df.to_json(orient="split")}): {"columns": [...],
 * "index": [...], "data": [[...], ...]}, the format of Ludwig's /batch_predict in both directions.
 *
 * <p>Read as a stream, so that a request costs memory in proportion to what a prediction can use:
 * a cell that is a list or an object (no input feature takes one) is skipped unread and stands as
 * an empty one, which the row check then names; more rows than may wait is refused while reading.
 * A 9 MB body of 3 million empty lists kept 162 MB as a tree.
 */
final class SplitJson {
  private static final JsonFactory JSON = new JsonFactory();

  /** The rows of a dataset field, and its index (0..n-1 when absent). */
  record Frame(List<Object> index, List<Map<String, Object>> rows) {}

  private SplitJson() {}

  /** Throws InvalidInputException for a malformed field, MicroBatcher.TooManyRows past maxRows rows. */
  static Frame parse(String text, int maxRows) {
    List<String> names = null;
    List<Object> index = null;
    List<List<Object>> data = null;
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        p.skipChildren();  // a syntax error in it is the first thing to say
        throw bad("must be a JSON object {\"columns\": [...], \"data\": [[...]]}");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "columns" -> names = columns(p, value);
          case "index" -> index = value == JsonToken.VALUE_NULL ? null : scalars(p, value, "\"index\"");
          case "data" -> data = rows(p, value, maxRows);
          default -> p.skipChildren();
        }
      }
      if (p.nextToken() != null) throw bad("is not valid JSON: more after the object");
    } catch (IOException e) {
      throw bad("is not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
          ? j.getOriginalMessage() : e.getMessage()));
    }
    if (names == null) throw bad("needs \"columns\": a list of column names");
    if (data == null) throw bad("needs \"data\": a list of rows, each a list of values");
    List<Map<String, Object>> rows = new ArrayList<>(data.size());
    for (int r = 0; r < data.size(); r++) {
      List<Object> row = data.get(r);
      if (row == null || row.size() != names.size()) {
        throw bad("row " + r + " of \"data\" must be a list of " + names.size() + " values (one per column), got "
            + (row == null ? "something else" : row.size() + " values"));
      }
      Map<String, Object> values = new LinkedHashMap<>();
      for (int c = 0; c < names.size(); c++) values.put(names.get(c), row.get(c));
      rows.add(values);
    }
    if (index == null) {
      index = new ArrayList<>();
      for (int r = 0; r < rows.size(); r++) index.add(r);
    } else if (index.size() != rows.size()) {
      throw bad("\"index\" must be a list of " + rows.size() + " labels (one per row)");
    }
    return new Frame(index, rows);
  }

  private static List<String> columns(JsonParser p, JsonToken value) throws IOException {
    if (value != JsonToken.START_ARRAY) throw bad("needs \"columns\": a list of column names");
    List<String> names = new ArrayList<>();
    for (JsonToken t; (t = p.nextToken()) != JsonToken.END_ARRAY; ) {
      if (t != JsonToken.VALUE_STRING) throw bad("\"columns\" must hold strings, got " + describe(t));
      names.add(p.getText());
    }
    return names;
  }

  private static List<Object> scalars(JsonParser p, JsonToken value, String what) throws IOException {
    if (value != JsonToken.START_ARRAY) throw bad(what + " must be a list");
    List<Object> out = new ArrayList<>();
    for (JsonToken t; (t = p.nextToken()) != JsonToken.END_ARRAY; ) out.add(cell(p, t));
    return out;
  }

  /** Each row's cells; a row that is not a list is null (named with its position later). */
  private static List<List<Object>> rows(JsonParser p, JsonToken value, int maxRows) throws IOException {
    if (value != JsonToken.START_ARRAY) throw bad("needs \"data\": a list of rows, each a list of values");
    List<List<Object>> rows = new ArrayList<>();
    for (JsonToken t; (t = p.nextToken()) != JsonToken.END_ARRAY; ) {
      if (rows.size() == maxRows) {
        throw new MicroBatcher.TooManyRows("form field 'dataset' holds more than the " + maxRows + " rows that may"
            + " wait (--max_queue_rows); send them in several requests");
      }
      if (t == JsonToken.START_ARRAY) {
        rows.add(scalars(p, t, "a row"));
      } else {
        p.skipChildren();
        rows.add(null);
      }
    }
    return rows;
  }

  /**
   * A scalar as Java value; a list or object is skipped unread and stands as an empty one (so a
   * body of millions of nested lists costs no memory). Also reads /predict's JSON values.
   */
  static Object cell(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getNumberValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      case START_ARRAY -> {
        p.skipChildren();
        yield List.of();
      }
      case START_OBJECT -> {
        p.skipChildren();
        yield Map.of();
      }
      default -> throw bad("holds an unexpected " + describe(t));
    };
  }

  private static String describe(JsonToken t) {
    return switch (t) {
      case START_ARRAY -> "a list";
      case START_OBJECT -> "an object";
      case VALUE_NULL -> "null";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      default -> t.toString();
    };
  }

  /** The answer: the request's index, the prediction columns, one list of values per row. */
  static Map<String, Object> write(List<Object> index, List<String> columns, List<Map<String, Object>> rows) {
    List<List<Object>> data = new ArrayList<>(rows.size());
    for (Map<String, Object> row : rows) data.add(new ArrayList<>(row.values()));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("index", index);
    out.put("columns", columns);
    out.put("data", data);
    return out;
  }

  private static InvalidInputException bad(String problem) {
    return new InvalidInputException(null, "form field 'dataset' " + problem);
  }
}
