package org.fedcxr.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.fedcxr.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark standalone cluster on loopback (a Master and two Workers, each its own JVM; executors are JVMs the
 * Workers launch), made from the Spark jars Maven resolved, and the packaged jar submitted to it by bin/fedcxr through
 * Spark's SparkSubmit. The federated result equals local mode's, also when an executor or a Worker is killed mid-round
 * or the driver is killed and the run resumed. Every process started here is stopped at the end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  static final int CLIENTS = 4;
  @TempDir
  static Path dir;
  static final List<Process> STARTED = new ArrayList<>();
  static String master;
  static Process worker2;
  static float[] expected;

  @BeforeAll
  static void startClusterAndPrepareData() throws Exception {
    Path sparkHome = dir.resolve("spark");
    Path jars = Files.createDirectories(sparkHome.resolve("jars"));
    for (String entry : Files.readString(Path.of("target/spark-classpath.txt")).trim().split(File.pathSeparator)) {
      Path jar = Path.of(entry);
      // the AWS SDK bundle carries its own SLF4J 1.x classes; in a jars/* wildcard it may win over SLF4J 2 and
      // silence the daemons' logs. The cluster test reads no s3a:// path, so it leaves the bundle out.
      if (entry.endsWith(".jar") && !jar.getFileName().toString().startsWith("bundle-")
          && !Files.exists(jars.resolve(jar.getFileName()))) {
        Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar);
      }
    }
    int port = freePort();
    master = "spark://127.0.0.1:" + port;
    Process m = java(sparkHome, "master", "127.0.0.1", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
        "--port", Integer.toString(port), "--webui-port", Integer.toString(freePort()));
    awaitLog(dir.resolve("master.log"), "I have been elected leader", m);
    for (int i = 1; i <= 2; i++) {
      String host = "127.0.0." + (i + 1);
      Process w = java(sparkHome, "worker" + i, host, "org.apache.spark.deploy.worker.Worker", master, "--host", host,
          "--cores", "1", "--memory", "2g", "--work-dir", dir.resolve("work" + i).toString(), "--webui-port",
          Integer.toString(freePort()));
      awaitLog(dir.resolve("worker" + i + ".log"), "Successfully registered with master", w);
      if (i == 2) {
        worker2 = w;
      }
    }
    run(null, "synthesize", "--set", "output=" + dir.resolve("synthetic"), "--set", "count=120", "--set",
        "image_size=64");
    Path catalog = Files.createDirectories(dir.resolve("catalog"));
    Files.writeString(catalog.resolve("synthetic.yaml"), "format: nih\nlocation: " + dir.resolve("synthetic/data")
        + "\nimages: images\nlabel_table: Data_Entry_2017.csv\nglob: \"*.png\"\nlabels: "
        + TestCatalog.NIH_LABELS + "\n");
    run(null, "ingest", "--set", "dataset=synthetic", "--set", "catalog=" + catalog, "--set",
        "output=" + dir.resolve("ingest"), "--set", "image_size=32", "--set", "split.server=0.1", "--set",
        "split.client=0.6", "--set", "split.test=0.3");
    run(null, "partition", "--set", "input=" + dir.resolve("ingest"), "--set", "output=" + dir.resolve("partition"),
        "--set", "clients=" + CLIENTS);
    run(null, federate("local"));
    expected = FederateJobTest.weights(dir.resolve("local/final.safetensors"));
  }

  @AfterAll
  static void stopEverything() {
    for (Process p : STARTED) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    ProcessHandle.allProcesses().filter(h -> h.info().commandLine().orElse("").contains(dir.toString()))
        .forEach(ProcessHandle::destroyForcibly);
  }

  @Test
  @Order(1)
  void federateOnTheClusterGivesTheLocalWeights() throws Exception {
    String out = run(master, federate("cluster"));
    assertTrue(out.contains("federate: round 3/3  clients " + CLIENTS + "/" + CLIENTS + " ok, 0 dropped"), out);
    assertArrayEquals(expected, FederateJobTest.weights(dir.resolve("cluster/final.safetensors")));
    assertTrue(executorsRan(), "the tasks ran in executor JVMs the Workers launched");
    try (var logs = Files.list(dir.resolve("spark-events"))) {
      assertTrue(logs.anyMatch(p -> p.getFileName().toString().contains("app-")),
          "the standalone profile writes an event log for the History Server where FEDCXR_EVENT_LOG_DIR says");
    }
  }

  @Test
  @Order(2)
  void anExecutorKilledMidRoundChangesNothing() throws Exception {
    faultMidRoundChangesNothing("executor-killed", 3, () -> runningATask(dir.resolve("work1"), dir.resolve("work2"))
        .destroyForcibly());
  }

  @Test
  @Order(3)
  void theDriverKilledMidRunThenResumedGivesTheSameWeights() throws Exception {
    Process driver = submit(master, "driver-killed", federate("driver-killed"));
    awaitLog(dir.resolve("driver-killed.log"), "federate: round 1/3", driver);
    driver.descendants().forEach(ProcessHandle::destroyForcibly);
    driver.destroyForcibly();
    driver.waitFor(30, TimeUnit.SECONDS);
    assertTrue(!Files.exists(dir.resolve("driver-killed/_SUCCESS")), "a killed run is not complete");
    List<String> resume = new ArrayList<>(List.of("federate", "--resume"));
    resume.addAll(List.of(federate("driver-killed")).subList(1, federate("driver-killed").length));
    String out = run(master, resume.toArray(String[]::new));
    assertTrue(out.contains("federate: round 3/3"), out);
    assertEveryRoundHadEveryClientOnce("driver-killed");
    assertArrayEquals(expected, FederateJobTest.weights(dir.resolve("driver-killed/final.safetensors")));
  }

  @Test
  @Order(4)
  void aWorkerKilledForGoodMidRoundChangesNothing() throws Exception {
    faultMidRoundChangesNothing("worker-killed", 1, () -> {
      runningATask(dir.resolve("work2"));
      worker2.descendants().forEach(ProcessHandle::destroyForcibly);
      worker2.destroyForcibly();
    });
  }

  /**
   * Submits a run and applies {@code fault} once round 1 is done and an executor is running a round-2 task; the
   * driver must report the executor lost and the result must not change. The run's event log must show a task lost
   * with the executor (so a task ran again): the fault is seen from outside the executor, so the task it aims at may
   * finish first; up to {@code attempts} runs are made until one loses a task, and every run must give the same
   * weights.
   */
  static void faultMidRoundChangesNothing(String name, int attempts, Runnable fault) throws Exception {
    List<Path> lostNothing = new ArrayList<>();
    for (int attempt = 1; attempt <= attempts; attempt++) {
      String run = attempts == 1 ? name : name + "-" + attempt;
      Set<Path> logsBefore = eventLogs();
      Process driver = submit(master, run, federate(run));
      awaitLog(dir.resolve(run + ".log"), "federate: round 1/3", driver);
      fault.run();
      String out = finish(driver, run);
      assertTrue(out.contains("Lost executor"), "an executor was lost:\n" + out);
      assertTrue(out.contains("federate: round 3/3  clients " + CLIENTS + "/" + CLIENTS + " ok, 0 dropped"), out);
      assertEveryRoundHadEveryClientOnce(run);
      assertArrayEquals(expected, FederateJobTest.weights(dir.resolve(run).resolve("final.safetensors")));
      // an executor killed alone fails its task with ExecutorLostFailure; a Worker lost for good also takes the
      // shuffle output its executor held, which later tasks may report as FetchFailed; either way a task is retried.
      // The run's event log records every task's end reason (the driver's console logs a task lost with its Worker
      // at INFO only, below the profile's level).
      Set<Path> runLogs = eventLogs();
      runLogs.removeAll(logsBefore);
      assertEquals(1, runLogs.size(), "the run wrote one event log: " + runLogs);
      if (TASK_LOST.matcher(eventLogText(runLogs.iterator().next())).find()) {
        return;
      }
      lostNothing.addAll(runLogs);
    }
    throw new AssertionError("no run lost a task with the executor (no task end reason ExecutorLostFailure or "
        + "FetchFailed in " + lostNothing + ")");
  }

  /** A task end in a Spark event log whose reason is the loss of its executor or of the shuffle output it held. */
  static final Pattern TASK_LOST = Pattern.compile("\"Reason\"\\s*:\\s*\"(ExecutorLostFailure|FetchFailed)\"");

  /** The applications' event logs (one entry per application) in the directory the cluster runs write to. */
  static Set<Path> eventLogs() throws IOException {
    try (var logs = Files.list(dir.resolve("spark-events"))) {
      return logs.collect(Collectors.toCollection(HashSet::new));
    } catch (NoSuchFileException e) {
      return new HashSet<>();
    }
  }

  /** The JSON events of one application's event log (a file, or a directory of rolled files). */
  static String eventLogText(Path log) throws IOException {
    try (var files = Files.walk(log)) {
      StringBuilder text = new StringBuilder();
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        text.append(Files.readString(f, StandardCharsets.UTF_8));
      }
      return text.toString();
    }
  }

  /** metrics.csv: every round counted each client once (no update lost, none counted twice). */
  static void assertEveryRoundHadEveryClientOnce(String out) throws IOException {
    List<String> rows = Files.readAllLines(dir.resolve(out).resolve("metrics.csv"));
    assertEquals(4, rows.size());
    for (String row : rows.subList(1, rows.size())) {
      String[] c = row.split(",");
      assertEquals(Integer.toString(CLIENTS), c[1], row);
      assertEquals("0", c[2], row);
    }
  }

  /**
   * The federate run every test submits. 24 local epochs make a warm round's client task last 0.2-1.6 s, not
   * 0.08-0.44 s as with 4: the kill tests kill an executor tens of milliseconds after its log shows a task starting,
   * and with 4 epochs a CI run once found the task already done (no task lost, nothing retried).
   */
  static String[] federate(String out) {
    return new String[] {"federate", "--set", "input=" + dir.resolve("partition"), "--set",
        "test=" + dir.resolve("ingest"), "--set", "output=" + dir.resolve(out), "--set", "architecture=small",
        "--set", "rounds=3", "--set", "local_epochs=24", "--set", "batch_size=8", "--set", "learning_rate=0.003"};
  }

  static boolean executorsRan() throws IOException {
    try (var s = Files.walk(dir.resolve("work1"))) {
      return s.anyMatch(p -> p.getFileName().toString().equals("stderr"));
    }
  }

  /**
   * Waits until a live executor launched under one of the Workers' work directories starts a task (its log,
   * {@code <work>/<app>/<executor>/stderr}, shows a task started since this call began and not finished) and returns
   * that executor's process: only the executors this test's Workers launched, never another program's. A task
   * already running at the call may be about to finish, so only a task seen starting counts: it is in flight when
   * the caller kills the process. Fails after two minutes.
   */
  static ProcessHandle runningATask(Path... workDirs) {
    Pattern task = Pattern.compile("(Running|Finished) task .* \\(TID (\\d+)\\)");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    Set<String> before = null; // the tasks already started when this call began
    while (System.nanoTime() < deadline) {
      Set<String> started = new HashSet<>();
      for (Path work : workDirs) {
        List<Path> logs;
        try (var files = Files.walk(work)) {
          logs = files.filter(f -> f.getFileName().toString().equals("stderr")).toList();
        } catch (IOException e) {
          continue; // the work directory is not there yet
        }
        for (Path log : logs) {
          String executor = log.getParent().getFileName().toString();
          String app = log.getParent().getParent().getFileName().toString();
          Set<String> running = new HashSet<>();
          try {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
              Matcher m = task.matcher(line);
              if (!m.find()) {
                continue;
              }
              String id = app + "/" + m.group(2); // task ids are unique within an application
              if (m.group(1).equals("Running")) {
                running.add(id);
                started.add(id);
              } else {
                running.remove(id);
              }
            }
          } catch (IOException e) {
            continue;
          }
          if (before == null) {
            continue; // the first look only records what had started already
          }
          running.removeAll(before);
          if (running.isEmpty()) {
            continue;
          }
          Optional<ProcessHandle> process = STARTED.stream().flatMap(Process::descendants).filter(h -> {
            String cmd = h.info().commandLine().orElse("");
            return cmd.contains("CoarseGrainedExecutorBackend") && cmd.contains("--app-id " + app)
                && cmd.contains("--executor-id " + executor + " ");
          }).findFirst();
          if (process.isPresent() && process.get().isAlive()) {
            return process.get();
          }
        }
      }
      if (before == null) {
        before = started;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("no executor of this test's Workers started a task within two minutes");
  }

  /** Starts a Spark daemon JVM from the jars in sparkHome, as sbin/start-*.sh would. */
  static Process java(Path sparkHome, String name, String host, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(javaBin()));
    cmd.addAll(jvmFlags());
    cmd.addAll(List.of("-Xmx512m", "-cp", sparkHome.resolve("jars") + "/*"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile());
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", host);
    Process p = pb.start();
    STARTED.add(p);
    return p;
  }

  /** bin/fedcxr with the standalone profile at {@code masterUrl} (null: the local profile); its output. */
  static String run(String masterUrl, String... args) throws Exception {
    String name = "run-" + System.nanoTime();
    return finish(submit(masterUrl, name, args), name);
  }

  static Process submit(String masterUrl, String name, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("bin/fedcxr"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile());
    pb.environment().remove("SPARK_HOME");
    // one thread per training everywhere, so local and cluster runs do the same arithmetic
    String common = "--conf spark.executor.cores=1 --conf spark.task.cpus=1 --conf spark.driver.memory=1g";
    if (masterUrl == null) {
      pb.environment().put("FEDCXR_SUBMIT_ARGS", "--master local[2] " + common);
    } else {
      pb.environment().put("FEDCXR_PROFILE", "standalone");
      pb.environment().put("FEDCXR_EVENT_LOG_DIR", dir.resolve("spark-events").toUri().toString());
      pb.environment().put("FEDCXR_SUBMIT_ARGS", "--master " + masterUrl + " " + common
          + " --conf spark.executor.memory=1g --conf spark.executor.memoryOverhead=1g"
          + " --conf spark.eventLog.compress=false" // the fault tests read the event log as JSON
          + " --conf spark.executorEnv.DJL_CACHE_DIR=" + System.getProperty("user.home") + "/.djl.ai");
    }
    pb.environment().put("FEDCXR_DRIVER_MEMORY", "1g");
    Process p = pb.start();
    STARTED.add(p);
    return p;
  }

  static String finish(Process p, String name) throws Exception {
    assertTrue(p.waitFor(6, TimeUnit.MINUTES), name + " did not finish");
    String out = Files.readString(dir.resolve(name + ".log"), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  static void awaitLog(Path log, String text, Process p) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
        return;
      }
      assertTrue(p.isAlive(), log + " ended before '" + text + "':\n" + (Files.exists(log) ? Files.readString(log)
          : ""));
      Thread.sleep(50);
    }
    throw new AssertionError("no '" + text + "' in " + log);
  }

  static List<String> jvmFlags() throws IOException {
    return Files.readAllLines(Path.of("spark-conf/jvm-flags")).stream().filter(l -> !l.isBlank() && !l.startsWith(
        "#")).toList();
  }

  static String javaBin() {
    Optional<String> cmd = ProcessHandle.current().info().command();
    return cmd.orElse("java");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
