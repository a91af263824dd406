package org.fedcxr.data;

import java.io.Serializable;
import java.util.List;
import org.fedcxr.config.Seeds;

/**
 * Assigns each patient to the server pool, the client pool, the validation set or the test set from a number derived
 * from the seed and the patient id alone: all images of a patient land in one split, the assignment does not depend
 * on which other images are present or on the order of reading, and it is the same on every run with the same seed.
 * The shares are laid out on [0, 1) as server | client | val | test, so a validation share is carved from the top of
 * the client pool: with the same server and test shares, the server pool and the test set are the same images
 * whatever the validation share.
 */
public record PatientSplit(long seed, double server, double client, double val) implements Serializable {
  public static final String SERVER = "server";
  public static final String CLIENT = "client";
  public static final String VAL = "val";
  public static final String TEST = "test";
  /** Every split name. */
  public static final List<String> NAMES = List.of(SERVER, CLIENT, VAL, TEST);

  /**
   * The same shares without the test set (scaled to fill [0, 1)), for datasets whose test set is an official list;
   * the seed's draw per patient is the same.
   */
  public PatientSplit withoutTest() {
    double kept = server + client + val;
    if (kept <= 0) {
      throw new IllegalArgumentException("with an official test list, the server, client and validation shares "
          + "must not all be 0");
    }
    return new PatientSplit(seed, server / kept, client / kept, val / kept);
  }

  /** The split of a patient. */
  public String of(String patientId) {
    double u = Seeds.uniform(seed, "split", patientId);
    return u < server ? SERVER : u < server + client ? CLIENT : u < server + client + val ? VAL : TEST;
  }
}
