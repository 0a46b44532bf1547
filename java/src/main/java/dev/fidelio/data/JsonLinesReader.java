package dev.fidelio.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON Lines: one object per line. Columns appear in first-seen order; a key missing from a row is
 * null there (as pandas' read_json(lines=True) does). Scalars become their text; arrays and
 * objects become their JSON text, for the feature that wants them (e.g. a vector or set feature).
 */
final class JsonLinesReader {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION) // {"a":1,"a":2} is an error, not "2"
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS) // "0.1" stays "0.1", 1e400 stays finite
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS); // two objects on one line is an error

  private JsonLinesReader() {}

  static Table read(Path path) {
    Map<String, List<String>> columns = new LinkedHashMap<>();
    int rows = 0;
    long lineNr = 0;
    try (BufferedReader in = Files.newBufferedReader(path)) { // strict UTF-8
      for (String line; (line = in.readLine()) != null; ) {
        lineNr++;
        if (lineNr == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        if (line.isBlank()) {
          continue;
        }
        JsonNode node = parse(path, line, lineNr);
        if (!node.isObject()) {
          throw new DataException(path + ": line " + lineNr + " is a JSON " + node.getNodeType().name().toLowerCase()
              + ", expected an object like {\"text\": \"...\", \"label\": \"...\"}");
        }
        for (var field : node.properties()) {
          List<String> col = columns.computeIfAbsent(field.getKey(), k -> new ArrayList<>());
          while (col.size() < rows) { // a column first seen now was null in earlier rows
            col.add(null);
          }
          col.add(cellText(field.getValue()));
        }
        rows++;
        for (List<String> col : columns.values()) {
          if (col.size() < rows) {
            col.add(null);
          }
        }
      }
    } catch (CharacterCodingException e) {
      throw new DataException(path + ": is not valid UTF-8 text near line " + (lineNr + 1) + "; re-save it as UTF-8", e);
    } catch (IOException e) {
      throw new DataException("cannot read " + path + ": " + e.getMessage(), e);
    }
    if (rows == 0) {
      throw new DataException(path + ": holds no JSON objects (only blank lines)");
    }
    if (columns.isEmpty()) {
      throw new DataException(path + ": every object is empty ({}), so there are no columns");
    }
    return new Table(path.toString(), new ArrayList<>(columns.keySet()), new ArrayList<>(columns.values()));
  }

  private static JsonNode parse(Path path, String line, long lineNr) {
    try {
      return MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      String what = e.getOriginalMessage().startsWith("Duplicate field") ? "duplicate key" : "invalid JSON";
      throw new DataException(path + ": " + what + " on line " + lineNr + " (column "
          + e.getLocation().getColumnNr() + "): " + e.getOriginalMessage(), e);
    }
  }

  private static String cellText(JsonNode v) {
    if (v.isNull() || v.isMissingNode()) {
      return null;
    }
    return v.isValueNode() ? v.asText() : v.toString();
  }
}
