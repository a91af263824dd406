package org.fedcxr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * An encoder followed by a linear head that gives one logit per label. The encoder is a child under the empty name,
 * so the state dict reads as torchvision's ({@code conv1.weight}, ..., {@code fc.weight}); a pretrained encoder is
 * combined with a fresh head by building a classifier around it.
 */
public final class Classifier extends Module {
  private final Architecture architecture;
  private final Block encoder;
  private boolean frozenBatchNorm;
  private NDArray featureShift;
  private NDArray featureScale;

  public Classifier(Architecture architecture, Block encoder, int labels) {
    this.architecture = architecture;
    this.encoder = encoder;
    add("", encoder);
    add(architecture.head(), Layers.linear(labels));
  }

  /** A classifier with a fresh encoder and head. */
  public static Classifier of(Architecture architecture, int labels) {
    return new Classifier(architecture, architecture.newEncoder(), labels);
  }

  /**
   * Whether the encoder runs in inference mode while training: its BatchNorm layers normalise with their running
   * statistics and do not update them (gradients still flow through it). Returns this classifier.
   */
  public Classifier optFrozenBatchNorm(boolean frozen) {
    this.frozenBatchNorm = frozen;
    return this;
  }

  /**
   * Has the head see the encoder's features as {@code (features - shift) / scale} (one value per feature; both null:
   * as they are, the default). The two arrays are constants, not parameters: they are not in the state dict.
   */
  public void setFeatureStandardization(NDArray shift, NDArray scale) {
    this.featureShift = shift;
    this.featureScale = scale;
  }

  /** The encoder's features of {@code images} in inference mode (BatchNorm on its running statistics). */
  public NDArray features(ParameterStore ps, NDArray images) {
    return encoder.forward(ps, new NDList(images), false).singletonOrThrow();
  }

  /** The head (a linear layer: {@code weight} labels x features, {@code bias}). */
  public Block head() {
    return child(architecture.head());
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDList features = encoder.forward(ps, inputs, training && !frozenBatchNorm, params);
    if (featureShift != null) {
      features = new NDList(features.singletonOrThrow().sub(featureShift).div(featureScale));
    }
    return head().forward(ps, features, training, params);
  }

  public Architecture architecture() {
    return architecture;
  }

  public Block encoder() {
    return encoder;
  }
}
