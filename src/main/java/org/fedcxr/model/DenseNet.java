package org.fedcxr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/** torchvision's DenseNet-121 feature extractor (growth 32, bottleneck 4, blocks 6-12-24-16), 1 input channel. */
final class DenseNet {
  private DenseNet() {
  }

  static Module encoder121() {
    int growth = 32;
    int channels = 64;
    Module features = new Module()
        .add("conv0", Layers.conv(channels, 7, 2, 3)).add("norm0", Layers.bn()).op("relu0", Layers.RELU)
        .op("pool0", Layers.MAX_POOL_3_2);
    int[] blocks = {6, 12, 24, 16};
    for (int b = 0; b < blocks.length; b++) {
      features.add("denseblock" + (b + 1), new DenseBlock(blocks[b], growth));
      channels += blocks[b] * growth;
      if (b < blocks.length - 1) {
        channels /= 2;
        features.add("transition" + (b + 1), new Module().add("norm", Layers.bn()).op("relu", Layers.RELU)
            .add("conv", Layers.conv(channels, 1, 1, 0)).op("pool", Layers.AVG_POOL_2_2));
      }
    }
    features.add("norm5", Layers.bn());
    return new Module().add("features", features).op("relu", Layers.RELU).op("pool", Layers.POOL_FLATTEN);
  }

  /** Layers whose inputs are the block input concatenated with every earlier layer's output. */
  static final class DenseBlock extends Module {
    DenseBlock(int layers, int growth) {
      for (int i = 1; i <= layers; i++) {
        add("denselayer" + i, new Module().add("norm1", Layers.bn()).op("relu1", Layers.RELU)
            .add("conv1", Layers.conv(4 * growth, 1, 1, 0)).add("norm2", Layers.bn()).op("relu2", Layers.RELU)
            .add("conv2", Layers.conv(growth, 3, 1, 1)));
      }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
        PairList<String, Object> params) {
      List<NDArray> features = new ArrayList<>(List.of(inputs.singletonOrThrow()));
      for (Block layer : children.values()) {
        NDArray in = features.size() == 1 ? features.get(0)
            : NDArrays.concat(new NDList(features), 1);
        features.add(layer.forward(ps, new NDList(in), training, params).singletonOrThrow());
      }
      return new NDList(NDArrays.concat(new NDList(features), 1));
    }

    @Override
    public long forwardFlops(Shape input) {
      long channels = input.get(1);
      long flops = 0;
      for (Block layer : children.values()) {
        Shape in = new Shape(input.get(0), channels, input.get(2), input.get(3));
        flops += flopsOf(layer, in);
        channels += layer.getOutputShapes(new Shape[] {in})[0].get(1);
      }
      return flops;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      Shape s = inputShapes[0];
      long channels = s.get(1);
      for (Block layer : children.values()) {
        channels += layer.getOutputShapes(new Shape[] {new Shape(s.get(0), channels, s.get(2), s.get(3))})[0].get(1);
      }
      return new Shape[] {new Shape(s.get(0), channels, s.get(2), s.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      Shape s = inputShapes[0];
      long channels = s.get(1);
      for (Block layer : children.values()) {
        Shape in = new Shape(s.get(0), channels, s.get(2), s.get(3));
        layer.initialize(manager, dataType, in);
        channels += layer.getOutputShapes(new Shape[] {in})[0].get(1);
      }
    }
  }
}
