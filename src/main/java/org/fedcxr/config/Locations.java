package org.fedcxr.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Turns the locations written in specs and catalogs into Hadoop paths: URIs with a scheme (file:, hdfs://, s3a://)
 * are kept, plain paths resolve against a base directory (the working directory unless given).
 */
public final class Locations {
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:.*");

  private Locations() {
  }

  /** Whether the location names a scheme (s3a://bucket/x, file:/x) rather than a plain path. */
  public static boolean hasScheme(String location) {
    return SCHEME.matcher(location).matches();
  }

  /** The location as a URI string, plain paths resolved against {@code base}. */
  public static String resolve(String location, Path base) {
    String uri = hasScheme(location) ? location : base.resolve(location).toAbsolutePath().normalize().toUri().toString();
    return uri.length() > 1 && uri.endsWith("/") && !uri.endsWith(":/") && !uri.endsWith("//")
        ? uri.substring(0, uri.length() - 1) : uri;
  }

  /** The location as a URI string, plain paths resolved against the working directory. */
  public static String resolve(String location) {
    return resolve(location, Path.of("").toAbsolutePath());
  }

  static org.apache.hadoop.fs.Path path(String location) {
    return new org.apache.hadoop.fs.Path(URI.create(resolve(location)));
  }

  /** The project directory: FEDCXR_HOME (set by bin/fedcxr) or the working directory. */
  public static Path home() {
    String home = System.getenv("FEDCXR_HOME");
    return Path.of(home == null || home.isBlank() ? "" : home).toAbsolutePath();
  }
}
