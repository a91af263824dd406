package org.fedcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, run the way users run it: bin/fedcxr → Spark's SparkSubmit → org.fedcxr.cli.Main. */
class LauncherIT {
  @TempDir
  Path dir;

  record Run(int code, String out) {
  }

  private Run fedcxr(String... args) throws IOException, InterruptedException {
    return fedcxrWith(null, Map.of(), args);
  }

  private Run fedcxrWith(Path sparkHome, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bin/fedcxr"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("SPARK_HOME");
    pb.environment().keySet().removeIf(k -> k.startsWith("MALLOC_") || k.equals("FEDCXR_MALLOC"));
    pb.environment().putAll(env);
    if (sparkHome != null) {
      pb.environment().put("SPARK_HOME", sparkHome.toString());
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES));
    return new Run(p.exitValue(), out);
  }

  @Test
  void demoRunsRandomAndSslInitialisationSideBySideOnTheBundledSampleThroughSparkSubmit() throws Exception {
    Path out = dir.resolve("demo");
    Run run = fedcxr("demo", "--set", "output=" + out, "--set", "rounds=3");
    assertEquals(0, run.code(), run.out());
    assertTrue(run.out().contains("demo: ingest  400 images"), run.out());
    assertTrue(Files.exists(out.resolve("ingest/_SUCCESS")));
    assertTrue(Files.exists(out.resolve("partition/_SUCCESS")));
    assertTrue(Files.size(out.resolve("partition/charts/clients.png")) > 10_000);
    for (String init : List.of("random", "ssl")) {
      Path run1 = out.resolve("federate-" + init);
      assertTrue(Files.exists(run1.resolve("_SUCCESS")), init);
      assertTrue(Files.exists(run1.resolve("rounds/00003/_COMPLETE")), init);
      assertEquals(4, Files.readAllLines(run1.resolve("metrics.csv")).size(), init);
    }
    String ssl = Files.readString(out.resolve("federate-ssl/_SUMMARY.json"));
    assertTrue(ssl.contains("encoder-small-byol.safetensors"), "the SSL run starts from the shipped encoder");
    assertTrue(Files.size(out.resolve("compare/random-vs-ssl.png")) > 10_000);
    assertEquals(15, Files.readAllLines(out.resolve("compare/per_disease.csv")).size());
    Matcher m = Pattern.compile("random init (0\\.\\d+), SSL init (0\\.\\d+) \\(SSL - random ([+-]0\\.\\d+)")
        .matcher(run.out());
    assertTrue(m.find(), run.out());
    assertEquals(Double.parseDouble(m.group(2)) - Double.parseDouble(m.group(1)), Double.parseDouble(m.group(3)),
        1.5e-4);
    String compare = Files.readString(out.resolve("compare/_SUMMARY.json"));
    Matcher saved = Pattern.compile("\"ssl_mean_auc\" : ([0-9.]+)").matcher(compare);
    assertTrue(saved.find(), compare);
    assertEquals(Double.parseDouble(m.group(2)), Double.parseDouble(saved.group(1)), 5.01e-5);
    String summary = Files.readString(out.resolve("ingest/_SUMMARY.json"));
    assertTrue(summary.contains("\"images_ingested\" : 400"), summary);
    assertTrue(summary.contains("\"fedcxr_version\" : \"0.1.0-SNAPSHOT\""), summary);
    assertTrue(summary.contains("\"isa_cap\" : \"AVX2\""), "bin/fedcxr caps libtorch at AVX2 by default: " + summary);
    assertTrue(summary.contains("\"malloc\" : \"MALLOC_ARENA_MAX=1 MALLOC_MMAP_THRESHOLD_=268435456 "
        + "MALLOC_TOP_PAD_=67108864 MALLOC_TRIM_THRESHOLD_=4294967296\""),
        "bin/fedcxr tunes glibc's malloc: " + summary);

    // new images without a label table, scored with the demo's model (README's predict command)
    Path folder = Files.createDirectories(dir.resolve("new-xrays"));
    try (var files = Files.list(Path.of("data-catalog/nih-cxr14-bundled/images"))) {
      for (Path png : files.sorted().limit(10).toList()) {
        Files.copy(png, folder.resolve(png.getFileName()));
      }
    }
    Files.writeString(folder.resolve("broken.png"), "not an image");
    Run predict = fedcxr("predict", "--set", "weights=" + out.resolve("federate-ssl/final.safetensors"), "--set",
        "input=" + folder, "--set", "output=" + dir.resolve("predict"));
    assertEquals(0, predict.code(), predict.out());
    assertTrue(predict.out().contains("predict: 10 images scored, 1 quarantined {not_an_image=1}"), predict.out());
    assertTrue(Files.exists(dir.resolve("predict/_SUCCESS")));
  }

  @Test
  void withSparkHomeItHandsTheJobToThatSparkSubmit() throws Exception {
    Path home = dir.resolve("spark");
    Path argsFile = dir.resolve("args.txt");
    script(home.resolve("bin/spark-submit"), "printf '%s\\n' \"$@\" > " + argsFile + "\n");
    Run run = fedcxrWith(home, Map.of("MALLOC_ARENA_MAX", "4"), "ingest", "--set", "seed=3");
    assertEquals(0, run.code(), run.out());
    List<String> args = Files.readAllLines(argsFile);
    assertTrue(args.contains("spark.executorEnv.MALLOC_ARENA_MAX=4"), "a MALLOC_* variable set wins: " + args);
    assertTrue(args.contains("spark.executorEnv.MALLOC_TRIM_THRESHOLD_=4294967296"), args.toString());
    assertEquals("--properties-file", args.get(0));
    assertTrue(args.get(1).endsWith("spark-conf/local/spark-defaults.conf"), args.get(1));
    int cls = args.indexOf("--class");
    assertEquals("org.fedcxr.cli.Main", args.get(cls + 1));
    assertTrue(args.get(cls + 2).endsWith("target/fedcxr.jar"));
    assertEquals(List.of("ingest", "--set", "seed=3"), args.subList(cls + 3, args.size()));
  }

  @Test
  void launchersStartedTogetherBuildTheJarOnceAndEachRunsWithIt() throws Exception {
    Path root = dir.resolve("checkout");
    Files.createDirectories(root.resolve("bin"));
    Files.copy(Path.of("bin/fedcxr"), root.resolve("bin/fedcxr"));
    root.resolve("bin/fedcxr").toFile().setExecutable(true);
    Files.createDirectories(root.resolve("spark-conf/local"));
    Files.writeString(root.resolve("spark-conf/local/spark-defaults.conf"), "spark.master local[*]\n");
    Files.createDirectories(root.resolve("src/main"));
    Files.writeString(root.resolve("pom.xml"), "<project/>\n");
    Path builds = dir.resolve("builds.txt");
    Path tools = dir.resolve("tools");
    // a slow build that, like the shade plugin, leaves no jar while it runs
    script(tools.resolve("mvn"), "echo build >> " + builds + "\n"
        + "mkdir -p target && rm -f target/fedcxr.jar && sleep 2\n"
        + "touch target/fedcxr.jar target/spark-classpath.txt\n");
    script(dir.resolve("spark/bin/spark-submit"),
        "for a; do case $a in *.jar) [ -f \"$a\" ] || exit 7 ;; esac; done\n");
    List<Process> launchers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/fedcxr").toString(), "ingest")
          .redirectErrorStream(true);
      pb.environment().put("PATH", tools + ":" + pb.environment().get("PATH"));
      pb.environment().put("SPARK_HOME", dir.resolve("spark").toString());
      launchers.add(pb.start());
    }
    for (Process p : launchers) {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(1, TimeUnit.MINUTES));
      assertEquals(0, p.exitValue(), "each launcher hands a present jar to spark-submit: " + out);
    }
    assertEquals(List.of("build"), Files.readAllLines(builds));
  }

  /** Writes an executable bash script (a stand-in for a tool) at {@code path}. */
  private static void script(Path path, String body) throws IOException {
    Files.createDirectories(path.getParent());
    Files.writeString(path, "#!/usr/bin/env bash\n" + body);
    assertTrue(path.toFile().setExecutable(true), path.toString());
  }

  @Test
  void badSpecExitsTwoAndRuntimeFailureExitsOneWithoutOutput() throws Exception {
    Run bad = fedcxr("partition", "--set", "clients=0", "--set", "output=" + dir.resolve("p"));
    assertEquals(2, bad.code(), bad.out());
    assertTrue(bad.out().contains("'clients' has value '0'"), bad.out());
    Run fail = fedcxr("partition", "--set", "input=" + dir.resolve("missing"), "--set", "output=" + dir.resolve("p"));
    assertEquals(1, fail.code(), fail.out());
    assertTrue(fail.out().contains("is not a complete ingest output"), fail.out());
    assertFalse(Files.exists(dir.resolve("p")));
    Run malloc = fedcxrWith(null, Map.of("FEDCXR_MALLOC", "jemalloc"), "partition", "--set",
        "output=" + dir.resolve("p"));
    assertEquals(2, malloc.code(), malloc.out());
    assertTrue(malloc.out().contains("FEDCXR_MALLOC must be tuned or glibc, not 'jemalloc'"), malloc.out());
    assertFalse(Files.exists(dir.resolve("p")));
    // a bad thread setting fails each training job on its driver, before any input is read or output written
    for (String job : List.of("pretrain", "federate")) {
      Run threads = fedcxrWith(null, Map.of("FEDCXR_SUBMIT_ARGS", "--conf spark.fedcxr.training.threads=two"), job,
          "--set", "input=" + dir.resolve("missing"), "--set", "output=" + dir.resolve(job));
      assertEquals(1, threads.code(), threads.out());
      assertTrue(threads.out().contains("spark.fedcxr.training.threads must be a whole number from 1 to the "
          + "executor's"), threads.out());
      assertTrue(threads.out().contains("not 'two'"), threads.out());
      assertFalse(threads.out().contains("is not a complete"), "checked before the input: " + threads.out());
      assertFalse(Files.exists(dir.resolve(job)), job);
    }
  }
}
