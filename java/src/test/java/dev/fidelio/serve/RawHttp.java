package dev.fidelio.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 by hand, for what java.net.http will not send: chunked bodies of any size, a
 * Content-Length above 2^31, a body that stops arriving.
 */
final class RawHttp {
  /** The status, the raw answer, and how many body bytes the server accepted before it answered. */
  record Answer(int status, String text, long bytesSent) {}

  private RawHttp() {}

  /** Headers (each line without CRLF), then body bytes as chunks of 64 KiB until total or until the server stops reading. */
  static Answer chunked(int port, String path, String contentType, byte[] prefix, long total) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + contentType
          + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      long sent = 0;
      byte[] filler = new byte[64 * 1024];
      java.util.Arrays.fill(filler, (byte) 'a');
      try {
        writeChunk(out, prefix);
        sent += prefix.length;
        while (sent < total) {
          writeChunk(out, filler);
          sent += filler.length;
          if (socket.getInputStream().available() > 0) break;  // the server has answered
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (IOException e) {
        // the server closed the connection while we were still sending: its answer is what counts
      }
      return read(socket, sent);
    }
  }

  /** Exactly the given head (request line and headers) and body bytes, then waits for the answer. */
  static Answer send(int port, String head, byte[] body, int timeoutMillis) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(timeoutMillis);
      OutputStream out = socket.getOutputStream();
      out.write((head + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      return read(socket, body.length);
    }
  }

  private static void writeChunk(OutputStream out, byte[] chunk) throws IOException {
    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(chunk);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  private static Answer read(Socket socket, long sent) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) > 0; ) {
        answer.write(buffer, 0, n);
        String text = answer.toString(StandardCharsets.UTF_8);
        int headEnd = text.indexOf("\r\n\r\n");
        if (headEnd > 0 && text.endsWith("}")) break;  // a JSON error body is complete
      }
    } catch (SocketTimeoutException | java.net.SocketException e) {
      // what arrived is the answer
    }
    String text = answer.toString(StandardCharsets.UTF_8);
    if (!text.startsWith("HTTP/1.1 ")) throw new IOException("no HTTP answer; got '" + text + "'");
    return new Answer(Integer.parseInt(text.substring(9, 12)), text, sent);
  }
}
