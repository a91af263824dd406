package org.fedcxr.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.fedcxr.bench.OpProfile.Event;
import org.fedcxr.bench.OpProfile.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sums of a hand-made trace: nesting by thread, outermost totals and self times, and the trace file's format. */
class OpProfileTest {
  @TempDir
  Path dir;

  private static Map<String, Row> byOp(List<Row> rows) {
    return rows.stream().collect(Collectors.toMap(Row::op, r -> r));
  }

  @Test
  void nestedEventsCountOnceOutermostAndTheirOwnTimeAsSelf() {
    OpProfile p = OpProfile.of(List.of(
        new Event("A", 1, 0, 10), new Event("B", 1, 1, 3), new Event("C", 1, 2, 1), new Event("D", 1, 5, 4),
        new Event("E", 1, 12, 3),
        new Event("G", 1, 20, 2), new Event("F", 1, 20, 5), // same start: the longer one is outside
        new Event("A", 2, 0, 5)));                         // another thread: not inside thread 1's A
    Map<String, Row> outer = byOp(p.outermost());
    assertEquals(List.of("A", "F", "E"), p.outermost().stream().map(Row::op).toList(), "largest time first");
    assertEquals(2, outer.get("A").calls());
    assertEquals(0.015, outer.get("A").ms(), 1e-12);
    assertEquals(0.003, outer.get("E").ms(), 1e-12);
    assertEquals(0.005, outer.get("F").ms(), 1e-12);
    assertEquals(0.023, p.profiledMs(), 1e-12);
    Map<String, Row> self = byOp(p.self());
    assertEquals(0.008, self.get("A").ms(), 1e-12); // 10 − B's 3 − D's 4, plus thread 2's 5
    assertEquals(0.002, self.get("B").ms(), 1e-12);
    assertEquals(0.001, self.get("C").ms(), 1e-12);
    assertEquals(0.004, self.get("D").ms(), 1e-12);
    assertEquals(0.003, self.get("F").ms(), 1e-12);
    assertEquals(0.002, self.get("G").ms(), 1e-12);
    assertEquals(p.profiledMs(), p.self().stream().mapToDouble(Row::ms).sum(), 1e-12, "self times add up");
  }

  @Test
  void readsCompleteEventsOfATraceFileAndRejectsOtherFiles() throws Exception {
    Path trace = dir.resolve("t.json");
    Files.writeString(trace, """
        [
        {"name": "aten::mm", "ph": "X", "ts": 100.5, "dur": 20.25, "tid": 1, "pid": "CPU Functions", "args": {}},
        {"name": "aten::resolve_conj", "ph": "X", "ts": 101.0, "dur": 0.25, "tid": 1, "pid": "CPU Functions"},
        {"name": "marker", "ph": "i", "ts": 102.0, "tid": 1}
        ]""");
    OpProfile p = OpProfile.read(trace);
    assertEquals(List.of(new Row("aten::mm", 1, 0.02025)), p.outermost());
    assertEquals(0.020, byOp(p.self()).get("aten::mm").ms(), 1e-12);
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"not\": \"a list\"}");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> OpProfile.read(bad));
    assertTrue(e.getMessage().contains("bad.json"), e.getMessage());
  }
}
