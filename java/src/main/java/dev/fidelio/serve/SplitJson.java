package dev.fidelio.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.api.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * pandas' {@code split} orientation ({@code df.to_json(orient="split")}): {"columns": [...],
 * "index": [...], "data": [[...], ...]}, the format of Ludwig's /batch_predict in both directions.
 */
final class SplitJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The rows of a dataset field, and its index (0..n-1 when absent). */
  record Frame(List<Object> index, List<Map<String, Object>> rows) {}

  private SplitJson() {}

  static Frame parse(String text) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw bad("is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) throw bad("must be a JSON object {\"columns\": [...], \"data\": [[...]]}");
    JsonNode columns = root.get("columns");
    JsonNode data = root.get("data");
    if (columns == null || !columns.isArray()) throw bad("needs \"columns\": a list of column names");
    if (data == null || !data.isArray()) throw bad("needs \"data\": a list of rows, each a list of values");
    List<String> names = new ArrayList<>();
    for (JsonNode c : columns) {
      if (!c.isTextual()) throw bad("\"columns\" must hold strings, got " + c);
      names.add(c.asText());
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int r = 0; r < data.size(); r++) {
      JsonNode row = data.get(r);
      if (!row.isArray() || row.size() != names.size()) {
        throw bad("row " + r + " of \"data\" must be a list of " + names.size() + " values (one per column), got "
            + (row.isArray() ? row.size() + " values" : row.getNodeType().toString().toLowerCase()));
      }
      Map<String, Object> values = new LinkedHashMap<>();
      for (int c = 0; c < names.size(); c++) values.put(names.get(c), JSON.convertValue(row.get(c), Object.class));
      rows.add(values);
    }
    List<Object> index = new ArrayList<>();
    JsonNode given = root.get("index");
    if (given == null || given.isNull()) {
      for (int r = 0; r < rows.size(); r++) index.add(r);
    } else {
      if (!given.isArray() || given.size() != rows.size()) {
        throw bad("\"index\" must be a list of " + rows.size() + " labels (one per row)");
      }
      for (JsonNode i : given) index.add(JSON.convertValue(i, Object.class));
    }
    return new Frame(index, rows);
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
