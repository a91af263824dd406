package org.fedcxr.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark profiles: one training task per executor, GPU variants with one GPU per task, no secrets. */
class SparkProfilesTest {
  static final List<String> PROFILES = List.of("local", "standalone", "yarn", "k8s", "standalone-gpu", "yarn-gpu",
      "k8s-gpu");

  static Map<String, String> load(String profile) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("spark-conf", profile, "spark-defaults.conf"))) {
      String[] kv = line.trim().split("\\s+", 2);
      if (kv.length == 2 && !kv[0].startsWith("#")) {
        out.put(kv[0], kv[1]);
      }
    }
    return out;
  }

  @Test
  void everyProfileExistsWithOneTrainingTaskPerExecutorAndNoCredentials() throws IOException {
    for (String profile : PROFILES) {
      Map<String, String> conf = load(profile);
      assertTrue(Files.exists(Path.of("spark-conf", profile, "log4j2.properties")), profile);
      assertEquals("magic", conf.get("spark.hadoop.fs.s3a.committer.name"), profile);
      if (!profile.equals("local")) {
        assertEquals(conf.get("spark.executor.cores"), conf.get("spark.task.cpus"), profile);
        assertEquals("false", conf.get("spark.speculation"), profile);
      }
      for (String key : conf.keySet()) {
        assertFalse(key.contains("access.key") || key.contains("secret.key") || key.contains("session.token"),
            profile + " sets " + key);
      }
      boolean gpu = profile.endsWith("-gpu");
      assertEquals(gpu ? "1" : null, conf.get("spark.executor.resource.gpu.amount"), profile);
      assertEquals(gpu ? "1" : null, conf.get("spark.task.resource.gpu.amount"), profile);
      if (gpu) {
        assertTrue(conf.get("spark.executor.resource.gpu.discoveryScript").endsWith("discover-gpus.sh"), profile);
        assertEquals("cu124", conf.get("spark.executorEnv.PYTORCH_FLAVOR"), profile);
      }
    }
  }

  @Test
  void theDiscoveryScriptReportsTheNodesGpusAsCudaIndices(@TempDir Path dir) throws Exception {
    Path smi = dir.resolve("nvidia-smi");
    Files.writeString(smi, "#!/usr/bin/env bash\nprintf '0\\n1\\n2\\n'\n");
    assertTrue(smi.toFile().setExecutable(true));
    assertEquals("{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\",\"2\"]}", discover(dir, null, 0));
    assertEquals("{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\"]}", discover(dir, "5,7", 0));
    Files.delete(smi);
    discover(dir, null, 1);
  }

  static String discover(Path path, String visible, int exit) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("spark-conf/discover-gpus.sh");
    pb.environment().put("PATH", path + ":/usr/bin:/bin");
    pb.environment().remove("CUDA_VISIBLE_DEVICES");
    if (visible != null) {
      pb.environment().put("CUDA_VISIBLE_DEVICES", visible);
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertEquals(exit, p.waitFor());
    return out;
  }
}
