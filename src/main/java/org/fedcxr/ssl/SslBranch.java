package org.fedcxr.ssl;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.Layers;
import org.fedcxr.model.Module;

/**
 * One branch of the instance-discrimination network: the base encoder's feature map, the optional SR-layer on it,
 * global pooling, a projection head (Linear–BatchNorm–ReLU–Linear) and, on the online branch, a prediction head of
 * the same form. Outputs (prediction or projection, projection). Only {@link #encoder()} is kept for transfer.
 */
public final class SslBranch extends Module {
  private final Module encoder;
  private final boolean sr;
  private final boolean predictor;

  public SslBranch(Architecture architecture, boolean srLayer, boolean predictor, int hidden, int dim) {
    this.encoder = architecture.newEncoder();
    this.sr = srLayer;
    this.predictor = predictor;
    add("encoder", encoder);
    if (srLayer) {
      add("sr", new SpectralResidual());
    }
    add("projector", mlp(hidden, dim));
    if (predictor) {
      add("predictor", mlp(hidden, dim));
    }
  }

  private static Module mlp(int hidden, int dim) {
    return new Module().add("0", Layers.linear(hidden)).add("1", Layers.bn()).op("2", Layers.RELU)
        .add("3", Layers.linear(dim));
  }

  /** The base encoder (what the export keeps). */
  public Module encoder() {
    return encoder;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDList f = encoder.forwardFeatures(ps, inputs, training, params);
    if (sr) {
      f = child("sr").forward(ps, f, training, params);
    }
    NDList z = child("projector").forward(ps, Layers.POOL_FLATTEN.apply(f), training, params);
    NDList p = predictor ? child("predictor").forward(ps, z, training, params) : z;
    return new NDList(p.singletonOrThrow(), z.singletonOrThrow());
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape z = child("projector").getOutputShapes(pooled(inputShapes))[0];
    return new Shape[] {z, z};
  }

  private Shape[] pooled(Shape[] inputShapes) {
    Shape f = encoder.featureShapes(inputShapes)[0];
    return new Shape[] {new Shape(f.get(0), f.get(1))};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    encoder.initialize(manager, dataType, inputShapes);
    if (sr) {
      child("sr").initialize(manager, dataType, encoder.featureShapes(inputShapes));
    }
    Shape[] pooled = pooled(inputShapes);
    child("projector").initialize(manager, dataType, pooled);
    if (predictor) {
      child("predictor").initialize(manager, dataType, child("projector").getOutputShapes(pooled));
    }
  }
}
