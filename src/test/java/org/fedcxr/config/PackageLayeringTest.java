package org.fedcxr.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Stages import only earlier stages (config/catalog → data → partition → model → train/ssl → fl → eval/report/study/bench), never
 * a later one; {@code cli}, where the jobs wire the stages together, may use them all.
 */
class PackageLayeringTest {
  private static final List<List<String>> LAYERS = List.of(List.of("config", "catalog"), List.of("data"),
      List.of("partition"), List.of("model"), List.of("train", "ssl"), List.of("fl"), List.of("eval", "report", "study", "bench"),
      List.of("cli"));
  private static final Pattern IMPORT = Pattern.compile("org\\.fedcxr\\.([a-z]+)\\.");

  private static int layer(String pkg) {
    for (int i = 0; i < LAYERS.size(); i++) {
      if (LAYERS.get(i).contains(pkg)) {
        return i;
      }
    }
    throw new AssertionError("package org.fedcxr." + pkg + " is in no stage");
  }

  @Test
  void noPackageImportsALaterStage() throws IOException {
    Path root = Path.of("src/main/java/org/fedcxr");
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String pkg = root.relativize(f).getName(0).toString();
        int own = layer(pkg);
        Matcher m = IMPORT.matcher(Files.readString(f));
        while (m.find()) {
          if (layer(m.group(1)) > own) {
            violations.add(f + " uses org.fedcxr." + m.group(1));
          }
        }
      }
    }
    assertTrue(violations.isEmpty(), String.join("\n", violations));
  }
}
