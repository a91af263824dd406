package org.fedcxr.fl;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What a group task returns: the sum over its clients that trained of weights × samples (little-endian doubles,
 * added in client order; null when none did), their sample count and summed loss × samples, a report per sampled
 * client in client order, with FedBN each client's own BatchNorm state, and the task's wall time in seconds.
 */
record GroupUpdate(byte[] sum, long samples, double lossSum, List<ClientReport> clients,
    Map<Integer, float[]> batchNorm, double seconds) implements Serializable {
}
