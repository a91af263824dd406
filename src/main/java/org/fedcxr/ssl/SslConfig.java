package org.fedcxr.ssl;

import java.io.Serializable;
import java.util.List;

/**
 * How the self-supervised pretraining runs.
 *
 * @param method {@code byol} (target = EMA of the online encoder, SR-layer and projector) or {@code simsiam} (shared
 *     network, stop-gradient on the target side)
 * @param srLayer whether the projection head gets the spectral-residual layer
 * @param epochs the run's length in epochs (the schedules span it)
 * @param schedule {@code constant} learning rate, or {@code warmup-cosine}: linear warm-up over
 *     {@code warmupEpochs}, then a cosine decay to 0, per step (see {@link SslSchedule})
 * @param optimizerState {@code run}: Adam's moments and its bias-correction count live as long as the run, or
 *     {@code epoch}: both restart at every epoch (fedcxr before issue 12); the learning rate follows the run's step
 *     either way
 * @param ema BYOL's base target momentum τ: target = τ·target + (1−τ)·online after every step
 * @param emaSchedule {@code constant} τ, or {@code cosine}: τ rises from {@code ema} to 1 over the run
 * @param jointViews both views through each branch as one batch of 2B (faster; BatchNorm statistics then cover both
 *     views) instead of one pass per view
 */
public record SslConfig(String method, boolean srLayer, int epochs, int batchSize, float learningRate,
    String schedule, int warmupEpochs, float weightDecay, String optimizerState, float ema, String emaSchedule,
    int hidden, int dim, boolean jointViews, ViewAugmenter augmenter, int threads) implements Serializable {
  public static final List<String> METHODS = List.of("byol", "simsiam");
  public static final List<String> SCHEDULES = List.of("constant", "warmup-cosine");
  public static final List<String> EMA_SCHEDULES = List.of("constant", "cosine");
  public static final List<String> OPTIMIZER_STATES = List.of("run", "epoch");

  public SslConfig {
    if (!METHODS.contains(method)) {
      throw new IllegalArgumentException("method must be one of " + METHODS + ", not " + method);
    }
    if (!SCHEDULES.contains(schedule)) {
      throw new IllegalArgumentException("schedule must be one of " + SCHEDULES + ", not " + schedule);
    }
    if (!OPTIMIZER_STATES.contains(optimizerState)) {
      throw new IllegalArgumentException("optimizer state must be one of " + OPTIMIZER_STATES + ", not "
          + optimizerState);
    }
    if (!EMA_SCHEDULES.contains(emaSchedule)) {
      throw new IllegalArgumentException("ema schedule must be one of " + EMA_SCHEDULES + ", not " + emaSchedule);
    }
    if (epochs < 1 || warmupEpochs < 0 || warmupEpochs >= epochs && schedule.equals("warmup-cosine")) {
      throw new IllegalArgumentException("epochs must be positive and warm-up epochs in [0, epochs), not "
          + epochs + " and " + warmupEpochs);
    }
  }
}
