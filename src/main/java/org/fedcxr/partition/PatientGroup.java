package org.fedcxr.partition;

/**
 * The unit of client assignment: one patient of the client pool, how many images they have, and their class (the
 * rarest class among their images; see {@link ClientSplitter}).
 */
public record PatientGroup(String patientId, int images, int classIndex) {
}
