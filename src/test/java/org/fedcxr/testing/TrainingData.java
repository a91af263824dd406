package org.fedcxr.testing;

import java.util.ArrayList;
import java.util.List;
import org.fedcxr.data.Resampler;
import org.fedcxr.data.SyntheticXrays;
import org.fedcxr.train.LabelledImage;

/** Small labelled training sets from the synthetic X-ray generator. */
public final class TrainingData {
  private TrainingData() {
  }

  /** {@code n} synthetic images at {@code size} pixels with their 14 labels. */
  public static List<LabelledImage> images(int n, int size) {
    List<LabelledImage> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      SyntheticXrays.Sample s = SyntheticXrays.sample(i, 64, 1, 3);
      float[] labels = new float[14];
      s.labels().forEach(k -> labels[k] = 1f);
      out.add(new LabelledImage(s.fileName(), size, size, Resampler.resize(s.image(), size, size).pixels(),
          labels));
    }
    return out;
  }
}
