package org.fedcxr.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.fedcxr.config.Seeds;

/**
 * A deterministic generator of X-ray-like gray PNGs in the NIH layout ({@code images/} and a
 * {@code Data_Entry_2017.csv}). Each image is a torso with two lung fields, ribs, spine and heart; each of the 14
 * labels adds its own pattern at its own place (an enlarged heart, fluid at the lung bases, nodules, ...), so a model
 * can learn them. Image i depends only on (seed, i): any count can be made, in any order.
 */
public final class SyntheticXrays {
  /** The NIH ChestX-ray14 labels in the catalog's order. */
  public static final List<String> LABELS = List.of("Atelectasis", "Cardiomegaly", "Effusion", "Infiltration",
      "Mass", "Nodule", "Pneumonia", "Pneumothorax", "Consolidation", "Edema", "Emphysema", "Fibrosis",
      "Pleural_Thickening", "Hernia");
  /** Relative frequency of each label among images with a finding (some rare, like NIH's Hernia). */
  private static final double[] WEIGHTS = {10, 4, 12, 16, 5, 5, 3, 4, 4, 2, 2, 2, 3, 0.5};
  /** The header of NIH's {@code Data_Entry_2017.csv}, trailing comma included. */
  public static final String NIH_HEADER = "Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,"
      + "Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],";

  private SyntheticXrays() {
  }

  /** One synthetic image: its file name, patient, labels (indices into {@link #LABELS}) and pixels. */
  public record Sample(String fileName, String patientId, List<Integer> labels, GrayImage image) {
    /** The NIH {@code Finding Labels} string. */
    public String findingLabels() {
      return labels.isEmpty() ? "No Finding"
          : String.join("|", labels.stream().map(LABELS::get).toList());
    }
  }

