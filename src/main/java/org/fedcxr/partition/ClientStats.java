package org.fedcxr.partition;

/**
 * One client's data after partitioning: images, patients, positives per label (catalog order), images with no
 * finding, and the size drawn for it (-1 when the strategy draws none).
 */
public record ClientStats(int clientId, long images, long patients, long[] positives, long noFinding,
    int drawnSize) {
}
