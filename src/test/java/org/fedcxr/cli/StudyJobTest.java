package org.fedcxr.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.config.Spec;
import org.fedcxr.config.SpecException;
import org.fedcxr.testing.SparkTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudyJobTest {
  static SparkSession spark;
  @TempDir
  static Path dir;
  static Path ingested;
  static Path study;

  @BeforeAll
  static void setUp() {
    spark = SparkTests.start("local[2,4]");
    ingested = SyntheticIngest.ingest(spark, dir, 160, 2, 5, 0.3, 0.45, 0.25);
    study = dir.resolve("study");
    StudyJob.execute(spark, spec(study), false, "test", false);
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static Spec spec(Path out, String... more) {
    List<String> sets = new ArrayList<>(List.of("input=" + ingested, "output=" + out, "seeds=2", "fractions=0.5",
        "clients=3", "architecture=small", "rounds=2", "batch_size=16", "weight_decay=0.0005", "pretrain.epochs=1",
        "pretrain.warmup_epochs=0", "pretrain.batch_size=16", "pretrain.aug.edge_p=0.9", "iid_reference=true"));
    sets.addAll(List.of(more));
    return JobSpecs.schema("study").load(null, sets);
  }

  @Test
  void runsEveryCellOnSharedPartitionsAndWritesTheReport() throws IOException {
    assertTrue(Files.exists(study.resolve("_SUCCESS")));
    Map<?, ?> summary = new ObjectMapper().readValue(study.resolve("_SUMMARY.json").toFile(), Map.class);
    assertEquals(FederateJobTest.SUMMARY_KEYS, List.copyOf(summary.keySet()), "every job's summary has one shape");
    assertEquals(12, ((Map<?, ?>) summary.get("results")).get("cells_finished"));
    assertTrue(Files.exists(study.resolve("pretrain/encoder.safetensors")));
    assertEquals(12, list(study.resolve("cells")).size(), "2 seeds x (non-IID, IID, 50%) x (random, SSL)");
    assertEquals(6, list(study.resolve("partitions")).size(), "the two inits share each partition");
    for (String f : List.of("_SUCCESS", "report.md", "report.html", "claims.csv", "per_disease.csv",
        "fractions.csv", "rounds.csv", "cells.csv", "charts/per_disease.png", "charts/fractions.png",
        "charts/rounds.png", "charts/clients.png")) {
      assertTrue(Files.exists(study.resolve("report").resolve(f)), f);
    }
    List<String> cells = Files.readAllLines(study.resolve("report/cells.csv"));
    assertEquals(13, cells.size());
    // the report's cell numbers are the cells' own metrics
    String row = cells.stream().filter(l -> l.startsWith("noniid-f1-ssl-s42,")).findFirst().orElseThrow();
    List<String> metrics = Files.readAllLines(study.resolve("cells/noniid-f1-ssl-s42/metrics.csv"));
    double last = Double.parseDouble(metrics.get(metrics.size() - 1).split(",")[4]);
    assertEquals(last, Double.parseDouble(row.split(",")[5]), 5e-5);
    String md = Files.readString(study.resolve("report/report.md"));
    assertTrue(md.contains("Cells: 12 of 12 (2 seeds)"), md);
  }

  @Test
  void passesItsFederateAndPretrainKeysToTheJobsItRuns() throws IOException {
    String cell = Files.readString(study.resolve("cells/noniid-f0.5-random-s43/_SUMMARY.json"));
    assertTrue(cell.contains("\"weight_decay\" : 5.0E-4") && cell.contains("\"rounds\" : 2"), cell);
    // a study's cells keep the last round's weights only (its own default), with every round's report
    assertTrue(cell.contains("\"keep_checkpoints\" : 1"), cell);
    Path rounds = study.resolve("cells/noniid-f0.5-random-s43/rounds");
    assertFalse(Files.exists(rounds.resolve("00001/global.safetensors")));
    assertTrue(Files.exists(rounds.resolve("00001/clients.csv")));
    assertTrue(Files.exists(rounds.resolve("00002/global.safetensors")));
    String pretrain = Files.readString(study.resolve("pretrain/_SUMMARY.json"));
    assertTrue(pretrain.contains("\"aug.edge_p\" : 0.9") && pretrain.contains("\"split\" : \"server\"")
        && pretrain.contains("\"epochs\" : 1"), pretrain);
    // what the study decides itself cannot be set: the pretraining always uses the server pool only
    for (String key : List.of("pretrain.split", "init", "test", "pretrain.input")) {
      SpecException e = assertThrows(SpecException.class, () -> spec(dir.resolve("x"), key + "=all"));
      assertTrue(e.getMessage().contains("unknown key '" + key + "' for job 'study'"), e.getMessage());
    }
  }

  @Test
  void resumeRunsOnlyTheUnfinishedCellsAndGetsTheSameResult() throws IOException {
    Path copy = dir.resolve("study-resumed");
    copyTree(study, copy);
    Path redo = copy.resolve("cells/noniid-f0.5-ssl-s43");
    float[] before = FederateJobTest.weights(redo.resolve("final.safetensors"));
    deleteTree(redo);
    Files.delete(copy.resolve("_SUCCESS"));
    Path kept = copy.resolve("cells/noniid-f1-random-s42/_SUMMARY.json");
    byte[] keptBefore = Files.readAllBytes(kept);
    Files.writeString(copy.resolve("cells/iid-f1-ssl-s43/marker"), "untouched");
    // a study started by a version without a key ran at that key's default: it resumes
    Path identity = copy.resolve("study-spec.json");
    Files.writeString(identity, Files.readString(identity).replaceAll("\\s*\"momentum\" : [0-9.]+,", ""));
    assertFalse(Files.readString(identity).contains("momentum"));
    Files.deleteIfExists(copy.resolve(".study-spec.json.crc"));

    // keys that change no result may differ: cells trained at once, checkpoints kept (the rerun cell keeps all)
    StudyJob.execute(spark, spec(copy, "parallel_cells=2", "keep_checkpoints=0"), true, "test", false);
    assertArrayEquals(before, FederateJobTest.weights(redo.resolve("final.safetensors")), "same cell, same weights");
    assertTrue(Files.exists(redo.resolve("rounds/00001/global.safetensors")));
    assertArrayEquals(keptBefore, Files.readAllBytes(kept), "finished cells are not rerun");
    assertTrue(Files.exists(copy.resolve("cells/iid-f1-ssl-s43/marker")));
    assertTrue(Files.exists(copy.resolve("_SUCCESS")));
    assertEquals(withoutSeconds(study.resolve("report/cells.csv")), withoutSeconds(copy.resolve("report/cells.csv")));
  }

  @Test
  void cellsRunSideBySideGiveTheSameWeightsAsOneAfterAnother() throws IOException {
    Path side = dir.resolve("study-parallel");
    StudyJob.execute(spark, spec(side, "parallel_cells=3", "seeds=1", "fractions=none", "iid_reference=false",
        "encoder=" + study.resolve("pretrain/encoder.safetensors")), false, "test", false);
    for (String cell : List.of("noniid-f1-random-s42", "noniid-f1-ssl-s42")) {
      assertArrayEquals(FederateJobTest.weights(study.resolve("cells").resolve(cell).resolve("final.safetensors")),
          FederateJobTest.weights(side.resolve("cells").resolve(cell).resolve("final.safetensors")), cell);
    }
    assertFalse(Files.exists(side.resolve("pretrain")), "a given encoder is reused, not pretrained");
  }

  /**
   * pretrainings=2: a second pretraining with the next seed, and the SSL cells of the second seed start from it; the
   * first seed's SSL cell is the one-pretraining study's, bit for bit. With a given encoder it is refused.
   */
  @Test
  void pretrainingsGiveEachSeedsSslCellsItsOwnPretraining() throws IOException {
    Path two = dir.resolve("study-two-pretrainings");
    Map<String, Object> summary = StudyJob.execute(spark, spec(two, "pretrainings=2", "fractions=none", "iid_reference=false"),
        false, "test", false);
    Path second = two.resolve("pretrain-s43");
    assertTrue(Files.exists(two.resolve("pretrain/_SUCCESS")) && Files.exists(second.resolve("_SUCCESS")));
    assertTrue(Files.readString(second.resolve("_SUMMARY.json")).contains("\"seed\" : 43"));
    List<?> encoders = (List<?>) JobSummary.results(summary).get("encoders");
    assertEquals(2, encoders.size());
    assertTrue(encoders.get(0).toString().endsWith("/pretrain/encoder.safetensors")
        && encoders.get(1).toString().endsWith("/pretrain-s43/encoder.safetensors"), encoders.toString());
    String cell = "cells/noniid-f1-ssl-s42/final.safetensors";
    assertArrayEquals(FederateJobTest.weights(study.resolve(cell)), FederateJobTest.weights(two.resolve(cell)),
        "the first seed's SSL cell starts from the first pretraining, as in a one-pretraining study");
    assertTrue(Files.readString(two.resolve("cells/noniid-f1-ssl-s43/_SUMMARY.json")).contains("pretrain-s43/"));
    cell = "cells/noniid-f1-ssl-s43/final.safetensors";
    assertFalse(Arrays.equals(FederateJobTest.weights(study.resolve(cell)),
        FederateJobTest.weights(two.resolve(cell))), "the second seed's SSL cell starts from the second pretraining");
    SpecException e = assertThrows(SpecException.class, () -> spec(dir.resolve("y"), "pretrainings=2",
        "encoder=" + study.resolve("pretrain/encoder.safetensors")));
    assertTrue(e.getMessage().contains("'pretrainings' is 2, but 'encoder' gives one encoder"), e.getMessage());
  }

  @Test
  void sslRecipeChangesTheSslCellsOnly() throws IOException {
    for (String init : List.of("ssl", "random")) {
      String cell = Files.readString(study.resolve("cells/noniid-f1-" + init + "-s42/_SUMMARY.json"));
      assertTrue(cell.contains("\"weight_decay\" : 5.0E-4") && cell.contains("\"augment\" : true"),
          "the default ssl_recipe=federate: " + cell);
    }
    Path independent = dir.resolve("study-ssl-recipe");
    StudyJob.execute(spark, spec(independent, "ssl_recipe=independent", "seeds=1", "fractions=none",
        "iid_reference=false", "encoder=" + study.resolve("pretrain/encoder.safetensors")), false, "test", false);
    String ssl = Files.readString(independent.resolve("cells/noniid-f1-ssl-s42/_SUMMARY.json"));
    for (String set : List.of("\"augment\" : false", "\"weight_decay\" : 0.0", "\"clip_norm\" : 0.0",
        "\"schedule\" : \"constant\"", "\"rounds\" : 2")) {
      assertTrue(ssl.contains(set), "ssl_recipe=independent: " + set + " in " + ssl);
    }
    String cell = "cells/noniid-f1-random-s42/final.safetensors";
    assertArrayEquals(FederateJobTest.weights(study.resolve(cell)),
        FederateJobTest.weights(independent.resolve(cell)), "random cells the same on either recipe");
    cell = "cells/noniid-f1-ssl-s42/final.safetensors";
    assertFalse(Arrays.equals(FederateJobTest.weights(study.resolve(cell)),
        FederateJobTest.weights(independent.resolve(cell))), "SSL cells trained on the other recipe");
  }

  @Test
  void refusesToOverwriteOrToResumeWithADifferentSpec() throws IOException {
    JobFailure again = assertThrows(JobFailure.class,
        () -> StudyJob.execute(spark, spec(study), false, "test", false));
    assertTrue(again.getMessage().contains("already holds a study; pass --resume"), again.getMessage());
    JobFailure changed = assertThrows(JobFailure.class,
        () -> StudyJob.execute(spark, spec(study, "rounds=3"), true, "test", false));
    assertTrue(changed.getMessage().contains("rounds (was 2, now 3)"), changed.getMessage());
    // a study written before ssl_recipe existed ran federate's recipe, today's default, and resumes on no other
    Path older = dir.resolve("study-before-ssl-recipe");
    Files.createDirectories(older);
    Files.writeString(older.resolve("study-spec.json"), Files.readString(study.resolve("study-spec.json"))
        .replaceAll("\\s*\"ssl_recipe\" : \"[a-z]+\",", ""));
    assertFalse(Files.readString(older.resolve("study-spec.json")).contains("ssl_recipe"));
    JobFailure recipe = assertThrows(JobFailure.class,
        () -> StudyJob.execute(spark, spec(older, "ssl_recipe=independent"), true, "test", false));
    assertTrue(recipe.getMessage().contains("ssl_recipe (was federate, now independent)"), recipe.getMessage());
    Path other = dir.resolve("not-a-study");
    Files.createDirectories(other);
    Files.writeString(other.resolve("precious.txt"), "keep");
    JobFailure notEmpty = assertThrows(JobFailure.class,
        () -> StudyJob.execute(spark, spec(other), false, "test", false));
    assertTrue(notEmpty.getMessage().contains("is not empty and holds no study"), notEmpty.getMessage());
    assertEquals("keep", Files.readString(other.resolve("precious.txt")));
    JobFailure noEncoder = assertThrows(JobFailure.class, () -> StudyJob.execute(spark,
        spec(dir.resolve("s2"), "encoder=" + dir.resolve("missing.safetensors")), false, "test", false));
    assertTrue(noEncoder.getMessage().contains("missing.safetensors does not exist"), noEncoder.getMessage());
  }

  @Test
  void badFractionsAreSpecErrorsNamingTheEntry() {
    SpecException e = assertThrows(SpecException.class, () -> spec(dir.resolve("x"), "fractions=0.5,1.5"));
    assertTrue(e.getMessage().contains("'fractions' has entry 1.5"), e.getMessage());
    e = assertThrows(SpecException.class, () -> spec(dir.resolve("x"), "fractions=0.5,half"));
    assertTrue(e.getMessage().contains("'half'"), e.getMessage());
  }

  private static List<String> withoutSeconds(Path csv) throws IOException {
    return Files.readAllLines(csv).stream().map(l -> {
      List<String> c = new ArrayList<>(Arrays.asList(l.split(",", -1)));
      c.remove(6);
      return String.join(",", c);
    }).toList();
  }

  private static List<Path> list(Path p) throws IOException {
    try (Stream<Path> s = Files.list(p)) {
      return s.filter(Files::isDirectory).toList();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(q);
      }
    }
  }
}
