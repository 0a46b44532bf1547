package dev.fidelio.serve;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the server's own paths out of what a client reads: error texts from preprocessing name the
 * files they read (an upload's temporary copy, the image root, the working folder), which would
 * tell a remote client how the server's disk is laid out. Each known path is replaced by what the
 * client knows it as (the upload's file name) or by a neutral word.
 */
final class ServerPaths {
  private final Map<String, String> replacements = new LinkedHashMap<>();

  ServerPaths(Path imageRoot) {
    if (imageRoot != null) put(imageRoot, "<image root>");
    put(Path.of(System.getProperty("java.io.tmpdir")), "<temp>");
    put(Path.of("").toAbsolutePath(), "<server>");
    put(Path.of(System.getProperty("user.home")), "<server>");
  }

  private ServerPaths(Map<String, String> replacements) {
    this.replacements.putAll(replacements);
  }

  /** A copy that also names each uploaded file's temporary copy by the client's file name. */
  ServerPaths with(Map<Path, String> uploads) {
    ServerPaths copy = new ServerPaths(replacements);
    uploads.forEach((file, clientName) -> copy.put(file, "upload '" + clientName + "'"));
    return copy;
  }

  private void put(Path path, String replacement) {
    replacements.put(path.toAbsolutePath().normalize().toString(), replacement);
    try {
      replacements.put(path.toRealPath().toString(), replacement);
    } catch (java.io.IOException | SecurityException e) {
      // not there (yet): its absolute form is the one messages can hold
    }
  }

  /** message with every known server path (longest first, so a file wins over its folder) replaced. */
  String hide(String message) {
    if (message == null) return null;
    List<String> paths = new ArrayList<>(replacements.keySet());
    paths.sort(Comparator.comparingInt(String::length).reversed());
    String out = message;
    for (String path : paths) {
      if (path.length() > 1) out = out.replace(path, replacements.get(path));
    }
    return out;
  }
}
