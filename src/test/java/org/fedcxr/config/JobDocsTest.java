package org.fedcxr.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/jobs.md documents every key of every job (a key the study forwards, under the job it goes to). */
class JobDocsTest {
  @Test
  void everySpecKeyIsDocumentedUnderItsJob() throws IOException {
    String doc = Files.readString(Path.of("docs/jobs.md"));
    for (String job : new String[] {"ingest", "partition", "pretrain", "federate", "evaluate", "predict", "probe", "demo",
        "synthesize", "bench",
        "study"}) {
      int start = doc.indexOf("## " + job + "\n");
      assertTrue(start >= 0, "no section for " + job);
      int end = doc.indexOf("\n## ", start + 1);
      String section = doc.substring(start, end < 0 ? doc.length() : end);
      for (String key : JobSpecs.schema(job).keys().keySet()) {
        if (job.equals("study") && (JobSpecs.STUDY_FEDERATE.covers(key) || JobSpecs.STUDY_PRETRAIN.covers(key))) {
          continue; // documented under its own job, with the forwarding rule under study
        }
        assertTrue(section.contains("`" + key + "`"), job + ": key " + key + " is not documented");
      }
    }
  }
}
