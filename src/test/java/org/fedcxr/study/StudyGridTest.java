package org.fedcxr.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StudyGridTest {
  @Test
  void expandsToEveryInitDistributionFractionAndSeedSeedsOutermost() {
    StudyGrid grid = new StudyGrid(7, 3, List.of(0.5, 0.25, 0.1, 0.05, 0.01), true);
    List<StudyCell> cells = grid.cells();
    assertEquals(3 * (2 + 2 + 2 * 5), cells.size());
    assertEquals(List.of(7L, 8L, 9L), grid.seedValues());
    assertEquals(List.of(1.0, 0.5, 0.25, 0.1, 0.05, 0.01), grid.allFractions());
    Set<String> ids = new HashSet<>();
    cells.forEach(c -> ids.add(c.id()));
    assertEquals(cells.size(), ids.size(), "cell ids are unique");
    assertEquals(List.of("noniid-f1-random-s7", "noniid-f1-ssl-s7", "iid-f1-random-s7", "iid-f1-ssl-s7",
        "noniid-f0.5-random-s7", "noniid-f0.5-ssl-s7"), cells.subList(0, 6).stream().map(StudyCell::id).toList());
    for (int i = 0; i < cells.size(); i++) {
      assertEquals(7 + i / 14, cells.get(i).seed(), "seed " + (7 + i / 14) + " finishes before the next starts");
    }
    for (StudyCell c : cells) {
      StudyCell twin = new StudyCell(c.distribution(), c.fraction(), c.init().equals("ssl") ? "random" : "ssl",
          c.seed());
      assertTrue(cells.contains(twin), "every cell has its other-init twin");
      assertEquals(c.partitionId(), twin.partitionId(), "twins train on the same partition");
    }
    assertEquals(3 * 2, cells.stream().filter(c -> c.fraction() == 0.01).count());
  }

  @Test
  void withoutTheReferenceOrTheFractionsOnlyTheFullNonIidCellsRemain() {
    List<StudyCell> cells = new StudyGrid(1, 2, List.of(), false).cells();
    assertEquals(List.of("noniid-f1-random-s1", "noniid-f1-ssl-s1", "noniid-f1-random-s2", "noniid-f1-ssl-s2"),
        cells.stream().map(StudyCell::id).toList());
  }

  @Test
  void badGridsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new StudyGrid(1, 0, List.of(), true));
    assertThrows(IllegalArgumentException.class, () -> new StudyGrid(1, 3, List.of(1.0), true));
    assertThrows(IllegalArgumentException.class, () -> new StudyGrid(1, 3, List.of(0.5, 0.5), true));
    assertThrows(IllegalArgumentException.class, () -> new StudyCell("dirichlet", 1, "ssl", 1));
    assertThrows(IllegalArgumentException.class, () -> new StudyCell("iid", 1, "imagenet", 1));
  }

  @Test
  void pairedComparisonMatchesAHandComputation() {
    // differences 0.02, 0.04, 0.06: mean 0.04, sd 0.02, t(0.975, 2) = 4.302653
    Comparison c = Comparison.paired(List.of(0.02, 0.04, 0.06));
    assertEquals(0.04, c.meanDifference(), 1e-12);
    assertEquals(4.302653 * 0.02 / Math.sqrt(3), c.halfWidth95(), 1e-6);
    assertEquals(Comparison.Verdict.NOT_SHOWN, c.verdict(), "0.04 - 0.0497 < 0");
    assertEquals(Comparison.Verdict.HELD, Comparison.paired(List.of(0.05, 0.04, 0.06)).verdict());
    assertEquals(Comparison.Verdict.OPPOSITE, Comparison.paired(List.of(-0.05, -0.04, -0.06)).verdict());
    assertEquals(Comparison.Verdict.UNDECIDED, Comparison.paired(List.of(0.5)).verdict());
    Summary s = Summary.of(List.of(1.0, Double.NaN, 3.0));
    assertEquals(new Summary(2.0, Math.sqrt(2), 2), s);
  }
}
