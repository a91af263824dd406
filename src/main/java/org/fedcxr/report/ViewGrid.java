package org.fedcxr.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import javax.imageio.ImageIO;
import org.fedcxr.config.Seeds;
import org.fedcxr.ssl.ViewAugmenter;

/** A PNG grid to look at the pretraining views: one row per image, the original then two augmented views. */
public final class ViewGrid {
  private ViewGrid() {
  }

  public static void writePng(List<String> ids, List<byte[]> images, int h, int w, ViewAugmenter augmenter,
      long seed, OutputStream out) throws IOException {
    int gap = 4;
    BufferedImage grid = new BufferedImage(3 * w + 2 * gap, images.size() * (h + gap), BufferedImage.TYPE_BYTE_GRAY);
    float[] view = new float[h * w];
    for (int r = 0; r < images.size(); r++) {
      byte[] px = images.get(r);
      for (int c = 0; c < 3; c++) {
        if (c == 0) {
          for (int i = 0; i < px.length; i++) {
            view[i] = ((px[i] & 0xff) / 255f - 0.5f) / 0.25f;
          }
        } else {
          augmenter.view(px, h, w, Seeds.random(seed, "view" + c, "0", ids.get(r)), view, 0);
        }
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            int v = Math.round((view[y * w + x] * 0.25f + 0.5f) * 255);
            grid.getRaster().setSample(c * (w + gap) + x, r * (h + gap) + y, 0, Math.max(0, Math.min(255, v)));
          }
        }
      }
    }
    ImageIO.write(grid, "png", out);
  }
}
