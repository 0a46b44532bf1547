package dev.fidelio.serve;

import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.BadMessageException;

/**
 * Reading a request's body, bounded, with every failure to read it answered as the client's fault:
 * 413 past the size limit, 408 when the body stalls past the idle timeout, 400 when it is not what
 * its content type says (a malformed multipart body).
 */
final class RequestBodies {
  /** A form's text fields and file parts, both read before any prediction work starts. */
  record Form(Map<String, List<String>> fields, Map<String, List<UploadedFile>> files) {}

  private RequestBodies() {}

  /**
   * The body's bytes, counted as they arrive: a chunked body (no Content-Length) is cut off with
   * 413 once it passes maxBytes, so at most maxBytes + 1 bytes are ever held.
   */
  static byte[] read(Context ctx, long maxBytes) {
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, maxBytes + 1));
      if (body.length > maxBytes) throw tooLarge(maxBytes);
      return body;
    } catch (IOException e) {
      throw clientFaultOr400(e);
    }
  }

  /** Fields a urlencoded body may hold (Jetty's own default for forms). */
  static final int MAX_FORM_KEYS = 1000;

  /**
   * The fields and files of a urlencoded or multipart body, both bounded by maxBytes as they
   * arrive. A urlencoded body is read here (Javalin would read it whole, checking only
   * Content-Length); a multipart body is parsed by Jetty, which counts the bytes it reads against
   * the multipart limits the server set.
   */
  static Form form(Context ctx, long maxBytes) {
    if (ctx.isMultipartFormData()) {
      try {
        return new Form(ctx.formParamMap(), ctx.uploadedFileMap());
      } catch (PredictionServer.Rejected e) {
        throw e;
      } catch (Exception e) {  // Javalin (Kotlin) passes Jetty's checked IOException/ServletException unwrapped
        throw clientFaultOr400(e);
      }
    }
    return new Form(urlencoded(new String(read(ctx, maxBytes), StandardCharsets.UTF_8)), Map.of());
  }

  private static Map<String, List<String>> urlencoded(String body) {
    Map<String, List<String>> fields = new LinkedHashMap<>();
    if (body.isEmpty()) return fields;
    String[] pairs = body.split("&", MAX_FORM_KEYS + 1);
    if (pairs.length > MAX_FORM_KEYS) {
      throw new PredictionServer.Rejected(413, null, "request too large: more than " + MAX_FORM_KEYS + " form fields");
    }
    try {
      for (String pair : pairs) {
        int eq = pair.indexOf('=');
        String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        fields.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
      }
    } catch (IllegalArgumentException e) {
      throw new PredictionServer.Rejected(400, null, "the urlencoded form is malformed: " + e.getMessage());
    }
    return fields;
  }

  private static PredictionServer.Rejected clientFaultOr400(Exception e) {
    PredictionServer.Rejected known = clientFault(e);
    return known != null ? known : new PredictionServer.Rejected(400, null, "the request body cannot be read as its"
        + " content type says: " + e.getMessage());
  }

  /**
   * The answer for an exception that reading the request raised, or null when it is the server's
   * fault. Jetty reports sizes and malformed bodies with these types and texts (Jetty 11).
   */
  static PredictionServer.Rejected clientFault(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException) {
        return new PredictionServer.Rejected(408, null, "the request body stopped arriving (idle timeout): "
            + t.getMessage());
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      // Jetty's multipart parser: "Request exceeds maxRequestSize (N)", "... exceeds max filesize",
      // "Form with too many parts [1001 > 1000]".
      if (m.contains("exceeds maxRequestSize") || m.contains("exceeds max filesize")
          || m.toLowerCase(java.util.Locale.ROOT).contains("too many parts")) {
        return new PredictionServer.Rejected(413, null, "request too large: " + m);
      }
      if (t instanceof BadMessageException bad) {
        return new PredictionServer.Rejected(bad.getCode() == 413 ? 413 : 400, null, "malformed request: "
            + bad.getReason());
      }
      if (m.contains("multipart") || m.contains("Multipart") || m.contains("multi part") || m.contains("boundary")) {
        return new PredictionServer.Rejected(400, null, "malformed multipart body: " + m);
      }
    }
    return null;
  }

  private static PredictionServer.Rejected tooLarge(long maxBytes) {
    return new PredictionServer.Rejected(413, null, "request body exceeds the limit of " + maxBytes + " bytes");
  }

  /** Why the server cannot listen, in words (Javalin says "Port already in use" for every bind failure). */
  static String bindProblem(Throwable e, String host, int port) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException) return "--host '" + host + "' is not a known host name or address";
      if (t instanceof BindException bind) {
        String m = String.valueOf(bind.getMessage());
        if (m.contains("Cannot assign requested address")) {
          return "--host " + host + " is not an address of this machine (0.0.0.0 listens on all of them)";
        }
        if (m.contains("in use")) return "port " + port + " is already in use; choose another with --port";
        if (m.contains("Permission denied")) return "no permission to listen on port " + port + " (ports below 1024 need root)";
        return m;
      }
    }
    return e.getMessage();
  }
}
