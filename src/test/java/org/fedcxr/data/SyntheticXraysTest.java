package org.fedcxr.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticXraysTest {
  @TempDir
  Path dir;

  @Test
  void imageDependsOnlyOnSeedAndIndex() {
    SyntheticXrays.Sample a = SyntheticXrays.sample(17, 64, 2, 5);
    SyntheticXrays.Sample b = SyntheticXrays.sample(17, 64, 2, 5);
    assertArrayEquals(a.image().pixels(), b.image().pixels());
    assertEquals(a.labels(), b.labels());
    assertFalse(Arrays.equals(a.image().pixels(), SyntheticXrays.sample(17, 64, 2, 6).image().pixels()));
    assertEquals("00000009_001.png", a.fileName());
  }

  /** Mean brightness of a box (fractions of the side), averaged over images with / without a label. */
  private static double[] boxMeans(int label, double x0, double y0, double x1, double y1) {
    double[] sum = new double[2];
    int[] n = new int[2];
    int size = 64;
    for (int i = 0; i < 3000; i++) {
      SyntheticXrays.Sample s = SyntheticXrays.sample(i, size, 1, 1);
      double m = 0;
      int c = 0;
      for (int y = (int) (y0 * size); y < (int) (y1 * size); y++) {
        for (int x = (int) (x0 * size); x < (int) (x1 * size); x++) {
          m += s.image().at(x, y);
          c++;
        }
      }
      int k = s.labels().contains(label) ? 1 : 0;
      sum[k] += m / c;
      n[k]++;
    }
    assertTrue(n[1] > 10, "label " + label + " too rare in the sample: " + n[1]);
    return new double[] {sum[0] / n[0], sum[1] / n[1]};
  }

  @Test
  void labelsLeaveTheirOwnVisiblePattern() {
    double[] effusion = boxMeans(2, 0.2, 0.7, 0.8, 0.8);
    assertTrue(effusion[1] > effusion[0] + 25, Arrays.toString(effusion));
    double[] pneumothorax = boxMeans(7, 0.65, 0.27, 0.75, 0.33);
    assertTrue(pneumothorax[1] < pneumothorax[0] - 25, Arrays.toString(pneumothorax));
    double[] cardiomegaly = boxMeans(1, 0.66, 0.58, 0.70, 0.66);
    assertTrue(cardiomegaly[1] > cardiomegaly[0] + 15, Arrays.toString(cardiomegaly));
  }

  @Test
  void writesPngsAndAnNihLabelTable() throws IOException {
    List<SyntheticXrays.Sample> samples = SyntheticXrays.write(dir, 12, 48, 3, 2);
    List<String> rows = Files.readAllLines(dir.resolve("Data_Entry_2017.csv"));
    assertEquals(13, rows.size());
    assertTrue(rows.get(0).startsWith("Image Index,Finding Labels,Follow-up #,Patient ID"));
    assertEquals(samples.get(4).findingLabels(), rows.get(5).split(",")[1]);
    assertEquals("2", rows.get(5).split(",")[3]);
    Decoded d = new ImageDecoder(16, 100, Long.MAX_VALUE).decode(Files.readAllBytes(dir.resolve("images/00000002_001.png")));
    assertArrayEquals(SyntheticXrays.sample(4, 48, 3, 2).image().pixels(), d.image().pixels());
  }
}
