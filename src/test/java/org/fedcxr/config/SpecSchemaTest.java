package org.fedcxr.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecSchemaTest {
  @TempDir
  Path dir;

  private Path spec(String yaml) throws IOException {
    Path file = dir.resolve("ingest.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private SpecException error(String yaml, String... sets) throws IOException {
    Path file = spec(yaml);
    return assertThrows(SpecException.class, () -> JobSpecs.schema("ingest").load(file, List.of(sets)));
  }

  @Test
  void loadsNestedKeysWithDefaultsAndOverrides() throws IOException {
    Spec s = JobSpecs.schema("ingest").load(spec("dataset: x\noutput: out\nsplit:\n  server: 0.5\n  client: 0.3\n"),
        List.of("image_size=224", "seed=7"));
    assertEquals(0.5, s.number("split.server"));
    assertEquals(0.2, s.number("split.test"));
    assertEquals(224, s.integer("image_size"));
    assertEquals(7L, s.longValue("seed"));
    assertEquals("data-catalog", s.string("catalog"));
  }

  @Test
  void unknownKeyNamesTheFileTheKeyAndTheKnownKeys() throws IOException {
    SpecException e = error("dataset: x\noutput: out\nimage_sise: 128\n");
    assertTrue(e.getMessage().contains("ingest.yaml"), e.getMessage());
    assertTrue(e.getMessage().contains("'image_sise'"), e.getMessage());
    assertTrue(e.getMessage().contains("image_size"), e.getMessage());
  }

  @Test
  void wrongTypeNamesKeyValueAndWhatIsAllowed() throws IOException {
    SpecException e = error("dataset: x\noutput: out\nimage_size: big\n");
    assertTrue(e.getMessage().contains("'image_size' has value 'big'"), e.getMessage());
    assertTrue(e.getMessage().contains("an integer in [16, 1024]"), e.getMessage());
    assertTrue(error("dataset: x\noutput: out\nimage_size: 12.5\n").getMessage().contains("12.5"));
    assertTrue(error("dataset: [a, b]\noutput: out\n").getMessage().contains("'dataset'"));
  }

  @Test
  void outOfRangeIsAnError() throws IOException {
    assertTrue(error("dataset: x\noutput: out\nimage_size: 4096\n").getMessage().contains("4096"));
    assertTrue(error("dataset: x\noutput: out\nsplit:\n  test: 1.5\n").getMessage().contains("'split.test'"));
  }

  @Test
  void missingRequiredKeyIsAnError() throws IOException {
    SpecException e = error("dataset: x\n");
    assertTrue(e.getMessage().contains("required key 'output' is missing"), e.getMessage());
  }

  @Test
  void splitFractionsMustSumToOne() throws IOException {
    SpecException e = error("dataset: x\noutput: out\nsplit:\n  server: 0.5\n  client: 0.5\n  test: 0.5\n");
    assertTrue(e.getMessage().contains("must sum to 1"), e.getMessage());
    SpecException withVal = error("dataset: x\noutput: out\nsplit:\n  server: 0.4\n  client: 0.4\n  val: 0.1\n");
    assertTrue(withVal.getMessage().contains("'split.val'") && withVal.getMessage().contains("sum 1.1"),
        withVal.getMessage());
  }

  @Test
  void pretrainingWarmUpMustBeShorterThanTheRun() throws IOException {
    SpecException e = assertThrows(SpecException.class, () -> JobSpecs.schema("pretrain").load(null,
        List.of("input=a", "output=b", "epochs=2", "warmup_epochs=2")));
    assertTrue(e.getMessage().contains("'warmup_epochs'"), e.getMessage());
    JobSpecs.schema("pretrain").load(null, List.of("input=a", "output=b", "epochs=2", "warmup_epochs=2",
        "schedule=constant"));
    SpecException study = assertThrows(SpecException.class, () -> JobSpecs.schema("study").load(null,
        List.of("input=a", "output=b", "pretrain.epochs=1")));
    assertTrue(study.getMessage().contains("'pretrain.warmup_epochs'"), study.getMessage());
  }

  @Test
  void overridesGetTheSameValidation() throws IOException {
    assertTrue(error("dataset: x\noutput: out\n", "image_size=-3").getMessage().contains("--set"));
    assertTrue(error("dataset: x\noutput: out\n", "no_such=1").getMessage().contains("unknown key 'no_such'"));
    assertTrue(error("dataset: x\noutput: out\n", "seed").getMessage().contains("key=value"));
    assertThrows(SpecException.class, () -> JobSpecs.schema("partition").load(null,
        List.of("input=a", "output=b", "strategy=random")));
    assertThrows(SpecException.class, () -> JobSpecs.schema("partition").load(null,
        List.of("input=a", "output=b", "fraction=0")));
  }

  @Test
  void malformedYamlAndUnknownJobAreErrors() throws IOException {
    assertTrue(error("dataset: [x\n").getMessage().contains("not valid YAML"));
    assertThrows(SpecException.class, () -> JobSpecs.schema("train-everything"));
  }

  @Test
  void everyShippedSpecIsValid() throws IOException {
    try (var files = Files.list(Path.of("jobs"))) {
      for (Path f : files.toList()) {
        String job = f.getFileName().toString().replace(".yaml", "");
        JobSpecs.schema(job).load(f, List.of());
      }
    }
  }

  @Test
  void aKeyDeclaredTwiceIsRefused() {
    SpecKey rounds = SpecKey.integer("rounds", 5, 1, 10, "rounds");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new SpecSchema("study", List.of(rounds, rounds.renamed("rounds", 10)), List.of()));
    assertTrue(e.getMessage().contains("declares key 'rounds' twice"), e.getMessage());
  }
}
