package org.fedcxr.config;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Derives independent, stable random streams from the job's one seed and a list of names (a stage, a patient id, a
 * round...). The same seed and names give the same stream on every machine and in every Spark task retry.
 */
public final class Seeds {
  private Seeds() {
  }

  /** A 64-bit value that depends on the seed and every part, mixed so that nearby inputs give unrelated outputs. */
  public static long derive(long seed, String... parts) {
    long h = mix(seed ^ 0x9E3779B97F4A7C15L);
    for (String part : parts) {
      for (byte b : part.getBytes(StandardCharsets.UTF_8)) {
        h = (h ^ (b & 0xff)) * 0x100000001B3L;
      }
      h = mix(h ^ 0xFF51AFD7ED558CCDL);
    }
    return h;
  }

  /** A number uniform in [0, 1) derived from the seed and the parts. */
  public static double uniform(long seed, String... parts) {
    return (derive(seed, parts) >>> 11) * 0x1.0p-53;
  }

  /** A random stream derived from the seed and the parts. */
  public static SplittableRandom random(long seed, String... parts) {
    return new SplittableRandom(derive(seed, parts));
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