  /** Writes {@code count} images and their label table under {@code dir}; returns the samples' metadata. */
  public static List<Sample> write(Path dir, int count, int size, int imagesPerPatient, long seed) {
    List<Sample> out = new ArrayList<>();
    try {
      Path images = Files.createDirectories(dir.resolve("images"));
      try (Writer w = Files.newBufferedWriter(dir.resolve("Data_Entry_2017.csv"), StandardCharsets.UTF_8)) {
        w.write(NIH_HEADER + "\n");
        for (int i = 0; i < count; i++) {
          Sample s = sample(i, size, imagesPerPatient, seed);
          writePng(s.image(), images.resolve(s.fileName()));
          w.write(String.join(",", s.fileName(), s.findingLabels(), String.valueOf(i % imagesPerPatient),
              s.patientId(), "050", i % 2 == 0 ? "M" : "F", "PA", String.valueOf(size), String.valueOf(size),
              "0.143", "0.143") + "\n");
          out.add(new Sample(s.fileName(), s.patientId(), s.labels(), null));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write synthetic images under " + dir, e);
    }
    return out;
  }

  /** Image {@code i} of the synthetic set with this seed. */
  public static Sample sample(int i, int size, int imagesPerPatient, long seed) {
    SplittableRandom rnd = Seeds.random(seed, "synthetic", Integer.toString(i));
    int patient = i / imagesPerPatient + 1;
    String name = String.format("%08d_%03d.png", patient, i % imagesPerPatient);
    List<Integer> labels = drawLabels(rnd);
    return new Sample(name, Integer.toString(patient), labels, draw(labels, size, rnd));
  }

  private static List<Integer> drawLabels(SplittableRandom rnd) {
    List<Integer> labels = new ArrayList<>();
    if (rnd.nextDouble() < 0.45) {
      return labels;
    }
    int n = rnd.nextDouble() < 0.7 ? 1 : 2;
    double total = 0;
    for (double w : WEIGHTS) {
      total += w;
    }
    while (labels.size() < n) {
      double u = rnd.nextDouble() * total;
      int k = 0;
      while (u >= WEIGHTS[k]) {
        u -= WEIGHTS[k++];
      }
      if (!labels.contains(k)) {
        labels.add(k);
      }
    }
    labels.sort(null);
    return labels;
  }

  private static GrayImage draw(List<Integer> labels, int size, SplittableRandom rnd) {
    float[] p = new float[size * size];
    double jx = (rnd.nextDouble() - 0.5) * 0.04;
    double jy = (rnd.nextDouble() - 0.5) * 0.04;
    ellipse(p, size, 0.5 + jx, 0.55 + jy, 0.42, 0.48, 70);
    boolean emphysema = labels.contains(10);
    double lungRx = emphysema ? 0.16 : 0.14;
    double lungShade = emphysema ? -55 : -40;
    ellipse(p, size, 0.32 + jx, 0.5 + jy, lungRx, 0.3, lungShade);
    ellipse(p, size, 0.68 + jx, 0.5 + jy, lungRx, 0.3, lungShade);
    for (int r = 0; r < 8; r++) {
      band(p, size, 0.25 + r * 0.07 + jy, 0.008, 12);
    }
    rect(p, size, 0.47 + jx, 0.1, 0.53 + jx, 0.95, 60);
    double heart = labels.contains(1) ? 0.17 : 0.1;
    ellipse(p, size, 0.55 + jx, 0.62 + jy, heart, heart * 0.8, 55);
    for (int label : labels) {
      switch (label) {
        case 0 -> rect(p, size, 0.6, 0.62, 0.8, 0.66, 45);
        case 2 -> rect(p, size, 0.18, 0.7, 0.82, 0.8, 50);
        case 3 -> {
          for (int k = 0; k < 12; k++) {
            ellipse(p, size, 0.2 + rnd.nextDouble() * 0.6, 0.3 + rnd.nextDouble() * 0.4, 0.02, 0.02, 30);
          }
        }
        case 4 -> ellipse(p, size, 0.3, 0.42, 0.07, 0.07, 70);
        case 5 -> {
          for (int k = 0; k < 3; k++) {
            ellipse(p, size, 0.25 + 0.08 * k, 0.35 + 0.05 * k, 0.015, 0.015, 80);
          }
        }
        case 6 -> ellipse(p, size, 0.3, 0.62, 0.09, 0.08, 40);
        case 7 -> ellipse(p, size, 0.7, 0.3, 0.1, 0.07, -60);
        case 8 -> rect(p, size, 0.62, 0.45, 0.74, 0.55, 60);
        case 9 -> ellipse(p, size, 0.5, 0.45, 0.2, 0.08, 35);
        case 11 -> {
          for (int k = 0; k < 5; k++) {
            band(p, size, 0.28 + 0.02 * k, 0.003, 40);
          }
        }
        case 12 -> {
          rect(p, size, 0.16, 0.25, 0.19, 0.75, 50);
          rect(p, size, 0.81, 0.25, 0.84, 0.75, 50);
        }
        case 13 -> ellipse(p, size, 0.5, 0.85, 0.06, 0.04, 80);
        default -> { }
      }
    }
    byte[] px = new byte[size * size];
    for (int i = 0; i < px.length; i++) {
      double v = 20 + p[i] + rnd.nextGaussian() * 6;
      px[i] = (byte) Math.max(0, Math.min(255, Math.round(v)));
    }
    return new GrayImage(size, size, px);
  }

  private static void ellipse(float[] p, int n, double cx, double cy, double rx, double ry, double add) {
    int x0 = Math.max(0, (int) ((cx - rx) * n));
    int x1 = Math.min(n - 1, (int) ((cx + rx) * n) + 1);
    int y0 = Math.max(0, (int) ((cy - ry) * n));
    int y1 = Math.min(n - 1, (int) ((cy + ry) * n) + 1);
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        double dx = ((x + 0.5) / n - cx) / rx;
        double dy = ((y + 0.5) / n - cy) / ry;
        double d = dx * dx + dy * dy;
        if (d < 1) {
          p[y * n + x] += (float) (add * (1 - d * d));
        }
      }
    }
  }

  private static void rect(float[] p, int n, double xa, double ya, double xb, double yb, double add) {
    for (int y = Math.max(0, (int) (ya * n)); y < Math.min(n, (int) (yb * n)); y++) {
      for (int x = Math.max(0, (int) (xa * n)); x < Math.min(n, (int) (xb * n)); x++) {
        p[y * n + x] += (float) add;
      }
    }
  }

  private static void band(float[] p, int n, double cy, double half, double add) {
    rect(p, n, 0.18, cy - half, 0.82, cy + half + 1.0 / n, add);
  }

  /** Writes an 8-bit gray PNG. */
  public static void writePng(GrayImage image, Path file) throws IOException {
    BufferedImage bi = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_BYTE_GRAY);
    byte[] data = ((DataBufferByte) bi.getRaster().getDataBuffer()).getData();
    System.arraycopy(image.pixels(), 0, data, 0, data.length);
    if (!ImageIO.write(bi, "png", file.toFile())) {
      throw new IOException("no PNG writer");
    }
  }
}
