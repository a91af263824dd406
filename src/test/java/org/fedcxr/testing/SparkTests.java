package org.fedcxr.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * A small local Spark session for tests (2 threads, no UI) with the settings of the {@code local} Spark profile that
 * {@code bin/fedcxr} uses (so a setting that breaks the jobs breaks the tests); callers stop it in {@code @AfterAll}.
 */
public final class SparkTests {
  private SparkTests() {
  }

  public static SparkSession start() {
    return start("local[2]");
  }

  /** A session on the given local master, e.g. {@code local[2,4]} (4 attempts per task). */
  public static SparkSession start(String master) {
    SparkSession.Builder builder = SparkSession.builder();
    try {
      for (String line : Files.readAllLines(Path.of("spark-conf/local/spark-defaults.conf"))) {
        String[] kv = line.trim().split("\\s+", 2);
        if (kv.length == 2 && kv[0].startsWith("spark.") && !kv[0].equals("spark.master")
            && !kv[0].endsWith("extraJavaOptions")) {
          builder.config(kv[0], kv[1]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return builder
        .master(master)
        .appName("fedcxr-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
  }
}
