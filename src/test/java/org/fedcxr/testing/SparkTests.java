package org.fedcxr.testing;

import org.apache.spark.sql.SparkSession;

/** A small local Spark session for tests (2 threads, no UI); callers stop it in {@code @AfterAll}. */
public final class SparkTests {
  private SparkTests() {
  }

  public static SparkSession start() {
    return start("local[2]");
  }

  /** A session on the given local master, e.g. {@code local[2,4]} (4 attempts per task). */
  public static SparkSession start(String master) {
    return SparkSession.builder()
        .master(master)
        .appName("fedcxr-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
  }
}
