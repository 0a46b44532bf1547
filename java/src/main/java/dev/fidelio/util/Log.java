package dev.fidelio.util;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** Progress and warnings for the person at the terminal: stderr, one line each, time-stamped. */
public final class Log {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  private Log() {}

  public static void info(String message) {
    System.err.println(LocalTime.now().format(TIME) + " " + message);
  }

  public static void warn(String message) {
    System.err.println(LocalTime.now().format(TIME) + " WARNING " + message);
  }
}
