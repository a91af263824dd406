package org.fedcxr.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.security.alias.CredentialProvider;
import org.apache.hadoop.security.alias.CredentialProviderFactory;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.data.SyntheticXrays;
import org.fedcxr.fl.RoundReport;
import org.fedcxr.fl.FlTestHooks;
import org.fedcxr.testing.SparkTests;
import org.fedcxr.testing.TestCatalog;
import org.fedcxr.train.TrainingListener;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ingest from and federate to {@code s3a://} against a real S3 protocol server (s3proxy, filesystem backend) started
 * here; credentials from a Hadoop credential provider; the store stopped part-way; the secret in no output.
 */
class S3StoreTest {
  static final String ACCESS = "fedcxr-access";
  static final String SECRET = "secret-" + UUID.randomUUID();
  static final String BUCKET = "s3a://xrays";
  @TempDir
  static Path dir;
  static BlobStoreContext blobs;
  static S3Proxy proxy;
  static int port;
  static SparkSession spark;
  static StringWriter logs = new StringWriter();
  static Path local;

  @BeforeAll
  static void setUp() throws Exception {
    // the in-memory backend: it keeps S3A's directory markers as objects, as S3 does (the filesystem backend drops
    // empty ones, which breaks the magic committer's listing of a task that wrote nothing)
    blobs = ContextBuilder.newBuilder("transient").build(BlobStoreContext.class);
    blobs.getBlobStore().createContainerInLocation(null, "xrays");
    startProxy(0);
    captureLogs();
    spark = SparkTests.start("local[2,4]");
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    conf.set("fs.s3a.endpoint", "http://127.0.0.1:" + port);
    conf.set("fs.s3a.endpoint.region", "us-east-1");
    conf.set("fs.s3a.path.style.access", "true");
    conf.set("fs.s3a.connection.ssl.enabled", "false");
    conf.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    conf.set("fs.s3a.retry.limit", "1");
    conf.set("fs.s3a.retry.interval", "50ms");
    conf.set("fs.s3a.attempts.maximum", "1");
    conf.set("fs.s3a.connection.establish.timeout", "2s");
    conf.set(CredentialProviderFactory.CREDENTIAL_PROVIDER_PATH, credentialStore(dir.resolve("s3.jceks")));
    // the data: a synthetic NIH-layout dataset, uploaded to the bucket
    Path data = dir.resolve("synthetic");
    SyntheticXrays.write(data, 120, 64, 2, 13);
    FileSystem s3 = FileSystem.get(URI.create(BUCKET + "/"), conf);
    try (var files = Files.walk(data)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        try (var o = s3.create(new org.apache.hadoop.fs.Path(BUCKET + "/synthetic/" + data.relativize(f)))) {
          o.write(Files.readAllBytes(f));
        }
      }
    }
    local = dir.resolve("local");
    ingest(data.toString(), local.resolve("ingest").toString());
    partition(local.resolve("ingest").toString(), local.resolve("partition").toString());
    FederateJob.execute(spark, JobSpecs.schema("federate").load(null, federateSets(local.resolve("partition")
        .toString(), local.resolve("ingest").toString(), local.resolve("federate").toString())), false, false);
  }

  @AfterAll
  static void tearDown() throws Exception {
    spark.stop();
    proxy.stop();
    blobs.close();
  }

  @AfterEach
  void resetHooks() {
    FlTestHooks.reset();
  }

  static void startProxy(int wanted) throws Exception {
    proxy = S3Proxy.builder().blobStore(blobs.getBlobStore()).endpoint(URI.create("http://127.0.0.1:" + wanted))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
    proxy.start();
    while (!proxy.getState().equals("STARTED")) {
      Thread.sleep(10);
    }
    port = proxy.getPort();
  }

  /** The keys go into a JCEKS store read through hadoop.security.credential.provider.path, never into a spec. */
  static String credentialStore(Path file) throws IOException {
    String uri = "jceks://file" + file.toAbsolutePath();
    Configuration c = new Configuration(false);
    c.set(CredentialProviderFactory.CREDENTIAL_PROVIDER_PATH, uri);
    CredentialProvider p = CredentialProviderFactory.getProviders(c).get(0);
    p.createCredentialEntry("fs.s3a.access.key", ACCESS.toCharArray());
    p.createCredentialEntry("fs.s3a.secret.key", SECRET.toCharArray());
    p.flush();
    return uri;
  }

  /**
   * Every log event goes to {@link #logs}; Hadoop's security and S3A loggers at DEBUG, to it only (they are where
   * credentials would show), so the console keeps its usual level.
   */
  static void captureLogs() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    org.apache.logging.log4j.core.config.Configuration config = ctx.getConfiguration();
    WriterAppender a = WriterAppender.newBuilder().setName("capture").setTarget(logs)
        .setLayout(PatternLayout.newBuilder().withPattern("%p %c %m%n").build()).build();
    a.start();
    config.addAppender(a);
    config.getRootLogger().addAppender(a, Level.ALL, null);
    for (String name : List.of("org.apache.hadoop.fs.s3a", "org.apache.hadoop.security")) {
      LoggerConfig debug = new LoggerConfig(name, Level.DEBUG, false);
      debug.addAppender(a, Level.DEBUG, null);
      config.addLogger(name, debug);
    }
    ctx.updateLoggers();
  }

  static Path catalog(String location) {
    return TestCatalog.write(dir.resolve("catalog-" + Math.abs(location.hashCode())), "synthetic", "format: nih\n"
        + "location: " + location + "\nimages: images\nlabel_table: Data_Entry_2017.csv\nglob: \"*.png\"\nlabels: "
        + TestCatalog.NIH_LABELS + "\n");
  }

  static void ingest(String from, String to) {
    IngestJob.execute(spark, JobSpecs.schema("ingest").load(null, List.of("dataset=synthetic",
        "catalog=" + catalog(from), "output=" + to, "image_size=32", "split.server=0.2", "split.client=0.5",
        "split.test=0.3")), false);
  }

  static void partition(String in, String to) {
    PartitionJob.execute(spark, JobSpecs.schema("partition").load(null, List.of("input=" + in, "output=" + to,
        "clients=3")));
  }

  static List<String> federateSets(String in, String test, String out) {
    return new ArrayList<>(List.of("input=" + in, "test=" + test, "output=" + out, "architecture=small", "rounds=3",
        "batch_size=16", "learning_rate=0.003"));
  }

  @Test
  void ingestFromS3AndFederateToS3GiveTheLocalResultAndNeverShowTheSecret() throws Exception {
    PrintStream console = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      ingest(BUCKET + "/synthetic", BUCKET + "/runs/ingest");
      partition(BUCKET + "/runs/ingest", BUCKET + "/runs/partition");
      FederateJob.execute(spark, JobSpecs.schema("federate").load(null, federateSets(BUCKET + "/runs/partition",
          BUCKET + "/runs/ingest", BUCKET + "/runs/federate")), false, true);
      Map<String, Object> predicted = PredictJob.execute(spark, JobSpecs.schema("predict").load(null, List.of(
          "weights=" + BUCKET + "/runs/federate/final.safetensors", "input=" + BUCKET + "/synthetic/images",
          "output=" + BUCKET + "/runs/predict")));
      assertEquals(120L, ((Map<?, ?>) predicted.get("results")).get("images_scored"), "predict reads s3a://");
    } finally {
      System.setOut(console);
    }
    assertArrayEquals(FederateJobTest.weights(local.resolve("federate/final.safetensors")),
        weights("runs/federate/final.safetensors"), "same weights as on local disk");
    for (String out : List.of("ingest", "partition", "federate", "predict")) {
      assertTrue(exists("runs/" + out + "/_SUCCESS"), out);
      String summary = new String(bytes("runs/" + out + "/_SUMMARY.json"), StandardCharsets.UTF_8);
      assertFalse(summary.contains(SECRET), out + "/_SUMMARY.json shows the secret");
      assertFalse(summary.contains(ACCESS), out + "/_SUMMARY.json shows the access key");
    }
    for (String key : keys("runs/").stream().filter(k -> !k.endsWith("/")).toList()) { // every output file
      String content = new String(bytes(key), StandardCharsets.ISO_8859_1);
      assertFalse(content.contains(SECRET), key + " holds the secret");
    }
    String logged = logs.toString();
    assertTrue(logged.contains("org.apache.hadoop.fs.s3a"), "S3A's debug log was captured");
    assertFalse(logged.contains(SECRET), "a log line shows the secret");
    assertFalse(printed.toString(StandardCharsets.UTF_8).contains(SECRET), "the progress output shows the secret");
    assertTrue(printed.toString(StandardCharsets.UTF_8).contains("round 3/3"), "progress was captured");
  }

  @Test
  void theStoreStoppingDuringIngestFailsNamingTheOutputAndTheRerunCompletes() throws Exception {
    String out = BUCKET + "/runs/ingest-interrupted";
    AtomicBoolean stopped = new AtomicBoolean();
    Thread watcher = new Thread(() -> {
      try {
        while (!stopped.get()) {
          // stop the store once the first image table part is being written into the staging area
          if (keys("runs/.ingest-interrupted.inprogress").stream().anyMatch(k -> k.contains("/images/"))) {
            proxy.stop();
            stopped.set(true);
          }
          Thread.sleep(2);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    watcher.setDaemon(true);
    watcher.start();
    JobFailure e = assertThrows(JobFailure.class, () -> ingest(BUCKET + "/synthetic", out));
    watcher.join();
    assertTrue(stopped.get());
    assertTrue(e.getMessage().contains("s3a://xrays/runs/"), e.getMessage());
    // the store stops between requests (connection refused), while a request is being sent (broken pipe, reset)
    // or before its response (no response): each is named
    assertTrue(List.of("Connect", "SocketException", "NoHttpResponse").stream()
        .anyMatch(e.getMessage()::contains), "the cause is named: " + e.getMessage());
    startProxy(port);
    assertFalse(exists("runs/ingest-interrupted/_SUCCESS"), "nothing marked complete");
    ingest(BUCKET + "/synthetic", out);
    assertTrue(exists("runs/ingest-interrupted/_SUCCESS"));
    assertEquals(spark.read().parquet(local.resolve("ingest").toString() + "/images").count(),
        spark.read().parquet(out + "/images").count());
  }

  @Test
  void theStoreStoppingDuringACheckpointFailsNamingThePathAndResumeGivesTheUninterruptedWeights()
      throws Exception {
    String in = local.resolve("partition").toString();
    String test = local.resolve("ingest").toString();
    String out = BUCKET + "/runs/federate-interrupted";
    TrainingListener<RoundReport> stopStore = FlTestHooks.afterRound(1, () -> {
      try {
        proxy.stop();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    JobFailure e = assertThrows(JobFailure.class, () -> FederateJob.execute(spark, JobSpecs.schema("federate")
        .load(null, federateSets(in, test, out)), false, false, stopStore));
    assertTrue(e.getMessage().contains("s3a://xrays/runs/federate-interrupted/rounds/"), e.getMessage());
    startProxy(port);
    assertFalse(exists("runs/federate-interrupted/_SUCCESS"), "nothing marked complete");
    assertFalse(exists("runs/federate-interrupted/final.safetensors"));
    FederateJob.execute(spark, JobSpecs.schema("federate").load(null, federateSets(in, test, out)), true, false);
    assertArrayEquals(FederateJobTest.weights(local.resolve("federate/final.safetensors")),
        weights("runs/federate-interrupted/final.safetensors"));
  }

  static boolean exists(String key) {
    return blobs.getBlobStore().blobExists("xrays", key);
  }

  static byte[] bytes(String key) throws IOException {
    try (var in = blobs.getBlobStore().getBlob("xrays", key).getPayload().openStream()) {
      return in.readAllBytes();
    }
  }

  static float[] weights(String key) throws IOException {
    Path f = Files.createTempFile(dir, "weights", ".safetensors");
    Files.write(f, bytes(key));
    return FederateJobTest.weights(f);
  }

  static List<String> keys(String prefix) {
    List<String> out = new ArrayList<>();
    for (var m : blobs.getBlobStore().list("xrays", org.jclouds.blobstore.options.ListContainerOptions.Builder
        .prefix(prefix).recursive())) {
      out.add(m.getName());
    }
    return out;
  }
}
