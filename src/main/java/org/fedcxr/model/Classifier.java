package org.fedcxr.model;

import ai.djl.nn.Block;

/**
 * An encoder followed by a linear head that gives one logit per label. The encoder is a child under the empty name,
 * so the state dict reads as torchvision's ({@code conv1.weight}, ..., {@code fc.weight}); a pretrained encoder is
 * combined with a fresh head by building a classifier around it.
 */
public final class Classifier extends Module {
  private final Architecture architecture;
  private final Block encoder;

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

  public Architecture architecture() {
    return architecture;
  }

  public Block encoder() {
    return encoder;
  }
}
