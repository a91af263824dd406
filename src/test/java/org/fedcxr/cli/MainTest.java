package org.fedcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad specs and arguments exit with code 2 before Spark starts, naming what is wrong, and write nothing. */
class MainTest {
  @TempDir
  Path dir;

  private int run(ByteArrayOutputStream err, String... args) {
    PrintStream old = System.err;
    System.setErr(new PrintStream(err, true));
    try {
      return new CommandLine(new Main()).execute(args);
    } finally {
      System.setErr(old);
    }
  }

  @Test
  void badSpecValuesExitWithTwoAndNameTheKey() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path out = dir.resolve("out");
    assertEquals(2, run(err, "ingest", "--set", "output=" + out, "--set", "image_size=huge"));
    assertTrue(err.toString().contains("'image_size' has value 'huge'"), err.toString());
    assertFalse(Files.exists(out));
  }

  @Test
  void missingSpecFileExitsWithTwo() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(2, run(err, "partition", "--spec", dir.resolve("nope.yaml").toString()));
    assertTrue(err.toString().contains("nope.yaml"), err.toString());
  }

  @Test
  void unknownJobExitsWithTwo() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(2, run(err, "train-everything"));
  }
}
