package org.fedcxr.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Spark JVM flags are written in three places; they must agree. */
class JvmFlagsTest {
  @Test
  void pomAndEverySparkProfileCarryTheFlagsOfSparkConfJvmFlags() throws IOException {
    List<String> flags = Files.readAllLines(Path.of("spark-conf/jvm-flags")).stream()
        .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    assertFalse(flags.isEmpty());
    String pom = Files.readString(Path.of("pom.xml"));
    try (var profiles = Files.list(Path.of("spark-conf"))) {
      for (Path p : profiles.filter(Files::isDirectory).toList()) {
        String conf = Files.readString(p.resolve("spark-defaults.conf"));
        for (String flag : flags) {
          assertTrue(pom.contains(flag), "pom.xml lacks " + flag);
          for (String key : List.of("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions")) {
            String line = conf.lines().filter(l -> l.startsWith(key)).findFirst().orElse("");
            assertTrue(line.contains(flag), p + " " + key + " lacks " + flag);
            assertTrue(line.contains("-Dai.djl.offline=true"), p + " " + key + " lacks DJL offline");
          }
        }
      }
    }
  }
}
