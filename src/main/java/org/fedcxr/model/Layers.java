package org.fedcxr.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.function.Function;

/** The torchvision building blocks in DJL, with PyTorch's defaults (no conv bias, BatchNorm eps 1e-5 momentum 0.1). */
public final class Layers {
  private Layers() {
  }

  public static Block conv(int filters, int kernel, int stride, int padding) {
    return Conv2d.builder().setFilters(filters).setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride)).optPadding(new Shape(padding, padding)).optBias(false).build();
  }

  /** The share of a BatchNorm running statistic kept at each training step (DJL's momentum; PyTorch's is 0.1). */
  public static final float BN_KEPT = 0.9f;

  /** BatchNorm over channels, eps 1e-5, momentum {@link #BN_KEPT}. */
  public static Block bn() {
    return BatchNorm.builder().optEpsilon(1e-5f).optMomentum(BN_KEPT).build();
  }

  public static Block linear(int units) {
    return Linear.builder().setUnits(units).build();
  }

  public static final Function<NDList, NDList> RELU = x -> new NDList(Activation.relu(x.singletonOrThrow()));

  static final Function<NDList, NDList> MAX_POOL_3_2 = x -> new NDList(Pool.maxPool2d(x.singletonOrThrow(),
      new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false));

  static final Function<NDList, NDList> AVG_POOL_2_2 = x -> new NDList(Pool.avgPool2d(x.singletonOrThrow(),
      new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true));

  /** Global average pooling and flattening: (N, C, H, W) to (N, C). */
  public static final Function<NDList, NDList> POOL_FLATTEN = x -> {
    var a = Pool.globalAvgPool2d(x.singletonOrThrow());
    return new NDList(a.reshape(a.getShape().get(0), -1));
  };
}
