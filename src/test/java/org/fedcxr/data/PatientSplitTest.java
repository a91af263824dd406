package org.fedcxr.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The split is a function of (seed, patient) with nested shares: what the demo's shipped encoder relies on. */
class PatientSplitTest {
  @Test
  void sharesNestSoAServerPoolIsInsideALargerOneAndTheTestSetStaysTheSame() {
    PatientSplit withVal = new PatientSplit(42, 0.3, 0.4, 0.1);
    PatientSplit demo = new PatientSplit(42, 0.4, 0.4, 0.0);
    Map<String, Integer> counts = new TreeMap<>();
    for (int p = 0; p < 20_000; p++) {
      String patient = Integer.toString(p);
      String a = withVal.of(patient);
      String b = demo.of(patient);
      counts.merge(a, 1, Integer::sum);
      if (a.equals(PatientSplit.SERVER)) {
        assertEquals(PatientSplit.SERVER, b, patient);
      }
      assertEquals(a.equals(PatientSplit.TEST), b.equals(PatientSplit.TEST), patient);
    }
    assertEquals(0.3, counts.get("server") / 20_000.0, 0.015);
    assertEquals(0.4, counts.get("client") / 20_000.0, 0.015);
    assertEquals(0.1, counts.get("val") / 20_000.0, 0.015);
    assertEquals(0.2, counts.get("test") / 20_000.0, 0.015);
    assertTrue(PatientSplit.NAMES.containsAll(counts.keySet()));
  }
}
