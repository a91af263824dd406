package org.fedcxr.study;

import java.util.Locale;

/**
 * One federated run of a study: how the client pool is divided ({@code noniid} or {@code iid}), the share of each
 * client's images kept, the initial model ({@code random} or {@code ssl}) and the seed of the partition and the
 * training. Cells that differ only in {@code init} share their partition, so the two inits are compared on the
 * same clients.
 */
public record StudyCell(String distribution, double fraction, String init, long seed) {
  public StudyCell {
    if (!distribution.equals("noniid") && !distribution.equals("iid")) {
      throw new IllegalArgumentException("distribution must be noniid or iid, not " + distribution);
    }
    if (!init.equals("random") && !init.equals("ssl")) {
      throw new IllegalArgumentException("init must be random or ssl, not " + init);
    }
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction must be in (0, 1], not " + fraction);
    }
  }

  /** A name usable as a directory: {@code noniid-f0.25-ssl-s43}. */
  public String id() {
    return partitionId().replace("-s" + seed, "-" + init + "-s" + seed);
  }

  /** The name of the partition this cell trains on: {@code noniid-f0.25-s43}. */
  public String partitionId() {
    return distribution + "-f" + fractionText(fraction) + "-s" + seed;
  }

  /** The fraction as written in names and tables: {@code 1}, {@code 0.5}, {@code 0.01}. */
  public static String fractionText(double fraction) {
    String s = String.format(Locale.ROOT, "%.6f", fraction).replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
