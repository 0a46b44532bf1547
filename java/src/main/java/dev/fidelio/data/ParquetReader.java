package dev.fidelio.data;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;

/**
 * Parquet through an in-memory DuckDB: a pure-Maven dependency that reads Parquet without Hadoop.
 * Every cell comes back as DuckDB's text for it (numbers as written, lists as [1, 2], nulls as null).
 */
final class ParquetReader {
  private ParquetReader() {}

  static Table read(Path path) {
    // Parquet support is built into DuckDB; forbid extension downloads so reading stays offline.
    Properties offline = new Properties();
    offline.setProperty("autoinstall_known_extensions", "false");
    offline.setProperty("autoload_known_extensions", "false");
    String literal = "'" + path.toAbsolutePath().toString().replace("'", "''") + "'";
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:", offline);
        Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM read_parquet(" + literal + ")")) {
      ResultSetMetaData meta = rs.getMetaData();
      List<String> names = new ArrayList<>();
      List<List<String>> columns = new ArrayList<>();
      var seen = new HashSet<String>();
      for (int c = 1; c <= meta.getColumnCount(); c++) {
        String name = meta.getColumnLabel(c);
        if (!seen.add(name)) {
          throw new DataException(path + ": duplicate column name '" + name + "'; column names must be unique");
        }
        names.add(name);
        columns.add(new ArrayList<>());
      }
      while (rs.next()) {
        for (int c = 0; c < names.size(); c++) {
          columns.get(c).add(rs.getString(c + 1));
        }
      }
      if (names.isEmpty()) {
        throw new DataException(path + ": the parquet file has no columns");
      }
      if (columns.get(0).isEmpty()) {
        throw new DataException(path + ": has columns (" + String.join(", ", names) + ") but no data rows");
      }
      return new Table(path.toString(), names, columns);
    } catch (SQLException e) {
      throw new DataException(path + ": cannot read as parquet (corrupt or not a parquet file?): "
          + firstLine(e.getMessage()), e);
    }
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }
}
