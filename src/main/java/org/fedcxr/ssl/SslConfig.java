package org.fedcxr.ssl;

import java.io.Serializable;
import java.util.List;

/**
 * How the self-supervised pretraining runs.
 *
 * @param method {@code byol} (target = EMA of the online encoder, SR-layer and projector) or {@code simsiam} (shared
 *     network, stop-gradient on the target side)
 * @param srLayer whether the projection head gets the spectral-residual layer
 * @param ema BYOL's target momentum τ: target = τ·target + (1−τ)·online after every step
 */
public record SslConfig(String method, boolean srLayer, int batchSize, float learningRate, float weightDecay,
    float ema, int hidden, int dim, ViewAugmenter augmenter, int threads) implements Serializable {
  public static final List<String> METHODS = List.of("byol", "simsiam");

  public SslConfig {
    if (!METHODS.contains(method)) {
      throw new IllegalArgumentException("method must be one of " + METHODS + ", not " + method);
    }
  }
}
