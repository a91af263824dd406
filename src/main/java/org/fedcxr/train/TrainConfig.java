package org.fedcxr.train;

import java.io.Serializable;
import java.util.List;

/**
 * How a model trains locally. Build with {@link #builder()}: {@code set…} for what must be given, {@code opt…} for
 * what has a default.
 *
 * @param optimizer {@code adam} or {@code sgd} (with momentum)
 * @param schedule {@code constant} or {@code cosine} (the full rate on the first step, toward 0 over the call's steps)
 * @param clipNorm gradients are scaled down to this global L2 norm; 0 turns clipping off
 * @param classWeighted weight each label's positives by negatives/positives in the local data (at most 100)
 * @param threads libtorch intra-op threads (Spark: {@code spark.task.cpus})
 * @param proxMu FedProx's proximal weight: the loss gains (mu/2)·||w − w_initial||²; 0 turns it off
 * @param encoderLrScale the encoder's learning rate as a share of the head's (transfer learning); 0 freezes the
 *     encoder's weights
 * @param frozenBatchNorm the encoder's BatchNorm layers normalise with their running statistics and leave them
 *     unchanged (the pretrained statistics are kept)
 * @param standardizeHead the head trains on each client's features standardised by that client's own mean and
 *     standard deviation ({@link HeadStandardization}: returned weights are a plain classifier's)
 */
public record TrainConfig(String optimizer, float learningRate, float momentum, float weightDecay, String schedule,
    float clipNorm, int batchSize, int epochs, boolean classWeighted, Augmenter augmenter, int threads,
    float proxMu, float encoderLrScale, boolean frozenBatchNorm, boolean standardizeHead) implements Serializable {
  public static final List<String> OPTIMIZERS = List.of("adam", "sgd");
  public static final List<String> SCHEDULES = List.of("constant", "cosine");

  public TrainConfig {
    if (!OPTIMIZERS.contains(optimizer)) {
      throw new IllegalArgumentException("optimizer must be one of " + OPTIMIZERS + ", not " + optimizer);
    }
    if (!SCHEDULES.contains(schedule)) {
      throw new IllegalArgumentException("schedule must be one of " + SCHEDULES + ", not " + schedule);
    }
    if (batchSize < 1 || epochs < 1 || threads < 1 || learningRate <= 0) {
      throw new IllegalArgumentException("batch size, epochs, threads and learning rate must be positive");
    }
    if (!(encoderLrScale >= 0)) {
      throw new IllegalArgumentException("the encoder's learning-rate scale must be at least 0, not " + encoderLrScale);
    }
  }

  /** This config training the head alone: encoder weights and BatchNorm statistics frozen (a linear probe). */
  public TrainConfig headOnly() {
    return new TrainConfig(optimizer, learningRate, momentum, weightDecay, schedule, clipNorm, batchSize, epochs,
        classWeighted, augmenter, threads, proxMu, 0f, true, standardizeHead);
  }

  /** This config with FedProx's proximal weight {@code mu} (0 turns the term off). */
  public TrainConfig withProxMu(float mu) {
    return new TrainConfig(optimizer, learningRate, momentum, weightDecay, schedule, clipNorm, batchSize, epochs,
        classWeighted, augmenter, threads, mu, encoderLrScale, frozenBatchNorm, standardizeHead);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder with the defaults of a short local run: Adam 1e-3, batch 32, 1 epoch, cosine, clip 5, augmentation. */
  public static final class Builder {
    private String optimizer = "adam";
    private float learningRate = 1e-3f;
    private float momentum = 0.9f;
    private float weightDecay = 1e-4f;
    private String schedule = "cosine";
    private float clipNorm = 5f;
    private int batchSize = 32;
    private int epochs = 1;
    private boolean classWeighted;
    private Augmenter augmenter = Augmenter.DEFAULT;
    private int threads = 1;
    private float proxMu;
    private float encoderLrScale = 1f;
    private boolean frozenBatchNorm;
    private boolean standardizeHead;

    public Builder optOptimizer(String optimizer) {
      this.optimizer = optimizer;
      return this;
    }

    public Builder optLearningRate(float learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    public Builder optMomentum(float momentum) {
      this.momentum = momentum;
      return this;
    }

    public Builder optWeightDecay(float weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    public Builder optSchedule(String schedule) {
      this.schedule = schedule;
      return this;
    }

    public Builder optClipNorm(float clipNorm) {
      this.clipNorm = clipNorm;
      return this;
    }

    public Builder setBatchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    public Builder setEpochs(int epochs) {
      this.epochs = epochs;
      return this;
    }

    public Builder optClassWeighted(boolean classWeighted) {
      this.classWeighted = classWeighted;
      return this;
    }

    public Builder optAugmenter(Augmenter augmenter) {
      this.augmenter = augmenter;
      return this;
    }

    public Builder optThreads(int threads) {
      this.threads = threads;
      return this;
    }

    public Builder optProxMu(float proxMu) {
      this.proxMu = proxMu;
      return this;
    }

    public Builder optEncoderLrScale(float encoderLrScale) {
      this.encoderLrScale = encoderLrScale;
      return this;
    }

    public Builder optFrozenBatchNorm(boolean frozenBatchNorm) {
      this.frozenBatchNorm = frozenBatchNorm;
      return this;
    }

    public Builder optStandardizeHead(boolean standardizeHead) {
      this.standardizeHead = standardizeHead;
      return this;
    }

    public TrainConfig build() {
      return new TrainConfig(optimizer, learningRate, momentum, weightDecay, schedule, clipNorm, batchSize, epochs,
          classWeighted, augmenter, threads, proxMu, encoderLrScale, frozenBatchNorm, standardizeHead);
    }
  }
}
