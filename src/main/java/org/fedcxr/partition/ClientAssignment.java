package org.fedcxr.partition;

import java.util.Map;

/**
 * Which client each patient goes to, and the client sizes (in images) that were drawn for the strategies that draw
 * them ({@code drawnSizes} is empty for {@code dirichlet}, whose sizes follow from the label draws).
 */
public record ClientAssignment(Map<String, Integer> clientOfPatient, int[] drawnSizes) {
}
