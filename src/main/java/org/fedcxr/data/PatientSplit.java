package org.fedcxr.data;

import java.io.Serializable;
import org.fedcxr.config.Seeds;

/**
 * Assigns each patient to the server pool, the client pool or the test set from a number derived from the seed and
 * the patient id alone: all images of a patient land in one split, the assignment does not depend on which other
 * images are present or on the order of reading, and it is the same on every run with the same seed.
 */
public record PatientSplit(long seed, double server, double client) implements Serializable {
  public static final String SERVER = "server";
  public static final String CLIENT = "client";
  public static final String TEST = "test";

  /** The split of a patient. */
  public String of(String patientId) {
    double u = Seeds.uniform(seed, "split", patientId);
    return u < server ? SERVER : u < server + client ? CLIENT : TEST;
  }
}
