package dev.fidelio.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * CSV and TSV (RFC 4180: quoted fields may hold delimiters, doubled quotes and line breaks), UTF-8
 * with or without a byte-order mark. An empty field, or one of pandas' default NA spellings, is
 * null (missing), as pandas' read_csv (and so Ludwig) reads it; header names are taken as written.
 */
final class CsvReader {
  private static final CsvMapper MAPPER = new CsvMapper();
  private static final Set<String> PANDAS_NA = Set.of("#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN",
      "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null");

  private CsvReader() {}

  static Table read(Path path, char delimiter) {
    CsvSchema schema = CsvSchema.emptySchema().withColumnSeparator(delimiter).withQuoteChar('"');
    try (Reader in = utf8(path);
        CsvParser parser = (CsvParser) MAPPER.reader(schema)
            .with(CsvParser.Feature.WRAP_AS_ARRAY)
            .with(CsvParser.Feature.SKIP_EMPTY_LINES)
            .createParser(in)) {
      TableBuilder table = null;
      List<String> row = new ArrayList<>();
      long rowLine = 0;
      // Tokens: [ [cell, cell, ...] [cell, ...] ... ] -- an outer array wraps the rows.
      int depth = 0;
      for (JsonToken t; (t = parser.nextToken()) != null; ) {
        if (t == JsonToken.START_ARRAY && ++depth == 2) {
          row.clear();
        } else if (t == JsonToken.VALUE_STRING) {
          if (row.isEmpty()) { // the row's start token is located at the previous line's end
            rowLine = parser.currentTokenLocation().getLineNr();
          }
          String v = parser.getText();
          boolean inHeader = table == null;
          row.add(v.isEmpty() || !inHeader && PANDAS_NA.contains(v) ? null : v);
        } else if (t == JsonToken.END_ARRAY && depth-- == 2) {
          if (table == null) {
            table = new TableBuilder(path.toString(), row);
          } else {
            table.addRow(row, rowLine);
          }
        }
      }
      if (table == null) {
        throw new DataException(path + ": has no header line (the file holds only blank lines or a byte-order mark)");
      }
      return table.build();
    } catch (CharacterCodingException e) {
      throw new DataException(path + ": is not valid UTF-8 text (" + e + "); re-save it as UTF-8", e);
    } catch (JsonProcessingException e) {
      throw new DataException(path + ": malformed " + (delimiter == '\t' ? "TSV" : "CSV") + " at line "
          + e.getLocation().getLineNr() + ": " + e.getOriginalMessage().strip()
          + (e.getOriginalMessage().contains("closing quote")
              ? " (a quote opened earlier is never closed, so the rest of the file was read as one field)" : ""), e);
    } catch (IOException e) {
      throw new DataException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** A strict UTF-8 reader (bad bytes are an error, not U+FFFD) that skips a leading BOM. */
  private static Reader utf8(Path path) throws IOException {
    var decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(path), decoder), 1 << 16);
    r.mark(1);
    if (r.read() != '\uFEFF') {
      r.reset();
    }
    return r;
  }
}
