package org.fedcxr.testing;

import org.apache.spark.sql.SparkSession;

/** A small local Spark session for tests (2 threads, no UI); callers stop it in {@code @AfterAll}. */
public final class SparkTests {
  private SparkTests() {
  }

  public static SparkSession start() {
    return SparkSession.builder()
        .master("local[2]")
        .appName("fedcxr-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
  }
}
